//! A test runtime with balances, the registry and the IOU pallet. Guardian circles are a small
//! stand-in ([`MockCircles`]): this pallet reaches circles only through the `Circles` trait, and
//! a circle's origin is a signed call from the circle's own account ([`circle_origin`]).

use crate as pallet_iou;
use crate::*;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, EnsureOrigin, Hooks},
	BoundedVec, PalletId,
};
use gridchain_primitives::{
	circles::Circles,
	grid::{PricingPolicy, GIB},
};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::IdentityLookup, AccountId32, BuildStorage, MultiSignature, Permill};
use std::{cell::RefCell, collections::BTreeMap};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = AccountId32;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Registry: pallet_registry,
		Ious: pallet_iou,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

/// One TFT, in units.
pub const TFT: Balance = 10_000_000;
pub const EXISTENTIAL_DEPOSIT: Balance = TFT / 100;

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
	static CIRCLES: RefCell<BTreeMap<CircleId, Vec<AccountId>>> = const { RefCell::new(BTreeMap::new()) };
}

/// The account a circle's calls come from in the mock, and its treasury.
pub fn circle_account(circle_id: CircleId) -> AccountId {
	let mut bytes = [0xc1; 32];
	bytes[..4].copy_from_slice(&circle_id.to_le_bytes());
	AccountId::new(bytes)
}

/// A circle's treasury in the mock.
pub fn treasury(circle_id: CircleId) -> AccountId {
	let mut bytes = [0x7e; 32];
	bytes[..4].copy_from_slice(&circle_id.to_le_bytes());
	AccountId::new(bytes)
}

/// Guardian circles as a list of members per id.
pub struct MockCircles;

impl MockCircles {
	pub fn create(circle_id: CircleId, members: Vec<AccountId>) {
		CIRCLES.with(|circles| circles.borrow_mut().insert(circle_id, members));
	}
}

