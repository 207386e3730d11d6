//! A test runtime with balances and guardian circles.

use crate as pallet_guardian;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
	weights::Weight,
	PalletId,
};
use sp_runtime::{traits::IdentityLookup, AccountId32, BuildStorage};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = AccountId32;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Guardian: pallet_guardian,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ExistentialDeposit = ConstU64<EXISTENTIAL_DEPOSIT>;
}

pub const EXISTENTIAL_DEPOSIT: u64 = 10;
pub const CIRCLE_DEPOSIT: u64 = 500;
pub const PROPOSAL_DEPOSIT: u64 = 20;
pub const VOTING_PERIOD: u64 = 10;

parameter_types! {
	pub const GuardianPalletId: PalletId = PalletId(*b"gc/guard");
	pub const CouncilRole: pallet_guardian::Role = pallet_guardian::Role::Council;
	/// A call heavier than this cannot be proposed.
	pub const MaxCallWeight: Weight = Weight::from_parts(100_000_000_000, 1 << 20);
	pub static MaxExecutionWeightPerBlock: Weight = Weight::from_parts(100_000_000_000, 1 << 20);
}

impl pallet_guardian::Config for Test {
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type CircleOrigin = pallet_guardian::EnsureCircle<Test>;
	type RoleOrigin = pallet_guardian::EnsureRole<Test, CouncilRole>;
	type PalletId = GuardianPalletId;
	type MinMembers = ConstU32<9>;
	type MaxMembers = ConstU32<99>;
	type MaxNameLength = ConstU32<32>;
	type MaxKeysPerMember = ConstU32<1>;
	type MaxCallLength = ConstU32<256>;
	type MaxCallWeight = MaxCallWeight;
	type MaxOpenProposals = ConstU32<4>;
	type MaxDuePerBlock = ConstU32<3>;
	type MaxExecutionWeightPerBlock = MaxExecutionWeightPerBlock;
	type MinVotingPeriod = ConstU64<2>;
	type MaxVotingPeriod = ConstU64<100>;
	type CircleDeposit = ConstU64<CIRCLE_DEPOSIT>;
	type ProposalDeposit = ConstU64<PROPOSAL_DEPOSIT>;
	type ProposalDepositPerByte = ConstU64<1>;
	type WeightInfo = ();
}

/// Account `n`.
pub fn account(n: u8) -> AccountId {
	AccountId32::new([n; 32])
}

/// Accounts 1..=count.
pub fn accounts(count: u8) -> Vec<AccountId> {
	(1..=count).map(account).collect()
}

/// What every numbered account (1 to 200) starts with.
pub const ENDOWMENT: u64 = 10_000;

/// Circle 1, the council, at genesis: accounts 101..=109, threshold 5.
pub fn council() -> Vec<AccountId> {
	(101..=109).map(account).collect()
}

/// The genesis of the tests: the numbered accounts endowed (with `endowed`), and the council.
fn genesis(endowed: bool) -> sp_runtime::Storage {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let balances =
		if endowed { (1..=200).map(|n| (account(n), ENDOWMENT)).collect() } else { vec![] };
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_guardian::GenesisConfig::<Test> {
		circles: vec![(b"council".to_vec(), council(), 5, VOTING_PERIOD, 0)],
		roles: vec![(pallet_guardian::Role::Council, 1)],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	storage
}

/// Fresh externalities at block 1, with the council as circle 1; the invariants are checked
/// after `test` runs.
pub fn test(test: impl FnOnce()) {
	let mut ext = sp_io::TestExternalities::new(genesis(true));
	ext.execute_with(|| {
		System::set_block_number(1);
		test();
		Guardian::do_try_state().expect("the invariants hold");
	});
}

/// Runs the blocks up to `block`, with the pallet's hook at each.
pub fn run_to_block(block: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < block {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Guardian::on_initialize(next);
		Guardian::do_try_state().expect("the invariants hold");
	}
}

/// Externalities for the benchmarks' tests: the genesis council, and block 1.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	let mut ext = sp_io::TestExternalities::new(genesis(false));
	ext.execute_with(|| System::set_block_number(1));
	ext
}
