//! The records of an agreement: its workloads, its state, and its billing.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_registry::{BalanceOf, FarmId, NodeId, PricingPolicy, Resources, TwinId, GIB};
use scale_info::TypeInfo;
use sp_runtime::traits::UniqueSaturatedInto;

/// An agreement's id.
pub type ContractId = u64;

/// A workload's name: `^[a-zA-Z0-9_]+$`, unique within the agreement.
pub type WorkloadNameOf<T> = BoundedVec<u8, <T as Config>::MaxWorkloadNameLength>;
/// Free text of a workload or deployment (UTF-8).
pub type TextOf<T> = BoundedVec<u8, <T as Config>::MaxTextLength>;
/// The workloads of an agreement.
pub type WorkloadsOf<T> = BoundedVec<Workload<T>, <T as Config>::MaxWorkloads>;
/// Why ZOS refused a deployment, as ZOS said it (UTF-8, truncated to the bound).
pub type FailureReasonOf<T> = BoundedVec<u8, <T as Config>::MaxTextLength>;

/// What a workload is. ZOS workload types beyond `volume` can follow as new variants.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum WorkloadKind {
	/// A ZOS volume: SSD storage of `size` bytes.
	Volume {
		/// Bytes; more than zero.
		size: u64,
	},
}

impl WorkloadKind {
	/// What the workload reserves of a node.
	pub fn resources(&self) -> Resources {
		match self {
			WorkloadKind::Volume { size } => Resources { sru: *size, ..Default::default() },
		}
	}
}

/// One workload of an agreement, with the fields ZOS includes in the deployment challenge.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Workload<T: Config> {
	/// Unique within the agreement: letters, digits and '_'.
	pub name: WorkloadNameOf<T>,
	/// What it is.
	pub kind: WorkloadKind,
	/// Free text for the owner's tools.
	pub metadata: TextOf<T>,
	/// Free text for people.
	pub description: TextOf<T>,
}

/// What a signature over the deployment challenge hash signs.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum SignatureStyle {
	/// The 16 raw bytes of the hash (ZOS style `""`).
	Raw,
	/// `<Bytes>` + 32 hex characters + `</Bytes>`, as browser wallets sign (ZOS style
	/// `"polka-wallet"`).
	PolkaWallet,
}

/// The twin's signature over the deployment challenge hash, and what exactly it signs.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct DeploymentSignature {
	/// An sr25519 signature (signing context `substrate`) by the twin's key.
	pub signature: [u8; 64],
	/// What it signs.
	pub style: SignatureStyle,
}

impl From<SignatureStyle> for zos_client::SignatureStyle {
	fn from(style: SignatureStyle) -> Self {
		match style {
			SignatureStyle::Raw => zos_client::SignatureStyle::Raw,
			SignatureStyle::PolkaWallet => zos_client::SignatureStyle::PolkaWallet,
		}
	}
}

/// Why an agreement was cancelled.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum CancelCause {
	/// The owning twin cancelled it.
	ByUser,
	/// Its escrow ran out and was not topped up within the grace period.
	OutOfFunds,
}

/// Where a stored agreement is in its life. A failed or deleted agreement is removed from
/// storage; its `ContractFailed` or `ContractDeleted` event is the record.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub enum ContractState<T: Config> {
	/// Funded, waiting for the farm to deploy it. Nothing is billed.
	Created,
	/// Running on the node; billed from `since`.
	Deployed,
	/// The escrow ran out; a top-up that covers the debt restores it until `ends_at`.
	GracePeriod {
		/// The block at which, without a top-up, it is cancelled.
		ends_at: BlockNumberFor<T>,
	},
	/// Ended; waiting for the farm to confirm ZOS removed the workloads.
	Cancelled {
		/// Why it ended.
		cause: CancelCause,
	},
}

impl<T: Config> ContractState<T> {
	/// Whether the agreement has not ended: its owner may still top it up or cancel it.
	pub fn is_open(&self) -> bool {
		matches!(
			self,
			ContractState::Created | ContractState::Deployed | ContractState::GracePeriod { .. }
		)
	}

	/// Whether the agreement is billed (its cost accrues).
	pub fn is_billed(&self) -> bool {
		matches!(self, ContractState::Deployed | ContractState::GracePeriod { .. })
	}
}