impl Circles<AccountId> for MockCircles {
	fn exists(circle_id: CircleId) -> bool {
		CIRCLES.with(|circles| circles.borrow().contains_key(&circle_id))
	}
	fn is_member(circle_id: CircleId, who: &AccountId) -> bool {
		CIRCLES.with(|circles| {
			circles.borrow().get(&circle_id).is_some_and(|members| members.contains(who))
		})
	}
	fn stellar_key(_: CircleId, _: &AccountId) -> Option<[u8; 32]> {
		None
	}
	fn stellar_keys(_: CircleId) -> Vec<[u8; 32]> {
		Vec::new()
	}
	fn threshold(circle_id: CircleId) -> Option<u32> {
		CIRCLES.with(|circles| circles.borrow().get(&circle_id).map(|members| members.len() as u32))
	}
	fn treasury(circle_id: CircleId) -> AccountId {
		treasury(circle_id)
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_circle(member: &AccountId) -> CircleId {
		let circle_id = 1_000 + CIRCLES.with(|circles| circles.borrow().len()) as CircleId;
		Self::create(circle_id, vec![member.clone()]);
		circle_id
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_stellar_circle(members: &[(AccountId, [u8; 32])], _: u32) -> CircleId {
		// The IOU pallet needs no Stellar keys.
		Self::benchmark_circle(&members[0].0)
	}
}

/// A circle's origin: a call signed by the circle's own account.
pub struct EnsureMockCircle;

impl EnsureOrigin<RuntimeOrigin> for EnsureMockCircle {
	type Success = CircleId;
	fn try_origin(origin: RuntimeOrigin) -> Result<CircleId, RuntimeOrigin> {
		let who = frame_system::ensure_signed(origin.clone()).map_err(|_| origin.clone())?;
		let bytes: &[u8; 32] = who.as_ref();
		let circle_id = CircleId::from_le_bytes(bytes[..4].try_into().expect("4 bytes"));
		if who == circle_account(circle_id) && MockCircles::exists(circle_id) {
			Ok(circle_id)
		} else {
			Err(origin)
		}
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<RuntimeOrigin, ()> {
		MockCircles::create(1, vec![]);
		Ok(RuntimeOrigin::signed(circle_account(1)))
	}
}

pub fn circle_origin(circle_id: CircleId) -> RuntimeOrigin {
	RuntimeOrigin::signed(circle_account(circle_id))
}

/// The mock's agendas are small so tests reach their bounds.
pub const MAX_IOUS_PER_BATCH: u32 = 16;
pub const CHANNEL_DEPOSIT: Balance = TFT / 10;

parameter_types! {
	pub static QueuePageSize: u32 = 4;
	pub static MaxSettlementsPerBlock: u32 = 6;
	pub const MaxBridgeFee: Permill = Permill::from_percent(10);
}

impl pallet_iou::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registry = Registry;
	type Circles = MockCircles;
	type CircleOrigin = EnsureMockCircle;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type MaxIousPerBatch = ConstU32<MAX_IOUS_PER_BATCH>;
	type QueuePageSize = QueuePageSize;
	type MaxSettlementsPerBlock = MaxSettlementsPerBlock;
	type MaxActiveRollups = ConstU32<2>;
	type MaxRollupsDuePerBlock = ConstU32<2>;
	type ChannelDeposit = ConstU128<CHANNEL_DEPOSIT>;
	type MinEscrowDeposit = ConstU128<TFT>;
	type MaxBridgeFee = MaxBridgeFee;
	type MinPeriod = frame_support::traits::ConstU64<2>;
	type MaxPeriod = frame_support::traits::ConstU64<1_000>;
	type WeightInfo = ();
}

pub fn alice() -> AccountId {
	Sr25519Keyring::Alice.to_account_id()
}
pub fn bob() -> AccountId {
	Sr25519Keyring::Bob.to_account_id()
}
pub fn charlie() -> AccountId {
	Sr25519Keyring::Charlie.to_account_id()
}
pub fn dave() -> AccountId {
	Sr25519Keyring::Dave.to_account_id()
}
pub fn eve() -> AccountId {
	Sr25519Keyring::Eve.to_account_id()
}
/// Farm 1's operator: the agent that signs IOUs for the farm.
pub fn operator() -> AccountId {
	Sr25519Keyring::Ferdie.to_account_id()
}

/// The bridge's circle in the tests, with Dave and Eve among its members.
pub const BRIDGE: CircleId = 7;
/// Every account starts with this.
pub const ENDOWMENT: Balance = 1_000 * TFT;

/// The bridge's policy in the tests: 2% fee, roll-up every 10 blocks, withdrawal delay 20,
/// payment period 5, 5 TFT to open a channel, 50 TFT below a score of 40.
pub fn policy() -> BridgePolicy<u64> {
	BridgePolicy {
		fee: Permill::from_percent(2),
		settlement_interval: 10,
		withdrawal_delay: 20,
		payment_period: 5,
		min_escrow: 5 * TFT,
		min_score: 40,
		low_score_escrow: 50 * TFT,
	}
}

/// Bandwidth at 1 TFT per GiB and 0.01 TFT per 1,000 requests.
pub fn bandwidth_prices() -> ServicePrices {
	BoundedVec::try_from(vec![
		CounterPrice { price: TFT, per: GIB },
		CounterPrice { price: TFT / 100, per: 1_000 },
	])
	.unwrap()
}

/// Alice and Charlie are consumers (twins 1 and 3), Bob the farmer (twin 2, farm 1, operator
/// Ferdie) offering bandwidth; bridge `BRIDGE` is registered with [`policy`].
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [alice(), bob(), charlie(), dave(), eve(), operator()]
			.into_iter()
			.map(|account| (account, ENDOWMENT))
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		setup();
	});
	ext
}

/// Runs a test in [`new_test_ext`] and checks the invariants after it.
pub fn test(body: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		body();
		Ious::do_try_state().expect("the invariants hold");
	});
}

