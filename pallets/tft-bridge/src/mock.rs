//! A test runtime with balances, the registry and the bridge. Circles and agreements are small
//! stand-ins: the bridge reaches them only through the `Circles` and `AgreementFunding` traits.

use crate as pallet_tft_bridge;
use crate::*;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{fungible::Mutate, ConstU128, ConstU32},
	PalletId,
};
use gridchain_primitives::{circles::Circles, grid::AgreementFunding};
use sp_core::Pair as _;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::IdentityLookup, AccountId32, BuildStorage, DispatchResult};
use std::{cell::RefCell, collections::BTreeMap};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = AccountId32;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Registry: pallet_registry,
		Bridge: pallet_tft_bridge,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

/// One TFT, in units (stroops).
pub const TFT: Balance = 10_000_000;
pub const EXISTENTIAL_DEPOSIT: Balance = TFT / 100;
/// The deposit fee in the mock: 1 TFT.
pub const DEPOSIT_FEE: Balance = TFT;
/// Blocks votes wait before they may be pruned, in the mock.
pub const VOTE_LIFETIME: u64 = 100;
/// The withdrawal fee in the mock: 0.5 TFT.
pub const WITHDRAWAL_FEE: Balance = TFT / 2;
/// Deposits below 0.01 TFT are dust in the mock.
pub const DUST_LIMIT: Balance = TFT / 100;
/// Payments are valid for an hour on Stellar in the mock.
pub const PAYMENT_LIFETIME: u64 = 3_600;
/// The clock when a test starts (seconds since 1970).
pub const START_TIME: u64 = 1_800_000_000;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	pub const CooperativesPalletId: PalletId = PalletId(*b"gc/coops");
}

impl pallet_registry::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type DepositPerItem = ConstU128<0>;
	type DepositPerByte = ConstU128<0>;
	type MaxNameLength = ConstU32<32>;
	type MaxEndpointLength = ConstU32<128>;
	type MaxCooperativeMembers = ConstU32<5>;
	type MaxAgreementsPerNode = ConstU32<64>;
	type MaxCooperativeFarms = ConstU32<4>;
	type FarmPayouts = ();
	type AuditorOrigin = frame_system::EnsureRoot<AccountId>;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type PalletId = CooperativesPalletId;
	type WeightInfo = ();
}

thread_local! {
	static CIRCLES: RefCell<BTreeMap<CircleId, (Vec<AccountId>, u32)>> = const { RefCell::new(BTreeMap::new()) };
	static STELLAR_KEYS: RefCell<BTreeMap<AccountId, [u8; 32]>> = const { RefCell::new(BTreeMap::new()) };
	static AGREEMENTS: RefCell<BTreeMap<ContractId, Balance>> = const { RefCell::new(BTreeMap::new()) };
	static NOW: RefCell<u64> = const { RefCell::new(START_TIME) };
}

/// A circle's treasury in the mock.
pub fn treasury(circle_id: CircleId) -> AccountId {
	let mut bytes = [0x7e; 32];
	bytes[..4].copy_from_slice(&circle_id.to_le_bytes());
	AccountId::new(bytes)
}

/// Where the mock's agreements keep their escrow.
pub fn escrow_account() -> AccountId {
	AccountId::new([0xe5; 32])
}

pub struct MockCircles;

impl MockCircles {
	pub fn create(circle_id: CircleId, members: Vec<AccountId>, threshold: u32) {
		CIRCLES.with(|circles| circles.borrow_mut().insert(circle_id, (members, threshold)));
	}
}

impl MockCircles {
	/// Sets (or with `None` removes) `who`'s Stellar key.
	pub fn set_stellar_key(who: &AccountId, key: Option<[u8; 32]>) {
		STELLAR_KEYS.with(|keys| match key {
			Some(key) => keys.borrow_mut().insert(who.clone(), key),
			None => keys.borrow_mut().remove(who),
		});
	}
}

