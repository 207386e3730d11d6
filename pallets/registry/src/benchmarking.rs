//! Benchmarks of the registry's calls, each in its worst case: the longest names and
//! endpoints, the most cooperative members.

use super::*;
use crate::Pallet as Registry;
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
use sp_runtime::{traits::Saturating, Perbill};

fn longest_name<T: Config>(seed: u8) -> NameOf<T> {
	let mut name = alloc::vec![b'a'; T::MaxNameLength::get() as usize];
	name[0] = b'a' + seed % 26;
	BoundedVec::try_from(name).expect("exactly the maximum length")
}

fn longest_endpoint<T: Config>() -> EndpointOf<T> {
	let mut url = b"https://".to_vec();
	url.resize(T::MaxEndpointLength::get() as usize, b'z');
	BoundedVec::try_from(url).expect("exactly the maximum length")
}

fn some_pricing<T: Config>() -> PricingPolicy<BalanceOf<T>> {
	PricingPolicy {
		cru_per_core_hour: 1u32.into(),
		mru_per_gib_hour: 2u32.into(),
		sru_per_gib_hour: 3u32.into(),
		hru_per_gib_hour: 4u32.into(),
	}
}

fn capacity() -> Resources {
	Resources { cru: 64, mru: 256 * GIB, sru: 4096 * GIB, hru: 16384 * GIB }
}

/// `m` members with shares summing to exactly 100%.
fn members<T: Config>(m: u32) -> Vec<Member<T::AccountId>> {
	let m = m.max(1);
	let part = Perbill::one().deconstruct() / m;
	(0..m)
		.map(|i| {
			let share = if i == 0 {
				Perbill::from_parts(Perbill::one().deconstruct() - part * (m - 1))
			} else {
				Perbill::from_parts(part)
			};
			Member { account: account("member", i, 0), share }
		})
		.collect()
}

/// A twin for `caller` with a farm (the longest name) and a node.
fn farm_with_node<T: Config>(caller: &T::AccountId) -> (FarmId, NodeId) {
	fund::<T>(caller);
	Registry::<T>::register_twin(RawOrigin::Signed(caller.clone()).into()).expect("new account");
	Registry::<T>::create_farm(
		RawOrigin::Signed(caller.clone()).into(),
		longest_name::<T>(0),
		some_pricing::<T>(),
		caller.clone(),
	)
	.expect("valid farm");
	let farm_id = NextFarmId::<T>::get() - 1;
	Registry::<T>::register_node(
		RawOrigin::Signed(caller.clone()).into(),
		farm_id,
		capacity(),
		longest_endpoint::<T>(),
		[1; 32],
	)
	.expect("valid node");
	(farm_id, NextNodeId::<T>::get() - 1)
}

/// Gives `who` enough to pay deposits and fees.
fn fund<T: Config>(who: &T::AccountId) {
	let amount = T::Currency::minimum_balance().saturating_mul(1_000u32.into());
	T::Currency::set_balance(who, amount);
}

/// Pays `amount` into a cooperative's account as its farms would.
fn earn<T: Config>(cooperative_id: CooperativeId, amount: BalanceOf<T>) {
	let account = Registry::<T>::cooperative_account(cooperative_id);
	T::Currency::mint_into(&account, amount).expect("the account exists");
	Registry::<T>::record_cooperative_earnings(cooperative_id, amount);
}

fn cooperative<T: Config>(admin: &T::AccountId) -> CooperativeId {
	fund::<T>(admin);
	Registry::<T>::create_cooperative(
		RawOrigin::Signed(admin.clone()).into(),
		longest_name::<T>(1),
		members::<T>(T::MaxCooperativeMembers::get()),
	)
	.expect("valid cooperative");
	NextCooperativeId::<T>::get() - 1
}

