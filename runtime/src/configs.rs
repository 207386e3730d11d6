//! The configuration of each pallet in the runtime.

use crate::{
	token, AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash, Moment, Nonce, PalletInfo,
	Registry, Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason,
	RuntimeOrigin, RuntimeTask, SmartContract, System, DAYS, HOURS, MINUTES, SLOT_DURATION,
	SS58_PREFIX, VERSION,
};
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU16, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		ConstantMultiplier, Weight, WeightToFeeCoefficient, WeightToFeeCoefficients,
		WeightToFeePolynomial,
	},
	PalletId,
};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use smallvec::smallvec;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{traits::One, Perbill};
use sp_version::RuntimeVersion;

/// Normal (user) transactions may fill up to this share of a block; the rest is kept for
/// operational transactions and the pallets' own block hooks.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// The largest block in bytes.
const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	/// Two seconds of compute per six-second block leave room for import on slower validators.
	pub RuntimeBlockWeights: frame_system::limits::BlockWeights =
		frame_system::limits::BlockWeights::with_sensible_defaults(
			Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
			NORMAL_DISPATCH_RATIO,
		);
	/// 5 MiB per block, of which user transactions may fill the normal share.
	pub RuntimeBlockLength: frame_system::limits::BlockLength =
		frame_system::limits::BlockLength::builder()
			.max_length(MAX_BLOCK_LENGTH)
			.modify_max_length_for_class(DispatchClass::Normal, |max| {
				*max = NORMAL_DISPATCH_RATIO * *max
			})
			.build();
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node stores its state in ParityDB.
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = ConstU16<SS58_PREFIX>;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	// No equivocation reporting yet: validators are a fixed, known set.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_authorship::Config for Runtime {
	/// The author of a block: the validator at the index of its Aura slot.
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Runtime, Aura>;
	type EventHandler = crate::Validators;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	/// Sessions last as long as the validators pallet says (the chain's genesis, the council).
	type ShouldEndSession = crate::Validators;
	type NextSessionRotation = crate::Validators;
	type SessionManager = crate::Validators;
	type SessionHandler =
		<crate::SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = crate::SessionKeys;
	/// No validator is disabled within a session: the validators pallet drops the idle ones
	/// at its end.
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// Anyone may register keys, which stores three records (the keys, and an owner entry
	/// per key; about 200 bytes, some 0.12 TFT at the registry's rates): 1 TFT is held
	/// until `purgeKeys`, so filling storage with keys costs what it takes.
	type KeyDeposit = ConstU128<{ token::TFT }>;
}

impl pallet_validators::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// 1,000 TFT held while an application waits: filling the 64 places to keep other
	/// farmers out locks 64,000 TFT.
	type ApplicationDeposit = ConstU128<{ 1_000 * token::TFT }>;
	type Farmers = pallet_registry::Farmers<Runtime>;
	type KeysRegistered = crate::Session;
	/// The circle that holds the validator-admission role, chosen by the council.
	type AdmissionOrigin = pallet_guardian::EnsureRole<Runtime, ValidatorAdmissionRole>;
	type GovernanceOrigin = Governance;
	/// As many as Aura and GRANDPA take.
	type MaxValidators = ConstU32<32>;
	type MaxApplications = ConstU32<64>;
	/// A validator that authored nothing in three sessions in a row is dropped.
	type OfflineSessions = ConstU32<3>;
	/// Sessions of 5 blocks (30 s) at least, for development chains; 30 days at most.
	type MinSessionLength = ConstU32<5>;
	type MaxSessionLength = ConstU32<{ 30 * DAYS }>;
	type WeightInfo = pallet_validators::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ValidatorsBenchmarkHelper;
}

