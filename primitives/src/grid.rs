//! The grid's shared vocabulary: ids, resources, prices, and the two traits through which the
//! registry and the agreements pallet reach each other (each rule has one owner: the registry
//! owns who is who and what nodes offer, the agreements pallet owns money and agreements).

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::DispatchResult;
use sp_runtime::Weight;

/// A twin's id. ZOS identifies deployment owners by this number.
pub type TwinId = u32;
/// A farm's id.
pub type FarmId = u32;
/// A node's id.
pub type NodeId = u32;
/// A cooperative's id.
pub type CooperativeId = u32;
/// A node's own identity: the ed25519 public key a ZOS node signs its messages with.
pub type NodeKey = [u8; 32];

/// Bytes in a GiB: ZOS counts sizes in bytes and a gigabyte is 1024^3.
pub const GIB: u64 = 1024 * 1024 * 1024;

/// Compute and storage resources of a node, or what workloads use of them.
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
	Serialize,
	Deserialize,
)]
pub struct Resources {
	/// CPU cores.
	pub cru: u64,
	/// Memory, bytes.
	pub mru: u64,
	/// SSD storage, bytes.
	pub sru: u64,
	/// HDD storage, bytes.
	pub hru: u64,
}

impl Resources {
	/// The sum, or `None` if any part overflows.
	pub fn checked_add(&self, other: &Self) -> Option<Self> {
		Some(Self {
			cru: self.cru.checked_add(other.cru)?,
			mru: self.mru.checked_add(other.mru)?,
			sru: self.sru.checked_add(other.sru)?,
			hru: self.hru.checked_add(other.hru)?,
		})
	}

	/// The difference, each part floored at zero.
	pub fn saturating_sub(&self, other: &Self) -> Self {
		Self {
			cru: self.cru.saturating_sub(other.cru),
			mru: self.mru.saturating_sub(other.mru),
			sru: self.sru.saturating_sub(other.sru),
			hru: self.hru.saturating_sub(other.hru),
		}
	}

	/// Whether every part is at most the same part of `limit`.
	pub fn fits_within(&self, limit: &Self) -> bool {
		self.cru <= limit.cru
			&& self.mru <= limit.mru
			&& self.sru <= limit.sru
			&& self.hru <= limit.hru
	}

	/// Whether every part is zero.
	pub fn is_zero(&self) -> bool {
		*self == Self::default()
	}
}

/// A farm's prices, in the smallest currency unit per hour. A changed policy applies to new
/// agreements only: an agreement keeps the price it was made at.
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
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct PricingPolicy<Balance> {
	/// Per CPU core per hour.
	pub cru_per_core_hour: Balance,
	/// Per GiB of memory per hour.
	pub mru_per_gib_hour: Balance,
	/// Per GiB of SSD storage per hour.
	pub sru_per_gib_hour: Balance,
	/// Per GiB of HDD storage per hour.
	pub hru_per_gib_hour: Balance,
}

/// The lowest and highest prices the council allows in farms' pricing policies, per unit.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct PriceBounds<Balance> {
	/// The lowest price of each unit.
	pub min: PricingPolicy<Balance>,
	/// The highest price of each unit.
	pub max: PricingPolicy<Balance>,
}

impl<Balance: PartialOrd + Copy> PriceBounds<Balance> {
	/// Whether every price of `pricing` is within the bounds.
	pub fn allow(&self, pricing: &PricingPolicy<Balance>) -> bool {
		let within = |price: Balance, min: Balance, max: Balance| min <= price && price <= max;
		within(pricing.cru_per_core_hour, self.min.cru_per_core_hour, self.max.cru_per_core_hour)
			&& within(
				pricing.mru_per_gib_hour,
				self.min.mru_per_gib_hour,
				self.max.mru_per_gib_hour,
			) && within(pricing.sru_per_gib_hour, self.min.sru_per_gib_hour, self.max.sru_per_gib_hour)
			&& within(
				pricing.hru_per_gib_hour,
				self.min.hru_per_gib_hour,
				self.max.hru_per_gib_hour,
			)
	}
}

/// What the agreements pallet needs to know about a node.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NodeInfo {
	/// The farm the node belongs to.
	pub farm_id: FarmId,
	/// What the node offers.
	pub capacity: Resources,
	/// What live agreements reserved of it.
	pub reserved: Resources,
	/// How many agreements hold a reservation on it.
	pub live_agreements: u32,
	/// Suspended by the auditors: no new agreements on it (live ones keep running).
	pub suspended: bool,
}

