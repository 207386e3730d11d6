//! A test runtime with the registry and balances.

use crate as pallet_registry;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
	PalletId,
};
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
	type RuntimeHoldReason = RuntimeHoldReason;
	type ExistentialDeposit = ConstU64<EXISTENTIAL_DEPOSIT>;
}

/// Large enough that a small payment to a new account fails, as it does on chain.
pub const EXISTENTIAL_DEPOSIT: u64 = 10;

parameter_types! {
	pub const CooperativesPalletId: PalletId = PalletId(*b"gc/coops");
	pub const MaxNameLength: u32 = 32;
	pub const MaxEndpointLength: u32 = 128;
	pub const MaxCooperativeMembers: u32 = 5;
	// No deposits unless a test sets them (`storage_deposits_*`).
	pub static DepositPerItem: u64 = 0;
	pub static DepositPerByte: u64 = 0;
}

frame_support::ord_parameter_types! {
	pub const Auditor: u64 = AUDITOR;
}

impl pallet_registry::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type DepositPerItem = DepositPerItem;
	type DepositPerByte = DepositPerByte;
	type MaxNameLength = MaxNameLength;
	type MaxEndpointLength = MaxEndpointLength;
	type MaxCooperativeMembers = MaxCooperativeMembers;
	type MaxAgreementsPerNode = ConstU32<3>;
	type MaxCooperativeFarms = ConstU32<2>;
	type FarmPayouts = ();
	type AuditorOrigin = frame_system::EnsureSignedBy<Auditor, u64>;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type PalletId = CooperativesPalletId;
	type WeightInfo = ();
}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;
pub const DAVE: u64 = 4;
pub const OPERATOR: u64 = 9;
/// The account the auditors' origin stands for in these tests.
pub const AUDITOR: u64 = 8;
/// What Alice, Bob and Charlie start with; Dave has nothing.
pub const ENDOWMENT: u64 = 1_000;

/// Fresh externalities at block 1, so events are recorded.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, ENDOWMENT), (BOB, ENDOWMENT), (CHARLIE, ENDOWMENT)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
