//! The records of circles, their members and their proposals.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::Weight, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;

/// A circle's id: circles are numbered from 1 in the order they are made.
pub use gridchain_primitives::circles::CircleId;

/// A proposal's index within its circle, from 0.
pub type ProposalIndex = u32;

/// A balance of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as frame_support::traits::fungible::Inspect<
	<T as frame_system::Config>::AccountId,
>>::Balance;

/// A circle's name.
pub type NameOf<T> = BoundedVec<u8, <T as Config>::MaxNameLength>;

/// A proposal's call, SCALE encoded.
pub type EncodedCallOf<T> = BoundedVec<u8, <T as Config>::MaxCallLength>;

/// The members a circle is made with.
pub type MembersOf<T> =
	BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxMembers>;

/// The keys a member's agent uses on other chains.
pub type MemberKeysOf<T> = BoundedVec<MemberKey, <T as Config>::MaxKeysPerMember>;

/// A key a member's agent uses on another chain, and what it is for.
pub type MemberKey = (KeyKind, [u8; 32]);

/// One bit per member slot: bit `i` for the member in slot `i` (at most 128 members).
pub type SlotSet = u128;

/// A circle.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct Circle<T: Config> {
	/// What the circle calls itself (not unique).
	pub name: NameOf<T>,
	/// How many ayes approve a proposal.
	pub threshold: u32,
	/// How many members it has.
	pub member_count: u32,
	/// Which member slots are taken.
	pub slots: SlotSet,
	/// How long a proposal stays open for votes, in blocks.
	pub voting_period: BlockNumberFor<T>,
	/// How long an approved proposal waits before it is executed, in blocks (0: in the next
	/// block).
	pub execution_delay: BlockNumberFor<T>,
	/// Proposals not yet executed or rejected.
	pub open_proposals: u32,
	/// The index the next proposal gets.
	pub next_proposal: ProposalIndex,
	/// Who made the circle and holds its deposit.
	pub depositor: T::AccountId,
	/// The storage deposit held on the depositor's account.
	pub deposit: BalanceOf<T>,
}

/// A member of a circle.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct CircleMember<T: Config> {
	/// The member's slot: its bit in the circle's and its proposals' sets.
	pub slot: u8,
	/// The public keys the member's agent uses on other chains, one per kind.
	pub keys: MemberKeysOf<T>,
}

/// What a member's key on another chain is for.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum KeyKind {
	/// A Stellar account key (ed25519): a signer of the circle's Stellar wallets.
	#[codec(index = 0)]
	StellarEd25519,
}

/// As whom an approved proposal's call is dispatched.
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
pub enum DispatchAs {
	/// With the circle's own origin, `Origin::Circle(id)`: for the powers the runtime gives
	/// circles, and for the circle's own membership.
	#[codec(index = 0)]
	Circle,
	/// Signed by the circle's treasury account: to pay from the treasury, or to act as a
	/// member of another circle.
	#[codec(index = 1)]
	Treasury,
	/// As root: the runtime's governance (a runtime upgrade, a parameter). Only the circle
	/// that holds the [`Role::Council`] role proposes and executes such calls.
	#[codec(index = 2)]
	Root,
}

/// A proposal's voting record: who proposed it, its call's weight, and the votes so far. The
/// call itself is kept apart ([`crate::ProposalCalls`]) and read only when it is executed, so
/// a vote reads and writes a small record whatever the call's length.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct Proposal<T: Config> {
	/// The member who proposed it, and who holds its deposit.
	pub proposer: T::AccountId,
	/// The call's weight, measured when it was proposed.
	pub call_weight: Weight,
	/// As whom the call is dispatched.
	pub dispatch_as: DispatchAs,
	/// The deposit held on the proposer's account until the proposal ends.
	pub deposit: BalanceOf<T>,
	/// The slots of the members who voted aye.
	pub ayes: SlotSet,
	/// The slots of the members who voted nay.
	pub nays: SlotSet,
	/// The last block in which members can vote.
	pub end: BlockNumberFor<T>,
	/// Once approved: the block from which it executes, fixed at approval (the circle's
	/// execution delay then, at least the next block), where its agenda entry is (if any).
	pub executes_at: Option<BlockNumberFor<T>>,
}

impl<T: Config> Proposal<T> {
	/// How many ayes it has.
	pub fn aye_count(&self) -> u32 {
		self.ayes.count_ones()
	}

	/// How many nays it has.
	pub fn nay_count(&self) -> u32 {
		self.nays.count_ones()
	}
}

/// A duty that the runtime gives to one circle, chosen by the council.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum Role {
	/// The runtime's governance: what root could do.
	#[codec(index = 0)]
	Council,
	/// Audits nodes' capacity and suspends nodes.
	#[codec(index = 1)]
	Auditor,
	/// Admits farmers as validators and removes validators.
	#[codec(index = 2)]
	ValidatorAdmission,
}

/// What is due for a proposal in a block.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub enum Due {
	/// Its voting period ended: rejected unless approved.
	End,
	/// Approved and past its delay: executed.
	Execution,
}

/// A circle as a wallet or another chain's bridge sees it (runtime API).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct CircleView<AccountId, BlockNumber> {
	/// The circle's name.
	pub name: alloc::vec::Vec<u8>,
	/// How many ayes approve a proposal.
	pub threshold: u32,
	/// The members, each with the keys its agent uses on other chains.
	pub members: alloc::vec::Vec<(AccountId, alloc::vec::Vec<MemberKey>)>,
	/// The circle's treasury account.
	pub treasury: AccountId,
	/// How long proposals stay open.
	pub voting_period: BlockNumber,
	/// How long approved proposals wait.
	pub execution_delay: BlockNumber,
	/// Proposals open now.
	pub open_proposals: u32,
}