/// How to reach a node and know that it is the node answering.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NodeContact {
	/// The URL of the node's ZOS API.
	pub endpoint: Vec<u8>,
	/// The key the node signs its replies with.
	pub public_key: NodeKey,
}

impl NodeInfo {
	/// What the node can still promise.
	pub fn free_capacity(&self) -> Resources {
		self.capacity.saturating_sub(&self.reserved)
	}
}

/// Who receives a farm's earnings right now.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Payee<AccountId> {
	/// The account paid: the farm owner's, or its cooperative's own account.
	pub account: AccountId,
	/// The cooperative, when the farm belongs to one: its members draw from its account, so
	/// the registry records each payment.
	pub cooperative: Option<CooperativeId>,
}

/// The registry as other pallets see it: twins, farms, nodes and their capacity, operators and
/// payees. Implemented by `pallet-registry`.
pub trait GridRegistry<AccountId, Balance> {
	/// The twin of an account.
	fn twin_of(account: &AccountId) -> Option<TwinId>;
	/// The account (and public key) of a twin.
	fn twin_account(twin_id: TwinId) -> Option<AccountId>;
	/// A node's farm and capacity.
	fn node(node_id: NodeId) -> Option<NodeInfo>;
	/// The URL of a node's ZOS API and the key it signs with.
	fn node_contact(node_id: NodeId) -> Option<NodeContact>;
	/// A farm's current prices.
	fn farm_pricing(farm_id: FarmId) -> Option<PricingPolicy<Balance>>;
	/// The twin that owns a farm.
	fn farm_owner(farm_id: FarmId) -> Option<TwinId>;
	/// The operator that accepted to serve a farm; `None` while no operator has accepted.
	fn farm_operator(farm_id: FarmId) -> Option<AccountId>;
	/// The farms whose operator is `operator` (accepted).
	fn farms_operated_by(operator: &AccountId) -> Vec<FarmId>;
	/// Who receives the farm's earnings now.
	fn payee(farm_id: FarmId) -> Option<Payee<AccountId>>;
	/// Records that a cooperative's account received `amount` for its members.
	fn record_cooperative_earnings(cooperative_id: CooperativeId, amount: Balance);
	/// The most live agreements one node may hold.
	fn max_agreements_per_node() -> u32;
	/// Reserves `resources` on a node for an agreement (errors name why not; nothing changes
	/// on error).
	fn reserve_capacity(node_id: NodeId, resources: &Resources) -> DispatchResult;
	/// Releases an agreement's reservation.
	fn release_capacity(node_id: NodeId, resources: &Resources);
	/// Every node's reservation and agreement count, for invariant checks.
	#[cfg(any(feature = "std", feature = "try-runtime"))]
	fn reservations() -> Vec<(NodeId, Resources, u32)>;
	/// Benchmarks: a twin for `account` (or its existing one).
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_twin(account: &AccountId) -> TwinId;
	/// Benchmarks: a twin for `owner`, a farm at `pricing` served by `operator` (accepted), and
	/// a node of `capacity` in it.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_node(
		owner: &AccountId,
		operator: &AccountId,
		pricing: PricingPolicy<Balance>,
		capacity: Resources,
	) -> NodeId;
	/// Benchmarks: puts a farm in a new cooperative of `members` (paid into its own account).
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_cooperative(farm_id: FarmId, admin: &AccountId) -> CooperativeId;
}

/// What the registry asks of the agreements pallet before a farm's payee changes: pay the farm
/// everything it earned so far, to the payee of that time, so no earnings move to the new one.
pub trait FarmPayouts {
	/// Pays out what the farm earned up to now. Fails (and the change must not happen) when
	/// the earnings cannot be known exactly yet.
	fn pay_out(farm_id: FarmId) -> DispatchResult;
	/// The most one [`FarmPayouts::pay_out`] costs.
	fn pay_out_weight() -> Weight;
}

impl FarmPayouts for () {
	fn pay_out(_farm_id: FarmId) -> DispatchResult {
		Ok(())
	}
	fn pay_out_weight() -> Weight {
		Weight::zero()
	}
}

/// What the Stellar bridge asks of the agreements pallet: a deposit whose memo names an
/// agreement (`contract_<id>`) funds that agreement's escrow directly.
pub trait AgreementFunding<Balance> {
	/// Credits `amount` of newly bridged TFT to the agreement's escrow, as a top-up does. Fails,
	/// crediting nothing, when there is no such agreement or it takes no more funds.
	fn fund(contract_id: u64, amount: Balance) -> DispatchResult;
}
