//! A test runtime with balances, the registry and the smart-contract pallet, and helpers that
//! set up a twin, a farm and a node the way users do.

use crate as pallet_smart_contract;
use crate::{
	ContractId, DeploymentSignature, NextContractId, SignatureStyle, TextOf, Workload, WorkloadKind,
};
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, Hooks},
	BoundedVec, PalletId,
};
use gridchain_primitives::grid::{PricingPolicy, Resources, GIB};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::IdentityLookup, AccountId32, BuildStorage};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = AccountId32;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Registry: pallet_registry,
		SmartContract: pallet_smart_contract,
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

impl pallet_registry::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	// The registry's deposits are tested in its own tests; here they would only shift
	// balances.
	type DepositPerItem = ConstU128<0>;
	type DepositPerByte = ConstU128<0>;
	type MaxNameLength = ConstU32<32>;
	type MaxEndpointLength = ConstU32<128>;
	type MaxCooperativeMembers = ConstU32<5>;
	type MaxAgreementsPerNode = ConstU32<64>;
	type MaxCooperativeFarms = ConstU32<4>;
	type FarmPayouts = SmartContract;
	type AuditorOrigin = frame_system::EnsureRoot<AccountId>;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type PalletId = CooperativesPalletId;
	type WeightInfo = ();
}

/// Blocks per hour in the mock: the runtime's 6-second blocks.
pub const BLOCKS_PER_HOUR: u32 = 600;
pub const GRACE_PERIOD: u64 = 100;
/// Blocks an agreement may wait for its deployment in the mock.
pub const DEPLOYMENT_TIMEOUT: u64 = 50;
/// The mock's least cost per hour: 0.001 TFT.
pub const MIN_COST_PER_HOUR: Balance = TFT / 1_000;

parameter_types! {
	pub const CooperativesPalletId: PalletId = PalletId(*b"gc/coops");
	pub const SmartContractPalletId: PalletId = PalletId(*b"gc/agree");
	pub static CheckPageSize: u32 = 4;
	pub static CheckPagesPerBlock: u32 = 8;
	pub static CheckHorizon: u64 = 10_000;
	pub static DepositPerAgreement: Balance = TFT / 10;
	pub static DepositPerByte: Balance = 1_000;
	pub static MinimumCostPerHour: Balance = MIN_COST_PER_HOUR;
}

/// The transactions the off-chain worker submits, as the tests read them back from the pool.
pub type Extrinsic = sp_runtime::testing::TestXt<RuntimeCall, ()>;

impl frame_system::offchain::SigningTypes for Test {
	type Public = sp_runtime::MultiSigner;
	type Signature = sp_runtime::MultiSignature;
}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = Extrinsic;
}

impl<LocalCall> frame_system::offchain::CreateSignedTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	fn create_signed_transaction<
		C: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>,
	>(
		call: RuntimeCall,
		public: Self::Public,
		_account: AccountId,
		nonce: <Test as frame_system::Config>::Nonce,
	) -> Option<Extrinsic> {
		// As on a real node, nothing is sent without the key in the keystore.
		C::sign(&codec::Encode::encode(&call), public)?;
		Some(Extrinsic::new_signed(call, nonce.into(), (), ()))
	}
}

impl pallet_smart_contract::Config for Test {
	type AuthorityId = crate::offchain::crypto::OperatorKey;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registry = Registry;
	type BlocksPerHour = ConstU32<BLOCKS_PER_HOUR>;
	type GracePeriod = frame_support::traits::ConstU64<GRACE_PERIOD>;
	type DeploymentTimeout = frame_support::traits::ConstU64<DEPLOYMENT_TIMEOUT>;
	type MinimumCostPerHour = MinimumCostPerHour;
	type DepositPerAgreement = DepositPerAgreement;
	type DepositPerByte = DepositPerByte;
	type MaxWorkloads = ConstU32<8>;
	type MaxWorkloadNameLength = ConstU32<32>;
	type MaxTextLength = ConstU32<128>;
	type CheckPageSize = CheckPageSize;
	type CheckPagesPerBlock = CheckPagesPerBlock;
	type CheckHorizon = CheckHorizon;
	type PalletId = SmartContractPalletId;
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
/// The farm's operator account (its off-chain worker key).
pub fn operator() -> AccountId {
	Sr25519Keyring::Ferdie.to_account_id()
}

/// The key of the farm's nodes (their ZOS identity), with which they sign their replies.
pub fn node_pair() -> sp_core::ed25519::Pair {
	sp_core::ed25519::Pair::from_string("//ZosNode", None).expect("a valid dev seed")
}

/// Every account starts with this.
pub const ENDOWMENT: Balance = 1_000_000 * TFT;

/// Alice is the user, Bob the farmer (farm 1, node 1, operator Ferdie). The node offers
/// 1 TiB SSD; storage costs 1 TFT per GiB per hour.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [alice(), bob(), charlie(), dave(), operator()]
			.into_iter()
			.map(|account| (account, ENDOWMENT))
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_smart_contract::GenesisConfig::<Test>::default()
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	// The benchmarks sign with keys they generate in a keystore.
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| {
		System::set_block_number(1);
		setup_farm();
	});
	ext
}