/// Benchmarks make farmers (a twin, a farm, a node, as the registry's benchmarks make them)
/// with session keys.
#[cfg(feature = "runtime-benchmarks")]
pub struct ValidatorsBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_validators::BenchmarkHelper<AccountId> for ValidatorsBenchmarkHelper {
	fn farmer_with_keys(who: &AccountId) {
		use codec::Encode;
		use gridchain_primitives::grid::GridRegistry;
		let pricing = pallet_registry::PricingPolicy {
			cru_per_core_hour: token::TFT,
			mru_per_gib_hour: token::TFT,
			sru_per_gib_hour: token::TFT,
			hru_per_gib_hour: token::TFT,
		};
		<Registry as GridRegistry<AccountId, Balance>>::benchmark_node(
			who,
			who,
			pricing,
			pallet_registry::Resources::default(),
		);
		// Any keys will do, each validator's own (pallet-session refuses a key used twice).
		let key =
			<sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(&who.encode()).0;
		let keys = crate::SessionKeys {
			aura: sp_core::sr25519::Public::from_raw(key).into(),
			grandpa: sp_core::ed25519::Public::from_raw(key).into(),
		};
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}
}

impl pallet_timestamp::Config for Runtime {
	type Moment = Moment;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_balances::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type Balance = Balance;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<{ token::EXISTENTIAL_DEPOSIT }>;
	type AccountStore = System;
	type ReserveIdentifier = [u8; 8];
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type DoneSlashHandler = ();
}

/// Converts a transaction's compute weight into its fee: one unit (10^-7 TFT) per nanosecond of
/// reference compute time, so a balance transfer costs about 0.015 TFT.
pub struct WeightToFee;

impl WeightToFeePolynomial for WeightToFee {
	type Balance = Balance;

	fn polynomial() -> WeightToFeeCoefficients<Self::Balance> {
		// Weight's ref_time is in picoseconds: 1/1000 of it is nanoseconds.
		smallvec![WeightToFeeCoefficient {
			coeff_integer: 0,
			coeff_frac: Perbill::from_rational(1u32, 1_000u32),
			negative: false,
			degree: 1,
		}]
	}
}

parameter_types! {
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Fees are burned for now; the treasury of a guardian circle will receive them later.
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = WeightToFee;
	/// Ten units per byte of transaction.
	type LengthToFee = ConstantMultiplier<Balance, ConstU128<10>>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_registry::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// 0.1 TFT per twin, farm, node or cooperative plus 0.0001 TFT per byte it stores,
	/// returned when it is removed.
	type DepositPerItem = ConstU128<{ token::TFT / 10 }>;
	type DepositPerByte = ConstU128<{ token::TFT / 10_000 }>;
	type MaxNameLength = ConstU32<64>;
	type MaxEndpointLength = ConstU32<256>;
	type MaxCooperativeMembers = ConstU32<32>;
	type MaxAgreementsPerNode = ConstU32<1024>;
	type MaxCooperativeFarms = ConstU32<64>;
	type FarmPayouts = SmartContract;
	/// The auditor circle, chosen by the council.
	type AuditorOrigin = pallet_guardian::EnsureRole<Runtime, AuditorRole>;
	type GovernanceOrigin = Governance;
	type PalletId = CooperativesPalletId;
	type WeightInfo = pallet_registry::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub const CooperativesPalletId: PalletId = PalletId(*b"gc/coops");
	pub const SmartContractPalletId: PalletId = PalletId(*b"gc/agree");
}