/// A farm (owned by an `owner` account) whose owner asked to join a cooperative administered
/// by the whitelisted caller. Returns (admin, farm id, cooperative id).
fn requested_membership<T: Config>() -> (T::AccountId, FarmId, CooperativeId) {
	let owner: T::AccountId = account("owner", 0, 0);
	let (farm_id, _) = farm_with_node::<T>(&owner);
	let admin: T::AccountId = whitelisted_caller();
	let cooperative_id = cooperative::<T>(&admin);
	Registry::<T>::request_cooperative_membership(
		RawOrigin::Signed(owner).into(),
		farm_id,
		cooperative_id,
	)
	.expect("the owner may ask");
	(admin, farm_id, cooperative_id)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_twin() {
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));
		assert!(TwinIdByAccount::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn create_farm() {
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		Registry::<T>::register_twin(RawOrigin::Signed(caller.clone()).into()).unwrap();
		let name = longest_name::<T>(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), name.clone(), some_pricing::<T>(), caller.clone());
		assert!(FarmIdByName::<T>::contains_key(&name));
	}

	#[benchmark]
	fn set_pricing_policy() {
		let caller: T::AccountId = whitelisted_caller();
		let (farm_id, _) = farm_with_node::<T>(&caller);
		let mut pricing = some_pricing::<T>();
		pricing.sru_per_gib_hour = 99u32.into();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), farm_id, pricing);
		assert_eq!(Farms::<T>::get(farm_id).unwrap().pricing, pricing);
	}

	#[benchmark]
	fn set_farm_operator() {
		let caller: T::AccountId = whitelisted_caller();
		let (farm_id, _) = farm_with_node::<T>(&caller);
		let operator: T::AccountId = account("operator", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), farm_id, operator.clone());
		assert_eq!(OperatorOffers::<T>::get(farm_id), Some(operator));
	}

	#[benchmark]
	fn accept_farm_operator() {
		let owner: T::AccountId = account("owner", 0, 0);
		let (farm_id, _) = farm_with_node::<T>(&owner);
		let caller: T::AccountId = whitelisted_caller();
		Registry::<T>::set_farm_operator(RawOrigin::Signed(owner).into(), farm_id, caller.clone())
			.expect("the owner may");
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), farm_id);
		assert_eq!(Farms::<T>::get(farm_id).unwrap().operator, Some(caller));
	}

	#[benchmark]
	fn resign_farm_operator() {
		let caller: T::AccountId = whitelisted_caller();
		let (farm_id, _) = farm_with_node::<T>(&caller);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), farm_id);
		assert_eq!(Farms::<T>::get(farm_id).unwrap().operator, None);
	}

	#[benchmark]
	fn register_node() {
		let caller: T::AccountId = whitelisted_caller();
		let (farm_id, node_id) = farm_with_node::<T>(&caller);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), farm_id, capacity(), longest_endpoint::<T>(), [2; 32]);
		assert!(Nodes::<T>::contains_key(node_id + 1));
	}

	#[benchmark]
	fn set_node_capacity() {
		let caller: T::AccountId = whitelisted_caller();
		let (_, node_id) = farm_with_node::<T>(&caller);
		let smaller = Resources { cru: 1, ..capacity() };
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), node_id, smaller);
		assert_eq!(Nodes::<T>::get(node_id).unwrap().capacity, smaller);
	}

	#[benchmark]
	fn set_node_endpoint() {
		let caller: T::AccountId = whitelisted_caller();
		let (_, node_id) = farm_with_node::<T>(&caller);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), node_id, longest_endpoint::<T>());
		assert!(Nodes::<T>::contains_key(node_id));
	}

	#[benchmark]
	fn set_node_key() {
		let caller: T::AccountId = whitelisted_caller();
		let (_, node_id) = farm_with_node::<T>(&caller);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), node_id, [3; 32]);
		assert_eq!(Nodes::<T>::get(node_id).unwrap().public_key, [3; 32]);
	}

	#[benchmark]
	fn audit_node() -> Result<(), BenchmarkError> {
		let origin =
			T::AuditorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let caller: T::AccountId = whitelisted_caller();
		let (_, node_id) = farm_with_node::<T>(&caller);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, node_id, capacity());
		assert_eq!(Nodes::<T>::get(node_id).unwrap().audited, Some(capacity()));
		Ok(())
	}

	#[benchmark]
	fn set_node_suspended() -> Result<(), BenchmarkError> {
		let origin =
			T::AuditorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let caller: T::AccountId = whitelisted_caller();
		let (_, node_id) = farm_with_node::<T>(&caller);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, node_id, true);
		assert!(Nodes::<T>::get(node_id).unwrap().suspended);
		Ok(())
	}

	#[benchmark]
	fn set_price_bounds() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let bounds = PriceBounds { min: PricingPolicy::default(), max: some_pricing::<T>() };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Some(bounds));
		assert_eq!(PriceBoundsInForce::<T>::get(), Some(bounds));
		Ok(())
	}

	#[benchmark]
	fn remove_node() {
		let caller: T::AccountId = whitelisted_caller();
		let (_, node_id) = farm_with_node::<T>(&caller);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), node_id);
		assert!(!Nodes::<T>::contains_key(node_id));
	}

	#[benchmark]
	fn create_cooperative(m: Linear<1, { T::MaxCooperativeMembers::get() }>) {
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), longest_name::<T>(1), members::<T>(m));
		assert_eq!(Cooperatives::<T>::get(1).unwrap().members.len() as u32, m);
	}

	#[benchmark]
	fn set_cooperative_members(
		m: Linear<1, { T::MaxCooperativeMembers::get() }>,
		f: Linear<0, { T::MaxCooperativeFarms::get() }>,
	) {
		// Worst case: the most old members, each having drawn part of its share, so each is
		// credited and its record rewritten; `f` farms to pay out first (the payouts' own
		// weight is the agreements pallet's, added by the call).
		let caller: T::AccountId = whitelisted_caller();
		let cooperative_id = cooperative::<T>(&caller);
		for farm_id in 0..f {
			CooperativeFarms::<T>::insert(cooperative_id, 1_000 + farm_id, ());
		}
		Cooperatives::<T>::mutate(cooperative_id, |c| {
			if let Some(c) = c {
				c.farms = f
			}
		});
		earn::<T>(cooperative_id, T::Currency::minimum_balance().saturating_mul(1_000u32.into()));
		for member in members::<T>(T::MaxCooperativeMembers::get()) {
			MemberEarnings::<T>::insert(
				cooperative_id,
				&member.account,
				MemberLedger { drawn: 1u32.into(), carried: 1u32.into() },
			);
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), cooperative_id, members::<T>(m));
		assert_eq!(Cooperatives::<T>::get(cooperative_id).unwrap().members.len() as u32, m);
	}

	#[benchmark]
	fn request_cooperative_membership() {
		let caller: T::AccountId = whitelisted_caller();
		let (farm_id, _) = farm_with_node::<T>(&caller);
		let cooperative_id = cooperative::<T>(&account("admin", 0, 0));
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), farm_id, cooperative_id);
		assert_eq!(MembershipRequests::<T>::get(farm_id), Some(cooperative_id));
	}

	#[benchmark]
	fn approve_cooperative_membership() {
		let (admin, farm_id, cooperative_id) = requested_membership::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), cooperative_id, farm_id);
		assert_eq!(Farms::<T>::get(farm_id).unwrap().cooperative, Some(cooperative_id));
	}

	#[benchmark]
	fn leave_cooperative() {
		// The admin leaving is the worst case: the owner check fails first.
		let (admin, farm_id, cooperative_id) = requested_membership::<T>();
		Registry::<T>::approve_cooperative_membership(
			RawOrigin::Signed(admin.clone()).into(),
			cooperative_id,
			farm_id,
		)
		.unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), farm_id);
		assert_eq!(Farms::<T>::get(farm_id).unwrap().cooperative, None);
	}

	#[benchmark]
	fn claim_cooperative_earnings() {
		// Worst case: the caller is the last of the most members, has no account yet, and is
		// owed both a current share and a carried amount.
		let admin: T::AccountId = account("admin", 0, 0);
		let caller: T::AccountId = whitelisted_caller();
		let mut listed = members::<T>(T::MaxCooperativeMembers::get());
		if let Some(last) = listed.last_mut() {
			last.account = caller.clone();
		}
		fund::<T>(&admin);
		Registry::<T>::create_cooperative(
			RawOrigin::Signed(admin.clone()).into(),
			longest_name::<T>(1),
			listed.clone(),
		)
		.expect("valid cooperative");
		let cooperative_id = NextCooperativeId::<T>::get() - 1;
		let earned = T::Currency::minimum_balance().saturating_mul(1_000u32.into());
		earn::<T>(cooperative_id, earned);
		// Re-setting the members credits what they earned so far as carried.
		Registry::<T>::set_cooperative_members(
			RawOrigin::Signed(admin).into(),
			cooperative_id,
			listed,
		)
		.expect("the admin may");
		earn::<T>(cooperative_id, earned);
		let owed = Registry::<T>::cooperative_earnings_of(cooperative_id, &caller);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), cooperative_id);
		assert_eq!(T::Currency::balance(&caller), owed);
	}

	impl_benchmark_test_suite!(Registry, crate::mock::new_test_ext(), crate::mock::Test);
}
