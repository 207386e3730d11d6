//! Benchmarks of every call at its worst: the approved set full but one (its insertion or
//! removal moves the most), the applications' counter at its bound but one.

use crate::{pallet::*, BenchmarkHelper};
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::Saturating;

/// Validator or applicant `n`, a farmer with keys, funded for the application deposit.
fn farmer<T: Config>(n: u32) -> T::AccountId {
	let who: T::AccountId = account("farmer", n, 0);
	T::BenchmarkHelper::farmer_with_keys(&who);
	let funds = T::ApplicationDeposit::get()
		.saturating_mul(2u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, funds);
	who
}

/// `who` applies, as a farmer does.
fn applied<T: Config>(who: &T::AccountId) {
	Pallet::<T>::apply(RawOrigin::Signed(who.clone()).into()).expect("a farmer with keys applies");
}

/// The approved set filled to `size` validators.
fn approve_many<T: Config>(size: u32) -> Vec<T::AccountId> {
	let mut validators: Vec<T::AccountId> = (1_000..1_000 + size).map(farmer::<T>).collect();
	validators.sort();
	Approved::<T>::put(BoundedVec::truncate_from(validators.clone()));
	validators
}

/// Applications filled to `count`.
fn apply_many<T: Config>(count: u32) {
	for n in 2_000..2_000 + count {
		applied::<T>(&farmer::<T>(n));
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn apply() {
		approve_many::<T>(T::MaxValidators::get());
		apply_many::<T>(T::MaxApplications::get() - 1);
		let who = farmer::<T>(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Applications::<T>::contains_key(&who));
	}

	#[benchmark]
	fn approve() -> Result<(), BenchmarkError> {
		approve_many::<T>(T::MaxValidators::get() - 1);
		let who = farmer::<T>(0);
		applied::<T>(&who);
		let origin =
			T::AdmissionOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());
		assert!(Pallet::<T>::is_validator(&who));
		Ok(())
	}

	#[benchmark]
	fn reject() -> Result<(), BenchmarkError> {
		let who = farmer::<T>(0);
		applied::<T>(&who);
		let origin =
			T::AdmissionOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());
		assert!(!Applications::<T>::contains_key(&who));
		Ok(())
	}

	#[benchmark]
	fn remove() -> Result<(), BenchmarkError> {
		let validators = approve_many::<T>(T::MaxValidators::get());
		let who = validators[0].clone();
		let origin =
			T::AdmissionOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());
		assert!(!Pallet::<T>::is_validator(&who));
		Ok(())
	}

	/// A validator leaving: the set is read and rewritten.
	#[benchmark]
	fn withdraw() {
		let validators = approve_many::<T>(T::MaxValidators::get());
		let who = validators[0].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!Pallet::<T>::is_validator(&who));
	}

	/// An applicant withdrawing: its application and deposit released, beside a full set.
	#[benchmark]
	fn withdraw_application() {
		approve_many::<T>(T::MaxValidators::get());
		apply_many::<T>(T::MaxApplications::get() - 1);
		let who = farmer::<T>(0);
		applied::<T>(&who);
		#[extrinsic_call]
		withdraw(RawOrigin::Signed(who.clone()));
		assert!(!Applications::<T>::contains_key(&who));
	}

	#[benchmark]
	fn set_minimum_validators() -> Result<(), BenchmarkError> {
		let size = T::MaxValidators::get();
		approve_many::<T>(size);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, size);
		assert_eq!(MinimumValidators::<T>::get(), size);
		Ok(())
	}

	#[benchmark]
	fn set_session_length() -> Result<(), BenchmarkError> {
		let length = T::MaxSessionLength::get();
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, length);
		assert_eq!(SessionLength::<T>::get(), length);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