impl pallet_smart_contract::Config for Runtime {
	type AuthorityId = pallet_smart_contract::offchain::crypto::OperatorKey;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registry = Registry;
	type BlocksPerHour = ConstU32<HOURS>;
	/// A day to top up an agreement whose escrow ran out.
	type GracePeriod = ConstU32<DAYS>;
	/// An hour for the farm to deploy; then the agreement is cancelled and refunded.
	type DeploymentTimeout = ConstU32<HOURS>;
	/// 0.001 TFT an hour at least: nothing is free, so everything runs out some day.
	type MinimumCostPerHour = ConstU128<{ token::TFT / 1_000 }>;
	/// 0.1 TFT per agreement plus 0.0001 TFT per byte of its records, returned on removal.
	type DepositPerAgreement = ConstU128<{ token::TFT / 10 }>;
	type DepositPerByte = ConstU128<{ token::TFT / 10_000 }>;
	type MaxWorkloads = ConstU32<16>;
	type MaxWorkloadNameLength = ConstU32<64>;
	type MaxTextLength = ConstU32<1024>;
	/// 64 agreements a page, 4 pages a block: up to 256 agreements looked at per block.
	type CheckPageSize = ConstU32<64>;
	type CheckPagesPerBlock = ConstU32<4>;
	/// Escrows that last longer than 30 days are looked at again every 30 days.
	type CheckHorizon = ConstU32<{ 30 * DAYS }>;
	type PalletId = SmartContractPalletId;
	type WeightInfo = pallet_smart_contract::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub const GuardianPalletId: PalletId = PalletId(*b"gc/guard");
	pub const CouncilRole: pallet_guardian::Role = pallet_guardian::Role::Council;
	pub const AuditorRole: pallet_guardian::Role = pallet_guardian::Role::Auditor;
	pub const ValidatorAdmissionRole: pallet_guardian::Role =
		pallet_guardian::Role::ValidatorAdmission;
	/// A proposal's call may take up to half a block.
	pub GuardianMaxCallWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
	/// A block's initialization executes approved calls up to half a block (at least one).
	pub GuardianExecutionWeight: Weight =
		Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

/// The council: the circle that holds the runtime's root-level powers (no sudo).
pub type Council = pallet_guardian::EnsureRole<Runtime, CouncilRole>;

/// The council, or root (which only the council's proposals dispatch as).
pub type Governance =
	frame_support::traits::EitherOfDiverse<frame_system::EnsureRoot<AccountId>, Council>;

impl pallet_guardian::Config for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type CircleOrigin = pallet_guardian::EnsureCircle<Runtime>;
	type RoleOrigin = Governance;
	type PalletId = GuardianPalletId;
	type MinMembers = ConstU32<9>;
	type MaxMembers = ConstU32<99>;
	type MaxNameLength = ConstU32<64>;
	type MaxKeysPerMember = ConstU32<4>;
	type MaxCallLength = ConstU32<4096>;
	type MaxCallWeight = GuardianMaxCallWeight;
	type MaxOpenProposals = ConstU32<16>;
	type MaxDuePerBlock = ConstU32<32>;
	type MaxExecutionWeightPerBlock = GuardianExecutionWeight;
	/// A minute at least to vote; 30 days at most, and at most 30 days' delay.
	type MinVotingPeriod = ConstU32<10>;
	type MaxVotingPeriod = ConstU32<{ 30 * DAYS }>;
	/// 10 TFT for a circle of up to 99 members with their keys (about 20 KiB at the
	/// registry's 0.0001 TFT per byte, rounded up), returned when it dissolves.
	type CircleDeposit = ConstU128<{ 10 * token::TFT }>;
	/// 1 TFT per proposal plus 0.0001 TFT per byte of its call, returned when it ends.
	type ProposalDeposit = ConstU128<{ token::TFT }>;
	type ProposalDepositPerByte = ConstU128<{ token::TFT / 10_000 }>;
	type WeightInfo = pallet_guardian::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// A bridge takes at most 10% of what it settles.
	pub const MaxIouBridgeFee: sp_runtime::Permill = sp_runtime::Permill::from_percent(10);
}

impl pallet_iou::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registry = Registry;
	type Circles = crate::Guardian;
	type CircleOrigin = pallet_guardian::EnsureCircle<Runtime>;
	type GovernanceOrigin = Governance;
	type MaxIousPerBatch = ConstU32<512>;
	/// 256 channel ids (2 KiB) per page of a settlement queue.
	type QueuePageSize = ConstU32<256>;
	/// The goal of issue 10: 2,000 channels settled per block (see docs/iou.md for what that
	/// costs).
	type MaxSettlementsPerBlock = ConstU32<2_000>;
	type MaxActiveRollups = ConstU32<64>;
	type MaxRollupsDuePerBlock = ConstU32<64>;
	/// A channel's record is at most about 420 bytes: 0.1 TFT, returned when it closes.
	type ChannelDeposit = ConstU128<{ token::TFT / 10 }>;
	type MinEscrowDeposit = ConstU128<{ token::TFT }>;
	type MaxBridgeFee = MaxIouBridgeFee;
	/// Roll-ups and payment periods of a minute at least, 30 days at most.
	type MinPeriod = ConstU32<{ MINUTES }>;
	type MaxPeriod = ConstU32<{ 30 * DAYS }>;
	type WeightInfo = pallet_iou::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// A deposit may fund an agreement: charged as a top-up, refunded when it does not.
	pub TftBridgeFundingWeight: Weight =
		<pallet_smart_contract::weights::SubstrateWeight<Runtime> as pallet_smart_contract::WeightInfo>::top_up();
}

