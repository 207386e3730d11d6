//! The registry's records: twins, farms, nodes, pricing policies and cooperatives.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

pub use gridchain_primitives::grid::{
	CooperativeId, FarmId, NodeId, NodeKey, PriceBounds, PricingPolicy, Resources, TwinId, GIB,
};

/// A balance of the registry's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as frame_support::traits::fungible::Inspect<
	<T as frame_system::Config>::AccountId,
>>::Balance;

/// A farm's or a cooperative's name.
pub type NameOf<T> = BoundedVec<u8, <T as Config>::MaxNameLength>;
/// A node's ZOS API endpoint URL.
pub type EndpointOf<T> = BoundedVec<u8, <T as Config>::MaxEndpointLength>;
/// A cooperative's members.
pub type MembersOf<T> = BoundedVec<
	Member<<T as frame_system::Config>::AccountId>,
	<T as Config>::MaxCooperativeMembers,
>;

/// A farm in the genesis config: owner twin, name, prices, operator account.
pub type GenesisFarm<T> = (
	TwinId,
	alloc::vec::Vec<u8>,
	PricingPolicy<BalanceOf<T>>,
	<T as frame_system::Config>::AccountId,
);

/// A twin: an account's identity on the grid. Its public key is the account's own, so ZOS
/// checks a deployment's signature against it.
#[derive(
	Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen, DecodeWithMemTracking,
)]
pub struct Twin<AccountId, Balance> {
	/// The account (and public key) of the twin.
	pub account: AccountId,
	/// The storage deposit held on the account for this record.
	pub deposit: Balance,
}

/// A farm: the unit that owns nodes, prices capacity and gets paid.
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
pub struct Farm<T: Config> {
	/// The twin that owns the farm; its account signs the farm's changes.
	pub owner: TwinId,
	/// A name, unique among farms.
	pub name: NameOf<T>,
	/// The prices of new agreements on the farm's nodes.
	pub pricing: PricingPolicy<BalanceOf<T>>,
	/// The account whose signed deployment reports for the farm's nodes are accepted: the key
	/// of the farm's off-chain worker. Set only with that account's consent; `None` while no
	/// operator has accepted (nobody deploys the farm's agreements then).
	pub operator: Option<T::AccountId>,
	/// The cooperative the farm belongs to, which then receives its earnings.
	pub cooperative: Option<CooperativeId>,
	/// The storage deposit held on the owner's account for this record.
	pub deposit: BalanceOf<T>,
}

/// A ZOS node of a farm.
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
pub struct Node<T: Config> {
	/// The farm the node belongs to.
	pub farm_id: FarmId,
	/// What the node offers.
	pub capacity: Resources,
	/// What live agreements have reserved of it.
	pub reserved: Resources,
	/// The URL of the node's ZOS API.
	pub endpoint: EndpointOf<T>,
	/// The node's own identity: the ed25519 key it signs its ZOS replies with, so the
	/// off-chain worker knows that the answer comes from this node.
	pub public_key: NodeKey,
	/// How many agreements hold a reservation on the node.
	pub live_agreements: u32,
	/// The capacity the auditor circle verified on the node, if it audited it.
	pub audited: Option<Resources>,
	/// Suspended by the auditor circle: no new agreements on it; live ones keep running.
	pub suspended: bool,
	/// The storage deposit held on the farm owner's account for this record.
	pub deposit: BalanceOf<T>,
}

impl<T: Config> Node<T> {
	/// What the node can still promise: its capacity minus what agreements reserved.
	pub fn free_capacity(&self) -> Resources {
		self.capacity.saturating_sub(&self.reserved)
	}
}

/// A member of a cooperative and its share of the earnings.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Member<AccountId> {
	/// Who is paid.
	pub account: AccountId,
	/// Which part of each payment; the shares of a cooperative sum to 100%.
	pub share: Perbill,
}

/// A farming cooperative: runs farms for its members and splits their earnings by share.
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
pub struct Cooperative<T: Config> {
	/// The account that manages the cooperative.
	pub admin: T::AccountId,
	/// Its name.
	pub name: NameOf<T>,
	/// Its members and their shares.
	pub members: MembersOf<T>,
	/// How many farms belong to it (at most `MaxCooperativeFarms`).
	pub farms: u32,
	/// The storage deposit held on the admin's account for this record.
	pub deposit: BalanceOf<T>,
}

/// What a cooperative has earned, in total and before its current membership.
///
/// Members are entitled to `share × (earned − settled_before_current_members)`; a membership
/// change moves what the leaving membership is owed into each member's
/// [`MemberLedger::carried`], so earnings follow the shares that held while they were paid.
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
pub struct EarningsLedger<Balance> {
	/// Everything paid to the cooperative's account by its farms.
	pub earned: Balance,
	/// The part of `earned` owed to earlier memberships: the current members share the rest.
	pub settled_before_current_members: Balance,
}

/// One account's earnings from a cooperative that it has not drawn yet.
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
pub struct MemberLedger<Balance> {
	/// What the account drew of its share under the current membership.
	pub drawn: Balance,
	/// What it was owed by earlier memberships and has not drawn.
	pub carried: Balance,
}