impl Circles<AccountId> for MockCircles {
	fn exists(circle_id: CircleId) -> bool {
		CIRCLES.with(|circles| circles.borrow().contains_key(&circle_id))
	}
	fn is_member(circle_id: CircleId, who: &AccountId) -> bool {
		CIRCLES
			.with(|c| c.borrow().get(&circle_id).is_some_and(|(members, _)| members.contains(who)))
	}
	fn threshold(circle_id: CircleId) -> Option<u32> {
		CIRCLES.with(|c| c.borrow().get(&circle_id).map(|(_, threshold)| *threshold))
	}
	fn stellar_key(circle_id: CircleId, who: &AccountId) -> Option<[u8; 32]> {
		Self::is_member(circle_id, who)
			.then(|| STELLAR_KEYS.with(|keys| keys.borrow().get(who).copied()))
			.flatten()
	}
	fn stellar_keys(circle_id: CircleId) -> Vec<[u8; 32]> {
		let members = CIRCLES
			.with(|c| c.borrow().get(&circle_id).map(|(members, _)| members.clone()))
			.unwrap_or_default();
		members.iter().filter_map(|member| Self::stellar_key(circle_id, member)).collect()
	}
	fn treasury(circle_id: CircleId) -> AccountId {
		treasury(circle_id)
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_circle(member: &AccountId) -> CircleId {
		Self::create(99, vec![member.clone()], 1);
		99
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_stellar_circle(members: &[(AccountId, [u8; 32])], threshold: u32) -> CircleId {
		let circle_id = 98;
		Self::create(
			circle_id,
			members.iter().map(|(member, _)| member.clone()).collect(),
			threshold,
		);
		for (member, key) in members {
			Self::set_stellar_key(member, Some(*key));
		}
		assert_ok!(Balances::mint_into(&treasury(circle_id), TFT));
		circle_id
	}
}

/// Agreements as escrow amounts; funding mints into [`escrow_account`].
pub struct MockAgreements;

impl MockAgreements {
	pub fn create(contract_id: ContractId) {
		AGREEMENTS.with(|agreements| agreements.borrow_mut().insert(contract_id, 0));
	}
	pub fn escrow(contract_id: ContractId) -> Option<Balance> {
		AGREEMENTS.with(|agreements| agreements.borrow().get(&contract_id).copied())
	}
}

impl AgreementFunding<Balance> for MockAgreements {
	fn fund(contract_id: ContractId, amount: Balance) -> DispatchResult {
		AGREEMENTS.with(|agreements| {
			let mut agreements = agreements.borrow_mut();
			let escrow = agreements.get_mut(&contract_id).ok_or("no such agreement")?;
			Balances::mint_into(&escrow_account(), amount)?;
			*escrow += amount;
			Ok(())
		})
	}
}

impl pallet_tft_bridge::Config for Test {
	type Currency = Balances;
	type Registry = Registry;
	type Agreements = MockAgreements;
	type Circles = MockCircles;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type DepositFee = ConstU128<DEPOSIT_FEE>;
	type MaxVotesPerCall = ConstU32<4>;
	type VoteLifetime = frame_support::traits::ConstU64<VOTE_LIFETIME>;
	type WithdrawalFee = ConstU128<WITHDRAWAL_FEE>;
	type MaxSigners = ConstU32<5>;
	type MaxValidators = ConstU32<6>;
	type MaxSettledPerReport = ConstU32<3>;
	type DustLimit = ConstU128<DUST_LIMIT>;
	type UnixTime = MockClock;
	type AgreementFundingWeight = AgreementFundingWeight;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockClock;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for MockClock {
	fn set_time(seconds: u64) {
		NOW.with(|now| *now.borrow_mut() = seconds);
	}
}

parameter_types! {
	pub AgreementFundingWeight: frame_support::weights::Weight =
		frame_support::weights::Weight::from_parts(400_000_000, 6_000);
}

/// The chain's clock in the tests, in seconds; moved by [`MockClock::advance`].
pub struct MockClock;

impl MockClock {
	pub fn now() -> u64 {
		NOW.with(|now| *now.borrow())
	}
	pub fn advance(seconds: u64) {
		NOW.with(|now| *now.borrow_mut() += seconds);
	}
}

impl frame_support::traits::UnixTime for MockClock {
	fn now() -> core::time::Duration {
		core::time::Duration::from_secs(Self::now())
	}
}

pub fn alice() -> AccountId {
	Sr25519Keyring::Alice.to_account_id()
}
pub fn bob() -> AccountId {
	Sr25519Keyring::Bob.to_account_id()
}
/// The bridge circle's validators.
pub fn validator(n: u8) -> AccountId {
	AccountId::new([n; 32])
}

/// Validator `n`'s Stellar key pair.
pub fn stellar_pair(n: u8) -> sp_core::ed25519::Pair {
	use sp_core::Pair;
	sp_core::ed25519::Pair::from_seed(&[n.wrapping_add(100); 32])
}

/// The vault's Stellar account and TFT's issuer in the tests.
pub const VAULT: [u8; 32] = [0x0a; 32];
pub const ISSUER: [u8; 32] = [0x15; 32];
/// The vault's sequence when the tests start.
pub const VAULT_SEQUENCE: i64 = 1_000;

/// The tests' vault: on the standalone network, the fee 100, an hour's lifetime, validators
/// 1–4's keys as signers at 3.
pub fn vault_settings() -> VaultSettings {
	VaultSettings {
		account: VAULT,
		network_passphrase: gridchain_primitives::stellar::STANDALONE_NETWORK
			.as_bytes()
			.to_vec()
			.try_into()
			.unwrap(),
		asset_code: b"TFT".to_vec().try_into().unwrap(),
		asset_issuer: ISSUER,
		fee: 100,
		payment_lifetime: PAYMENT_LIFETIME,
		sequence: VAULT_SEQUENCE,
		signers: vault_signers(1..=4),
		threshold: 3,
	}
}

/// The Stellar keys of validators `numbers`, as the vault's signers.
pub fn vault_signers(numbers: impl IntoIterator<Item = u8>) -> VaultSigners {
	let mut keys: Vec<_> = numbers.into_iter().map(|n| stellar_pair(n).public().0).collect();
	keys.sort();
	keys.try_into().expect("at most 20")
}

/// The bridge circle in the tests: five validators, three of which agree.
pub const BRIDGE: CircleId = 3;

/// Alice is twin 1; the bridge circle is chosen; agreement 7 exists; the treasury exists.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		assert_ok!(Balances::mint_into(&alice(), 100 * TFT));
		assert_ok!(Balances::mint_into(&treasury(BRIDGE), TFT));
		assert_ok!(Balances::mint_into(&escrow_account(), TFT));
		assert_ok!(pallet_registry::Pallet::<Test>::register_twin(RuntimeOrigin::signed(alice())));
		MockCircles::create(BRIDGE, (1..=5).map(validator).collect(), 3);
		STELLAR_KEYS.with(|keys| {
			for n in 1..=4 {
				keys.borrow_mut().insert(validator(n), stellar_pair(n).public().0);
			}
		});
		MockAgreements::create(7);
		assert_ok!(Bridge::set_bridge_circle(RuntimeOrigin::root(), BRIDGE));
		assert_ok!(Bridge::set_vault(RuntimeOrigin::root(), vault_settings()));
		System::reset_events();
	});
	ext
}

/// Runs a test in [`new_test_ext`] and checks the invariants after it.
pub fn test(body: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		body();
		Bridge::do_try_state().expect("the invariants hold");
	});
}

/// The benchmarks' externalities: an empty chain at block 1, with a keystore for the
/// validators' Stellar keys.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| System::set_block_number(1));
	ext
}