/// The pricing of farm 1: 1 TFT per GiB of SSD per hour, 2 per GiB memory, 3 per core, 4 per
/// GiB HDD.
pub fn farm_pricing() -> PricingPolicy<Balance> {
	PricingPolicy {
		cru_per_core_hour: 3 * TFT,
		mru_per_gib_hour: 2 * TFT,
		sru_per_gib_hour: TFT,
		hru_per_gib_hour: 4 * TFT,
	}
}

fn setup_farm() {
	use pallet_registry::Pallet as Reg;
	let signed = |account: AccountId| RuntimeOrigin::signed(account);
	Reg::<Test>::register_twin(signed(alice())).unwrap(); // twin 1
	Reg::<Test>::register_twin(signed(bob())).unwrap(); // twin 2
	Reg::<Test>::create_farm(
		signed(bob()),
		BoundedVec::try_from(b"bobs-farm".to_vec()).unwrap(),
		farm_pricing(),
		operator(),
	)
	.unwrap();
	Reg::<Test>::accept_farm_operator(signed(operator()), 1).unwrap();
	Reg::<Test>::register_node(
		signed(bob()),
		1,
		Resources { cru: 16, mru: 64 * GIB, sru: 1024 * GIB, hru: 0 },
		BoundedVec::try_from(b"http://127.0.0.1:8080".to_vec()).unwrap(),
		node_pair().public().0,
	)
	.unwrap();
}

pub fn text(value: &str) -> TextOf<Test> {
	BoundedVec::try_from(value.as_bytes().to_vec()).unwrap()
}

/// A volume workload of `gib` GiB.
pub fn volume(name: &str, gib: u64) -> Workload<Test> {
	Workload {
		name: BoundedVec::try_from(name.as_bytes().to_vec()).unwrap(),
		kind: WorkloadKind::Volume { size: gib * GIB },
		metadata: text("{\"v\":1}"),
		description: text("a volume"),
	}
}

/// The keyring pair of a dev account.
pub fn keyring_of(account: &AccountId) -> Sr25519Keyring {
	Sr25519Keyring::from_account_id(account).expect("a dev account")
}

/// Signs the deployment challenge of a new agreement as its twin would.
pub fn sign(
	signer: &AccountId,
	twin_id: u32,
	workloads: &[Workload<Test>],
	style: SignatureStyle,
) -> [u8; 64] {
	let hash = SmartContract::deployment_hash(
		twin_id,
		workloads,
		b"deployment-meta",
		b"deployment-desc",
		style,
	)
	.unwrap();
	let message = zos_client::signed_message(&hash, style.into());
	keyring_of(signer).pair().sign(&message).0
}

/// Runs the hooks of the blocks up to and including `target`.
pub fn run_to_block(target: u64) {
	while System::block_number() < target {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		SmartContract::on_initialize(next);
	}
}

/// Alice (twin 1) asks for an agreement on node 1 for `workloads`, with the texts `sign`
/// signs, `signature` and `deposit`.
pub fn create_as_alice(
	workloads: Vec<Workload<Test>>,
	signature: DeploymentSignature,
	deposit: Balance,
) -> sp_runtime::DispatchResult {
	SmartContract::create_node_contract(
		RuntimeOrigin::signed(alice()),
		1,
		workloads,
		text("deployment-meta"),
		text("deployment-desc"),
		signature,
		deposit,
	)
}

/// Alice (twin 1) makes an agreement for `workloads` with `deposit`; returns its id.
pub fn create_with(workloads: Vec<Workload<Test>>, deposit: Balance) -> ContractId {
	let signature = sign(&alice(), 1, &workloads, SignatureStyle::Raw);
	let signature = DeploymentSignature { signature, style: SignatureStyle::Raw };
	assert_ok!(create_as_alice(workloads, signature, deposit));
	NextContractId::<Test>::get() - 1
}

/// A 10 GiB volume: 10 TFT per hour at the mock farm's prices.
pub fn create_volume(deposit: Balance) -> ContractId {
	create_with(vec![volume("vol", 10)], deposit)
}