fn setup() {
	use pallet_registry::Pallet as Reg;
	let signed = RuntimeOrigin::signed;
	assert_ok!(Reg::<Test>::register_twin(signed(alice()))); // twin 1
	assert_ok!(Reg::<Test>::register_twin(signed(bob()))); // twin 2
	assert_ok!(Reg::<Test>::register_twin(signed(charlie()))); // twin 3
	assert_ok!(Reg::<Test>::create_farm(
		signed(bob()),
		BoundedVec::try_from(b"bobs-farm".to_vec()).unwrap(),
		PricingPolicy::default(),
		operator(),
	));
	assert_ok!(Reg::<Test>::accept_farm_operator(signed(operator()), 1));
	assert_ok!(Ious::set_service(signed(bob()), 1, ServiceKind::Bandwidth, bandwidth_prices()));
	MockCircles::create(BRIDGE, vec![dave(), eve()]);
	fund_treasury(BRIDGE);
	assert_ok!(Ious::set_bridge_policy(circle_origin(BRIDGE), policy()));
	System::reset_events();
}

/// Opens a circle's treasury account with the existential deposit.
pub fn fund_treasury(circle_id: CircleId) {
	use frame_support::traits::fungible::Mutate;
	assert_ok!(Balances::mint_into(&treasury(circle_id), EXISTENTIAL_DEPOSIT));
}

/// Runs the hooks of the blocks up to and including `target`.
pub fn run_to_block(target: u64) {
	while System::block_number() < target {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Ious::on_initialize(next);
	}
}

/// The keyring pair of a dev account.
pub fn pair_of(account: &AccountId) -> sp_core::sr25519::Pair {
	Sr25519Keyring::from_account_id(account).expect("a dev account").pair()
}

/// The genesis hash IOUs of this chain are signed for.
pub fn genesis() -> sp_core::H256 {
	System::block_hash(0)
}

/// An IOU for `usage` on `channel` priced at bandwidth's prices, signed raw by `consumer`
/// and `provider`.
pub fn signed_iou(
	channel: ChannelId,
	usage: &[u64],
	sequence: u64,
	consumer: &AccountId,
	provider: &AccountId,
) -> SignedIou {
	let usage: Usage = BoundedVec::try_from(usage.to_vec()).unwrap();
	let amount = gridchain_primitives::iou::price_usage(&usage, &bandwidth_prices()).unwrap();
	sign(Iou { channel, usage, amount, sequence }, consumer, provider)
}

/// `iou` signed raw by `consumer` and `provider` for this chain.
pub fn sign(iou: Iou, consumer: &AccountId, provider: &AccountId) -> SignedIou {
	let message = iou.signed_message(&genesis());
	SignedIou {
		consumer_signature: MultiSignature::from(pair_of(consumer).sign(&message)),
		provider_signature: MultiSignature::from(pair_of(provider).sign(&message)),
		iou,
	}
}

pub fn batch(ious: Vec<SignedIou>) -> Vec<SignedIou> {
	ious
}

/// `consumer` parks `escrow` with the bridge and opens a bandwidth channel with farm 1.
pub fn open_channel_with_escrow(consumer: &AccountId, escrow: Balance) -> ChannelId {
	assert_ok!(Ious::deposit_escrow(RuntimeOrigin::signed(consumer.clone()), BRIDGE, escrow));
	let channel = NextChannelId::<Test>::get();
	assert_ok!(Ious::open_channel(
		RuntimeOrigin::signed(consumer.clone()),
		BRIDGE,
		1,
		ServiceKind::Bandwidth
	));
	channel
}

/// What everyone involved has: free and held balances of every account of the tests, and
/// the treasury's. Their sum never changes.
pub fn total_of_everyone() -> Balance {
	use frame_support::traits::fungible::Inspect;
	[alice(), bob(), charlie(), dave(), eve(), operator(), treasury(BRIDGE)]
		.iter()
		.map(Balances::total_balance)
		.sum()
}

/// The benchmarks' externalities: an empty chain at block 1, with a keystore to sign IOUs.
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
