//! The records of an agreement: its terms (fixed at creation), its billing record (what the
//! block hooks and every settlement touch), and the farms' earnings ledgers.
//!
//! Amounts that accrue per block are kept in *fine units*: one currency unit is
//! [`crate::Pallet::fine_units_per_unit`] fine units (bytes per GiB × blocks per hour), so a
//! price per GiB-hour is an exact whole number of fine units per byte-block and no rounding
//! happens while agreements run. Rounding happens only when fine units become currency units,
//! in the places the billing module documents.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use frame_system::pallet_prelude::BlockNumberFor;
use gridchain_primitives::grid::{FarmId, NodeId, Resources, TwinId};
use scale_info::TypeInfo;

/// A balance of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as frame_support::traits::fungible::Inspect<
	<T as frame_system::Config>::AccountId,
>>::Balance;

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
	/// The farm did not deploy it within the deployment timeout; refunded in full.
	NotDeployed,
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
	/// Running on the node and billed.
	Deployed,
	/// The escrow ran out: the workloads are paused on ZOS and the debt grows at the
	/// agreement's rate; a top-up that covers the debt and an hour more restores it until
	/// `ends_at`.
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

/// What an agreement fixed at creation and never changes: what runs, what the twin signed,
/// and what it reserves. Read to deploy, to answer ZOS and to release the capacity; never by
/// billing.
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
pub struct Terms<T: Config> {
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
}

/// Where an agreement sits in the depletion index: a block and a page of it.
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
pub struct CheckSlot<BlockNumber> {
	/// The block whose hook looks at the agreement.
	pub at: BlockNumber,
	/// The page of that block's checks that lists it.
	pub page: u32,
}

/// The small record of an agreement that billing reads and writes: everything the block hooks,
/// settlements and top-ups need, and nothing else.
///
/// Its escrow is not updated as blocks pass: it is `escrow` at block `since`, and while the
/// agreement is deployed it shrinks by `rate` fine units per block from there; in the grace
/// period its debt grows by `rate` per block from `debt` at `since`.
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
	/// The twin's account: it funded the escrow, holds the storage deposit and gets refunds.
	pub owner: T::AccountId,
	/// The twin that made the agreement; unpaid debt is recorded against it.
	pub twin_id: TwinId,
	/// The node that runs the workloads.
	pub node_id: NodeId,
	/// The node's farm, which earns what the agreement costs.
	pub farm_id: FarmId,
	/// The price, fixed at creation: fine units per block.
	pub rate: u128,
	/// Where the agreement is in its life.
	pub state: ContractState<T>,
	/// Funds held for the agreement at block `since`, in fine units.
	pub escrow: u128,
	/// Unpaid cost at block `since`, in fine units (only in the grace period).
	pub debt: u128,
	/// The block `escrow`, `debt` and `billed_blocks` were last brought up to.
	pub since: BlockNumberFor<T>,
	/// Blocks billed before `since`.
	pub billed_blocks: u64,
	/// Everything the owner paid in (deposit and top-ups), in fine units.
	pub paid_in: u128,
	/// The storage deposit held on the owner's account until the agreement is removed.
	pub storage_deposit: BalanceOf<T>,
	/// Where the depletion index lists the agreement.
	pub next_check: Option<CheckSlot<BlockNumberFor<T>>>,
}

/// A farm's earnings from all its agreements: what accrued and not paid out, and the rate at
/// which it grows. The rate changes only when an agreement of the farm starts, stops, runs out
/// or is restored, so paying a farm costs the same whatever number of agreements it has.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct FarmLedger<BlockNumber> {
	/// The sum of the rates of the farm's deployed agreements: fine units per block.
	pub rate: u128,
	/// The block `accrued` was brought up to.
	pub updated_at: BlockNumber,
	/// Earned and not paid out at `updated_at`, in fine units.
	pub accrued: u128,
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
	/// Pause the workloads (the escrow ran out: grace period).
	Pause,
	/// Resume paused workloads (a top-up restored the agreement).
	Resume,
}

/// What a user sees of an agreement's money now (the `SmartContractApi`).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct EscrowView<Balance, BlockNumber> {
	/// Funds held for the agreement now (rounded down).
	pub escrow: Balance,
	/// What it owes now, in the grace period (rounded up).
	pub debt: Balance,
	/// What it has cost since it was deployed (rounded down).
	pub cost_so_far: Balance,
	/// What it costs per hour.
	pub cost_per_hour: Balance,
	/// The block its escrow runs out, if it is billed and has not run out.
	pub runs_out_at: Option<BlockNumber>,
}

/// The challenge a twin signs to make an agreement (the `SmartContractApi`).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct ChallengeView {
	/// The ZOS deployment challenge hash: 32 lowercase hex characters. (Not named `hash`:
	/// polkadot.js gives every struct a `hash` of its own.)
	pub challenge_hash: [u8; 32],
	/// The exact bytes a `Raw` signature signs (the 16 bytes of the hash); a `PolkaWallet`
	/// signature signs `<Bytes>` + the 32 hex characters + `</Bytes>`, which is what wallets
	/// (polkadot.js Sign and verify) sign when given the hex characters.
	pub raw_message: alloc::vec::Vec<u8>,
}

/// A workload as a runtime API takes it (unbounded; checked against the pallet's bounds).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct WorkloadArgument {
	/// Letters, digits and '_'.
	pub name: alloc::vec::Vec<u8>,
	/// What it is.
	pub kind: WorkloadKind,
	/// Free text for the owner's tools.
	pub metadata: alloc::vec::Vec<u8>,
	/// Free text for people.
	pub description: alloc::vec::Vec<u8>,
}
