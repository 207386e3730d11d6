//! A test runtime with the validators pallet; farmers and session keys are stand-ins (sets the
//! tests fill), admission is root.

use crate as pallet_validators;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
};
use sp_runtime::BuildStorage;
use std::{cell::RefCell, collections::BTreeSet};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Validators: pallet_validators,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// What an application holds.
pub const DEPOSIT: u64 = 100;

thread_local! {
	static FARMERS: RefCell<BTreeSet<AccountId>> = const { RefCell::new(BTreeSet::new()) };
	static KEYS: RefCell<BTreeSet<AccountId>> = const { RefCell::new(BTreeSet::new()) };
}

/// Farmers in the tests: accounts owning a farm with a node.
pub struct Farmers;
impl frame_support::traits::Contains<AccountId> for Farmers {
	fn contains(who: &AccountId) -> bool {
		FARMERS.with(|farmers| farmers.borrow().contains(who))
	}
}

/// Session keys in the tests.
pub struct Keys;
impl frame_support::traits::ValidatorRegistration<AccountId> for Keys {
	fn is_registered(who: &AccountId) -> bool {
		KEYS.with(|keys| keys.borrow().contains(who))
	}
}

/// `who` becomes a farmer with session keys, with funds for an application deposit.
pub fn farmer_with_keys(who: AccountId) {
	use frame_support::traits::fungible::{Inspect, Mutate};
	if Balances::balance(&who) == 0 {
		Balances::set_balance(&who, 10 * DEPOSIT);
	}
	FARMERS.with(|farmers| farmers.borrow_mut().insert(who));
	set_keys(who, true);
}

/// `who`'s farms no longer hold a node.
pub fn stop_farming(who: AccountId) {
	FARMERS.with(|farmers| farmers.borrow_mut().remove(&who));
}

/// `who` registers (or purges) its session keys.
pub fn set_keys(who: AccountId, registered: bool) {
	KEYS.with(|keys| {
		if registered {
			keys.borrow_mut().insert(who);
		} else {
			keys.borrow_mut().remove(&who);
		}
	});
}

pub const MIN_VALIDATORS: u32 = 2;
pub const MAX_VALIDATORS: u32 = 5;
pub const OFFLINE_SESSIONS: u32 = 3;

pub const MIN_SESSION_LENGTH: u64 = 5;
pub const MAX_SESSION_LENGTH: u64 = 100;
pub const SESSION_LENGTH: u64 = 10;
/// The account the mock's governance origin is.
pub const COUNCIL: AccountId = 100;

parameter_types! {
	pub const MaxApplications: u32 = 3;
}

frame_support::ord_parameter_types! {
	pub const Council: AccountId = COUNCIL;
}

impl pallet_validators::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ApplicationDeposit = ConstU64<DEPOSIT>;
	type Farmers = Farmers;
	type KeysRegistered = Keys;
	type AdmissionOrigin = frame_system::EnsureRoot<AccountId>;
	type GovernanceOrigin = frame_system::EnsureSignedBy<Council, AccountId>;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type MaxApplications = MaxApplications;
	type OfflineSessions = ConstU32<OFFLINE_SESSIONS>;
	type MinSessionLength = ConstU64<MIN_SESSION_LENGTH>;
	type MaxSessionLength = ConstU64<MAX_SESSION_LENGTH>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Benchmarks: farmers with keys are entries in the mock's sets.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_validators::BenchmarkHelper<AccountId> for MockBenchmarkHelper {
	fn farmer_with_keys(who: &AccountId) {
		farmer_with_keys(*who);
	}
}

/// The benchmarks' externalities: an empty chain at block 1.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Genesis validators 1, 2 and 3 (farmers with keys), a minimum of two, sessions of ten blocks.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_validators::GenesisConfig::<Test> {
		validators: vec![3, 1, 2],
		minimum_validators: MIN_VALIDATORS,
		session_length: SESSION_LENGTH,
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		for who in 1..=3 {
			farmer_with_keys(who);
		}
	});
	ext
}