impl pallet_tft_bridge::Config for Runtime {
	type Currency = Balances;
	type Registry = Registry;
	type Agreements = SmartContract;
	type Circles = crate::Guardian;
	type GovernanceOrigin = Governance;
	/// 1 TFT from each deposit and each withdrawal to the bridge circle's treasury (as the
	/// bridge we replace charged).
	type DepositFee = ConstU128<{ token::TFT }>;
	type WithdrawalFee = ConstU128<{ token::TFT }>;
	/// Deposits under 0.1 TFT are kept by the vault rather than refunded.
	type DustLimit = ConstU128<{ token::TFT / 10 }>;
	type MaxVotesPerCall = ConstU32<100>;
	/// Stellar takes at most 20 signatures on a transaction (and 20 signers on an account).
	type MaxSigners = ConstU32<20>;
	type MaxValidators = ConstU32<32>;
	/// A relay reports the payments Stellar applied in one block; one report settles up to 16.
	type MaxSettledPerReport = ConstU32<16>;
	type VoteLifetime = ConstU32<{ DAYS }>;
	/// The chain's clock: a payment's envelope is valid for the vault's payment lifetime after
	/// the chain fixes it.
	type UnixTime = crate::Timestamp;
	type AgreementFundingWeight = TftBridgeFundingWeight;
	type WeightInfo = pallet_tft_bridge::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TimestampBenchmarkHelper;
}

/// Benchmarks set the timestamp the bridge's time bounds come from.
#[cfg(feature = "runtime-benchmarks")]
pub struct TimestampBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_tft_bridge::BenchmarkHelper for TimestampBenchmarkHelper {
	fn set_time(seconds: u64) {
		pallet_timestamp::Now::<Runtime>::put(seconds.saturating_mul(1_000));
	}
}

// Transactions the runtime creates itself: the farm operators' deployment reports, signed by
// the off-chain worker with the operator's `zos!` key.

impl frame_system::offchain::SigningTypes for Runtime {
	type Public = <crate::Signature as sp_runtime::traits::Verify>::Signer;
	type Signature = crate::Signature;
}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extrinsic = crate::UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<LocalCall> frame_system::offchain::CreateSignedTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	fn create_signed_transaction<
		C: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>,
	>(
		call: RuntimeCall,
		public: Self::Public,
		account: AccountId,
		nonce: Nonce,
	) -> Option<crate::UncheckedExtrinsic> {
		use sp_runtime::{generic::Era, SaturatedConversion};
		// Valid for about half of BlockHashCount blocks from the parent block, like a wallet's
		// transaction; the report is sent again if it is not included by then.
		let period = BlockHashCount::get().checked_next_power_of_two().map(|c| c / 2).unwrap_or(2);
		let current = System::block_number().saturated_into::<u64>().saturating_sub(1);
		let extension: crate::TxExtension = (
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(Era::mortal(period.into(), current)),
			frame_system::CheckNonce::<Runtime>::from(nonce),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
			frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
			frame_system::WeightReclaim::<Runtime>::new(),
		);
		let payload = crate::SignedPayload::new(call, extension)
			.map_err(|error| log::warn!("cannot make a signed payload: {error:?}"))
			.ok()?;
		let signature = codec::Encode::using_encoded(&payload, |bytes| C::sign(bytes, public))?;
		let (call, extension, _) = payload.deconstruct();
		Some(crate::UncheckedExtrinsic::new_signed(
			call,
			sp_runtime::MultiAddress::Id(account),
			signature,
			extension,
		))
	}
}