/// The price of an agreement, fixed when it is made: what its resources cost per hour at the
/// farm's pricing policy of that moment, as an exact fraction of currency units per block.
///
/// Cost over `n` blocks is `floor(numerator * n / denominator)`. Billing always charges the
/// cumulative cost since billing started minus what was already charged, so no unit is created
/// or lost by rounding, however often an agreement is settled.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Rate {
	/// Units x bytes per hour (CPU cores count as a GiB each).
	pub numerator: u128,
	/// Bytes per GiB x blocks per hour.
	pub denominator: u128,
}

impl Rate {
	/// The rate of `resources` at `pricing`, with `blocks_per_hour` blocks in an hour. `None` if
	/// it overflows.
	pub fn new<Balance: UniqueSaturatedInto<u128> + Copy>(
		resources: &Resources,
		pricing: &PricingPolicy<Balance>,
		blocks_per_hour: u32,
	) -> Option<Self> {
		let gib = u128::from(GIB);
		let part = |amount: u64, price: Balance| {
			u128::from(amount).checked_mul(price.unique_saturated_into())
		};
		let numerator = part(resources.cru, pricing.cru_per_core_hour)?
			.checked_mul(gib)?
			.checked_add(part(resources.mru, pricing.mru_per_gib_hour)?)?
			.checked_add(part(resources.sru, pricing.sru_per_gib_hour)?)?
			.checked_add(part(resources.hru, pricing.hru_per_gib_hour)?)?;
		let denominator = gib.checked_mul(u128::from(blocks_per_hour.max(1)))?;
		Some(Self { numerator, denominator })
	}

	/// The cost of `blocks` blocks, rounded down; saturates at `u128::MAX`.
	pub fn cost_of(&self, blocks: u128) -> u128 {
		// numerator * blocks / denominator without intermediate overflow for realistic values:
		// split blocks into whole hours' worth of denominators and the rest.
		let quotient = blocks / self.denominator;
		let remainder = blocks % self.denominator;
		self.numerator
			.saturating_mul(quotient)
			.saturating_add(self.numerator.saturating_mul(remainder) / self.denominator)
	}

	/// The first number of blocks whose cost exceeds `budget`, or `None` if it never does
	/// (a free agreement) or the number does not fit.
	pub fn blocks_until_cost_exceeds(&self, budget: u128) -> Option<u128> {
		if self.numerator == 0 {
			return None;
		}
		// Smallest n with floor(num * n / den) >= budget + 1, i.e. num * n >= (budget + 1) * den.
		let target = budget.checked_add(1)?.checked_mul(self.denominator)?;
		Some(target.div_ceil(self.numerator))
	}
}

/// An agreement between a twin and a node of a farm.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Contract<T: Config> {
	/// The twin that made the agreement and pays for it.
	pub twin_id: TwinId,
	/// The twin's account, whose funds are held in escrow.
	pub owner: T::AccountId,
	/// The node that runs the workloads.
	pub node_id: NodeId,
	/// The node's farm, which gets paid.
	pub farm_id: FarmId,
	/// What runs.
	pub workloads: WorkloadsOf<T>,
	/// The deployment's metadata, part of the challenge.
	pub metadata: TextOf<T>,
	/// The deployment's description, part of the challenge.
	pub description: TextOf<T>,
	/// The ZOS deployment challenge hash: 32 lowercase hex characters.
	pub deployment_hash: [u8; 32],
	/// The twin's signature over the challenge, which ZOS checks before it deploys.
	pub signature: DeploymentSignature,
	/// What the workloads reserve on the node.
	pub resources: Resources,
	/// The price, fixed at creation.
	pub rate: Rate,
	/// Where the agreement is in its life.
	pub state: ContractState<T>,
	/// Funds held for the agreement and not yet paid out.
	pub escrow: BalanceOf<T>,
	/// The block billing started (the deployment was confirmed).
	pub billing_since: Option<BlockNumberFor<T>>,
	/// The block the agreement was last settled.
	pub last_settled: BlockNumberFor<T>,
	/// What has been charged since billing started: paid to the farm, or owed as debt.
	pub charged: u128,
	/// Of `charged`, what the escrow could not cover.
	pub debt: u128,
	/// The block at which the depletion index will look at this agreement next.
	pub next_check: Option<BlockNumberFor<T>>,
}

/// What a farm's off-chain worker has to do for an agreement.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum PendingAction {
	/// Deploy the workloads on the node and report the outcome (after `Created`).
	Deploy,
	/// Remove the workloads from the node and report it (after `Cancelled`).
	Delete,
}
