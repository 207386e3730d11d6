//! A test runtime with the registry and balances.

use crate as pallet_registry;
use frame_support::{derive_impl, parameter_types};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Registry: pallet_registry,
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
}

parameter_types! {
	pub const MaxNameLength: u32 = 32;
	pub const MaxEndpointLength: u32 = 128;
	pub const MaxCooperativeMembers: u32 = 5;
}

impl pallet_registry::Config for Test {
	type Currency = Balances;
	type MaxNameLength = MaxNameLength;
	type MaxEndpointLength = MaxEndpointLength;
	type MaxCooperativeMembers = MaxCooperativeMembers;
	type WeightInfo = ();
}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;
pub const OPERATOR: u64 = 9;

/// Fresh externalities at block 1, so events are recorded.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
