//! # Guardian circles pallet
//!
//! A *guardian circle* is a group of 9 to 99 accounts (bounds in the runtime's config) whose
//! agents act only when enough of them agree: seed 000's replacement of one trusted party.
//! The IOU bridges, the Stellar bridge, validator admission and the chain's governance are
//! each run by a circle.
//!
//! ## Overview
//!
//! - **Circles.** Anyone makes a circle with [`Pallet::create_circle`] (members, threshold,
//!   voting period, execution delay), holding a deposit for its storage that comes back when
//!   the circle dissolves. There can be any number of circles: nothing is done per circle per
//!   block.
//! - **A stable treasury.** Each circle has a treasury account derived from its id alone
//!   ([`Pallet::treasury_account`]), so funds sent there stay put when members change (unlike
//!   a `pallet-multisig` account, which is derived from its signatories).
//! - **Proposals.** A member proposes a runtime call (bounded in length and weight) with a
//!   deposit; members vote aye or nay, one vote each, changeable until the proposal ends. A
//!   vote costs the same whatever the circle's size: votes are bits in the proposal's two sets,
//!   one bit per member slot. When the ayes reach the threshold the proposal is approved and,
//!   after the circle's execution delay (at the earliest in the next block), the call is
//!   dispatched in the block's initialization, with the circle's own origin
//!   ([`Origin::Circle`]) or signed by its treasury account ([`DispatchAs`]). Anyone may also
//!   execute a due proposal with [`Pallet::execute`]. The dispatch's result is in the
//!   [`Event::Executed`] event; a failed dispatch still ends the proposal.
//! - **Rejection.** A proposal whose ayes can no longer reach the threshold is rejected at
//!   the vote that makes it so; one still open when its voting period ends is rejected in that
//!   block's initialization; a change of members or threshold rejects the circle's proposals
//!   not yet approved (votes were cast by the old membership). Deposits come back.
//! - **Membership.** Members are added, removed, swapped and the threshold and periods set
//!   only by the circle's own proposals, and never past a bound.
//! - **Keys on other chains.** A member registers the public keys its agent uses elsewhere
//!   (first: a Stellar account key), so a wallet on another chain can be made a multisig of
//!   exactly the circle's signers ([`GuardianApi::circle`]).
//! - **Roles.** The council (given at genesis) holds the runtime's root-level powers and gives
//!   other duties ([`Role`]) to circles; [`EnsureCircle`] and [`EnsureRole`] let other pallets
//!   give power to circles.
//!
//! Bounded work: every call touches a bounded number of records (a change of members at most
//! [`Config::MaxOpenProposals`] proposals, a dissolution at most [`Config::MaxMembers`]
//! members), and a block's initialization works through at most [`Config::MaxDuePerBlock`]
//! proposals and executes calls up to [`Config::MaxExecutionWeightPerBlock`].

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use origin::{EnsureCircle, EnsureRole};
pub use pallet::*;
use proposals::Decision;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod circles;
mod invariants;
#[cfg(test)]
mod mock;
pub mod origin;
mod proposals;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

sp_api::decl_runtime_apis! {
	/// What wallets and the agents of other chains ask about circles.
	pub trait GuardianApi<AccountId, BlockNumber>
	where
		AccountId: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// A circle's members with their keys on other chains, its threshold and treasury.
		fn circle(circle_id: CircleId) -> Option<CircleView<AccountId, BlockNumber>>;
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::{boxed::Box, vec::Vec};
	use frame_support::{
		dispatch::{GetDispatchInfo, PostDispatchInfo},
		pallet_prelude::*,
		traits::fungible::{self, Inspect},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::{Dispatchable, Zero};

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The origin of a call a circle agreed on.
	#[pallet::origin]
	#[derive(
		PartialEq, Eq, Clone, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
	)]
	pub enum Origin {
		/// The circle with this id agreed.
		#[codec(index = 0)]
		Circle(CircleId),
	}

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A circle's storage, held from its maker until it dissolves.
		#[codec(index = 0)]
		CircleDeposit,
		/// A proposal's storage, held from its proposer until it ends.
		#[codec(index = 1)]
		ProposalDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The runtime's origin, which circles' origins become.
		type RuntimeOrigin: From<Origin> + From<frame_system::RawOrigin<Self::AccountId>>;

		/// The runtime's calls, which proposals carry.
		type RuntimeCall: Parameter
			+ Dispatchable<
				RuntimeOrigin = <Self as Config>::RuntimeOrigin,
				PostInfo = PostDispatchInfo,
			> + GetDispatchInfo
			+ From<frame_system::Call<Self>>;

		/// The currency of deposits.
		type Currency: fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;

		/// The origin of a circle's own calls (membership, periods, dissolution): succeeds with
		/// the circle's id. In the runtime, [`EnsureCircle`].
		type CircleOrigin: EnsureOrigin<
			<Self as frame_system::Config>::RuntimeOrigin,
			Success = CircleId,
		>;

		/// Who gives circles their roles: in the runtime, the council.
		type RoleOrigin: EnsureOrigin<<Self as frame_system::Config>::RuntimeOrigin>;

		/// Derives the circles' treasury accounts.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The fewest members a circle has.
		#[pallet::constant]
		type MinMembers: Get<u32>;

		/// The most members a circle has (at most 128: one bit each).
		#[pallet::constant]
		type MaxMembers: Get<u32>;

		/// The longest name of a circle.
		#[pallet::constant]
		type MaxNameLength: Get<u32>;

		/// The most keys on other chains per member.
		#[pallet::constant]
		type MaxKeysPerMember: Get<u32>;

		/// The longest call a proposal carries, encoded.
		#[pallet::constant]
		type MaxCallLength: Get<u32>;

		/// The heaviest call a proposal carries.
		#[pallet::constant]
		type MaxCallWeight: Get<Weight>;

		/// The most proposals open at once in one circle.
		#[pallet::constant]
		type MaxOpenProposals: Get<u32>;

		/// The most proposals due (ending or executing) in one block.
		#[pallet::constant]
		type MaxDuePerBlock: Get<u32>;

		/// The weight of the calls executed in one block's initialization; the first due call
		/// is executed whatever its weight.
		#[pallet::constant]
		type MaxExecutionWeightPerBlock: Get<Weight>;

		/// The shortest voting period.
		#[pallet::constant]
		type MinVotingPeriod: Get<BlockNumberFor<Self>>;

		/// The longest voting period, and the longest execution delay.
		#[pallet::constant]
		type MaxVotingPeriod: Get<BlockNumberFor<Self>>;

		/// The deposit held for a circle's storage.
		#[pallet::constant]
		type CircleDeposit: Get<BalanceOf<Self>>;

		/// The deposit held for a proposal, plus [`Config::ProposalDepositPerByte`] for each
		/// byte of its call.
		#[pallet::constant]
		type ProposalDeposit: Get<BalanceOf<Self>>;

		/// The deposit held per byte of a proposal's call.
		#[pallet::constant]
		type ProposalDepositPerByte: Get<BalanceOf<Self>>;

		/// The weights of the calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// The circles.
	#[pallet::storage]
	pub type Circles<T: Config> = StorageMap<_, Twox64Concat, CircleId, Circle<T>>;

	/// The id the next circle gets.
	#[pallet::storage]
	pub type NextCircleId<T: Config> = StorageValue<_, CircleId, ValueQuery, ConstU32<1>>;

	/// The members of each circle.
	#[pallet::storage]
	pub type Members<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		CircleId,
		Blake2_128Concat,
		T::AccountId,
		CircleMember<T>,
	>;

	/// The open proposals of each circle.
	#[pallet::storage]
	pub type Proposals<T: Config> =
		StorageDoubleMap<_, Twox64Concat, CircleId, Twox64Concat, ProposalIndex, Proposal<T>>;

	/// The calls of the open proposals, SCALE encoded: read only to execute them.
	#[pallet::storage]
	pub type ProposalCalls<T: Config> =
		StorageDoubleMap<_, Twox64Concat, CircleId, Twox64Concat, ProposalIndex, EncodedCallOf<T>>;

	/// What is due in a block: proposals whose voting period ends, and approved proposals to
	/// execute.
	#[pallet::storage]
	pub type Agenda<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<(CircleId, ProposalIndex, Due), T::MaxDuePerBlock>,
		ValueQuery,
	>;

	/// The circle that holds each role.
	#[pallet::storage]
	pub type Roles<T: Config> = StorageMap<_, Twox64Concat, Role, CircleId>;

	/// Circles a chain starts with (no deposit held), and their roles.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Circles, with ids from 1: name, members, threshold, voting period, execution delay.
		#[allow(clippy::type_complexity)]
		pub circles: Vec<(Vec<u8>, Vec<T::AccountId>, u32, BlockNumberFor<T>, BlockNumberFor<T>)>,
		/// The circle of each role.
		pub roles: Vec<(Role, CircleId)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (name, members, threshold, voting_period, execution_delay) in &self.circles {
				let name = name.clone().try_into().expect("genesis: a circle name is too long");
				let members =
					members.clone().try_into().expect("genesis: a circle has too many members");
				Pallet::<T>::do_create_circle(
					None,
					name,
					members,
					*threshold,
					*voting_period,
					*execution_delay,
				)
				.expect("genesis: a circle is invalid");
			}
			for (role, circle_id) in &self.roles {
				assert!(
					Circles::<T>::contains_key(circle_id),
					"genesis: a role's circle is missing"
				);
				Roles::<T>::insert(role, circle_id);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A circle was made.
		CircleCreated {
			circle_id: CircleId,
			creator: Option<T::AccountId>,
			treasury: T::AccountId,
			member_count: u32,
			threshold: u32,
		},
		/// A member joined a circle.
		MemberAdded { circle_id: CircleId, member: T::AccountId },
		/// A member left a circle.
		MemberRemoved { circle_id: CircleId, member: T::AccountId },
		/// A member's account was replaced by another.
		MemberSwapped { circle_id: CircleId, old: T::AccountId, new: T::AccountId },
		/// A circle's threshold changed.
		ThresholdSet { circle_id: CircleId, threshold: u32 },
		/// A circle's voting period and execution delay changed.
		PeriodsSet {
			circle_id: CircleId,
			voting_period: BlockNumberFor<T>,
			execution_delay: BlockNumberFor<T>,
		},
		/// A circle dissolved; its deposit went back to its maker.
		CircleDissolved { circle_id: CircleId },
		/// A member set (or removed, `key: None`) a key its agent uses on another chain.
		MemberKeySet {
			circle_id: CircleId,
			member: T::AccountId,
			kind: KeyKind,
			key: Option<[u8; 32]>,
		},
		/// A member proposed a call.
		Proposed {
			circle_id: CircleId,
			index: ProposalIndex,
			proposer: T::AccountId,
			dispatch_as: DispatchAs,
			end: BlockNumberFor<T>,
		},
		/// A member voted.
		Voted {
			circle_id: CircleId,
			index: ProposalIndex,
			voter: T::AccountId,
			aye: bool,
			ayes: u32,
			nays: u32,
		},
		/// The ayes reached the threshold: the call executes in block `executes_at` (or, when
		/// that block's execution budget is spent, soon after); when it is not `on_agenda`
		/// (every agenda near it was full) it waits for anyone's `execute` from that block on.
		Approved {
			circle_id: CircleId,
			index: ProposalIndex,
			executes_at: BlockNumberFor<T>,
			on_agenda: bool,
		},
		/// The call was dispatched, with this result.
		Executed { circle_id: CircleId, index: ProposalIndex, result: DispatchResult },
		/// The proposal ended without its call.
		Rejected { circle_id: CircleId, index: ProposalIndex, reason: RejectionReason },
		/// A circle was given a role, or a role was taken (`circle_id: None`).
		RoleSet { role: Role, circle_id: Option<CircleId> },
	}

	/// Why a proposal ended without its call.
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
	pub enum RejectionReason {
		/// The nays leave too few members to reach the threshold.
		Unreachable,
		/// Its voting period ended.
		Expired,
		/// The circle's members or threshold changed.
		MembershipChanged,
		/// The proposer withdrew it.
		Withdrawn,
		/// The circle dissolved.
		Dissolved,
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A circle needs at least `MinMembers` members.
		TooFewMembers,
		/// A circle has at most `MaxMembers` members.
		TooManyMembers,
		/// An account is listed twice among the members.
		DuplicateMember,
		/// The threshold must be at least 1 and at most the number of members.
		InvalidThreshold,
		/// The voting period must be within `MinVotingPeriod` and `MaxVotingPeriod`.
		InvalidVotingPeriod,
		/// The execution delay must be at most `MaxVotingPeriod`.
		InvalidExecutionDelay,
		/// No circle has this id.
		CircleNotFound,
		/// The account is not a member of the circle.
		NotMember,
		/// The account is a member of the circle already.
		AlreadyMember,
		/// The circle has no open proposal with this index.
		ProposalNotFound,
		/// The circle has `MaxOpenProposals` open proposals already.
		TooManyOpenProposals,
		/// The call is longer than `MaxCallLength` bytes.
		CallTooLong,
		/// The call is heavier than `MaxCallWeight`.
		CallTooHeavy,
		/// The member voted the same way already.
		AlreadyVoted,
		/// The proposal's voting period is over.
		VotingEnded,
		/// The proposal is approved: votes no longer change it.
		AlreadyApproved,
		/// The proposal's ayes have not reached the threshold.
		NotApproved,
		/// The proposal's execution delay has not passed.
		TooEarly,
		/// The weight given to execute the proposal is less than its call's weight.
		WeightBoundTooLow,
		/// No block near the one asked for has room for one more due proposal.
		AgendaFull,
		/// The circle's treasury holds funds: pay them out before dissolving.
		TreasuryNotEmpty,
		/// Only the proposer withdraws a proposal.
		NotProposer,
		/// The account cannot pay the deposit.
		CannotPayDeposit,
		/// No more circle ids or proposal indices.
		IdsExhausted,
		/// The member has `MaxKeysPerMember` keys already.
		TooManyKeys,
		/// Only the council's proposals are dispatched as root.
		NotCouncil,
		/// The council cannot dissolve: give its role to another circle first.
		CouncilCannotDissolve,
		/// The council's role can move to another circle, never be left to none.
		CouncilRequired,
		/// The call weighs more now than when it was proposed (the runtime changed): it is not
		/// run on the weight it was given.
		CallHeavierThanProposed,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::work_through_agenda(now)
		}

		fn integrity_test() {
			assert!(T::MaxMembers::get() <= SlotSet::BITS, "MaxMembers must fit in a SlotSet");
			assert!(T::MinMembers::get() >= 1, "a circle needs a member");
			assert!(T::MinMembers::get() <= T::MaxMembers::get(), "MinMembers > MaxMembers");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Makes a circle.
		///
		/// - Origin: signed, by anyone; the caller holds the circle's deposit
		///   ([`Config::CircleDeposit`]) until it dissolves. The caller need not be a member.
		/// - `members`: `MinMembers` to `MaxMembers` accounts, no duplicates.
		/// - `threshold`: the ayes that approve a proposal, 1 to the number of members.
		/// - `voting_period`: how long proposals stay open, `MinVotingPeriod` to
		///   `MaxVotingPeriod` blocks; `execution_delay`: how long approved proposals wait, at
		///   most `MaxVotingPeriod` blocks.
		/// - Errors: [`Error::TooFewMembers`], [`Error::TooManyMembers`],
		///   [`Error::DuplicateMember`], [`Error::InvalidThreshold`],
		///   [`Error::InvalidVotingPeriod`], [`Error::InvalidExecutionDelay`],
		///   [`Error::CannotPayDeposit`], [`Error::IdsExhausted`].
		/// - Event: [`Event::CircleCreated`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_circle(members.len() as u32))]
		pub fn create_circle(
			origin: OriginFor<T>,
			name: NameOf<T>,
			members: MembersOf<T>,
			threshold: u32,
			voting_period: BlockNumberFor<T>,
			execution_delay: BlockNumberFor<T>,
		) -> DispatchResult {
			let creator = ensure_signed(origin)?;
			Self::do_create_circle(
				Some(creator),
				name,
				members,
				threshold,
				voting_period,
				execution_delay,
			)?;
			Ok(())
		}

		/// Proposes a call to a circle; the proposer's own aye is counted.
		///
		/// - Origin: signed, by a member.
		/// - `call`: at most `MaxCallLength` bytes encoded and `MaxCallWeight` heavy.
		/// - `dispatch_as`: with the circle's origin, signed by its treasury account, or (the
		///   council only) as root.
		/// - Effect: holds `ProposalDeposit` + `ProposalDepositPerByte` × the call's length from
		///   the proposer until the proposal ends. With a threshold of 1 it is approved at once.
		/// - Errors: [`Error::CircleNotFound`], [`Error::NotMember`], [`Error::CallTooLong`],
		///   [`Error::CallTooHeavy`], [`Error::NotCouncil`], [`Error::TooManyOpenProposals`],
		///   [`Error::AgendaFull`], [`Error::CannotPayDeposit`], [`Error::IdsExhausted`].
		/// - Events: [`Event::Proposed`], and [`Event::Approved`] with a threshold of 1.
		#[pallet::call_index(1)]
		#[pallet::weight(
			T::WeightInfo::propose(T::MaxCallLength::get())
				.saturating_add(Pallet::<T>::max_passed_over_weight())
		)]
		pub fn propose(
			origin: OriginFor<T>,
			circle_id: CircleId,
			call: Box<<T as Config>::RuntimeCall>,
			dispatch_as: DispatchAs,
		) -> DispatchResultWithPostInfo {
			let proposer = ensure_signed(origin)?;
			let length = call.encoded_size() as u32;
			let passed_over = Self::do_propose(proposer, circle_id, *call, dispatch_as)?;
			let weight = T::WeightInfo::propose(length.min(T::MaxCallLength::get()))
				.saturating_add(Self::passed_over_weight(passed_over));
			Ok(Some(weight).into())
		}

		/// Votes on a proposal, or changes one's vote, until it ends or is approved.
		///
		/// - Origin: signed, by a member.
		/// - Effect: the aye that reaches the threshold approves the proposal (it executes after
		///   the circle's execution delay, at the earliest in the next block); the nay that
		///   leaves the ayes unable to reach it rejects the proposal (deposit returned).
		/// - Errors: [`Error::CircleNotFound`], [`Error::NotMember`],
		///   [`Error::ProposalNotFound`], [`Error::VotingEnded`], [`Error::AlreadyApproved`],
		///   [`Error::AlreadyVoted`].
		/// - Events: [`Event::Voted`], and [`Event::Approved`] or [`Event::Rejected`].
		/// - Weight: charged up front as the costlier deciding vote, and refunded to what the
		///   vote was: one that decides nothing, one that approves, or one that rejects.
		#[pallet::call_index(2)]
		#[pallet::weight(
			T::WeightInfo::vote_approving()
				.saturating_add(Pallet::<T>::max_passed_over_weight())
				.max(T::WeightInfo::vote_rejecting())
		)]
		pub fn vote(
			origin: OriginFor<T>,
			circle_id: CircleId,
			index: ProposalIndex,
			aye: bool,
		) -> DispatchResultWithPostInfo {
			let voter = ensure_signed(origin)?;
			let weight = match Self::do_vote(voter, circle_id, index, aye)? {
				Decision::Open => T::WeightInfo::vote(),
				Decision::Approved { passed_over } => T::WeightInfo::vote_approving()
					.saturating_add(Self::passed_over_weight(passed_over)),
				Decision::Rejected => T::WeightInfo::vote_rejecting(),
			};
			Ok(Some(weight).into())
		}

		/// Executes an approved proposal whose delay has passed, before the chain does.
		///
		/// - Origin: signed, by anyone.
		/// - `weight_bound`: at least the call's weight (in the proposal, and the `Proposed`
		///   call's dispatch info); charged up front, the unused part refunded.
		/// - Errors: [`Error::ProposalNotFound`], [`Error::NotApproved`], [`Error::TooEarly`],
		///   [`Error::WeightBoundTooLow`].
		/// - Event: [`Event::Executed`] with the dispatch's result.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::execute().saturating_add(*weight_bound))]
		pub fn execute(
			origin: OriginFor<T>,
			circle_id: CircleId,
			index: ProposalIndex,
			weight_bound: Weight,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let proposal =
				Proposals::<T>::get(circle_id, index).ok_or(Error::<T>::ProposalNotFound)?;
			let executes_at = proposal.executes_at.ok_or(Error::<T>::NotApproved)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now >= executes_at, Error::<T>::TooEarly);
			ensure!(proposal.call_weight.all_lte(weight_bound), Error::<T>::WeightBoundTooLow);
			let used = Self::enact(circle_id, index, proposal);
			Ok(Some(T::WeightInfo::execute().saturating_add(used)).into())
		}

		/// Withdraws a proposal not yet approved; its deposit comes back.
		///
		/// - Origin: signed, by the proposer.
		/// - Errors: [`Error::ProposalNotFound`], [`Error::NotProposer`],
		///   [`Error::AlreadyApproved`].
		/// - Event: [`Event::Rejected`] (`Withdrawn`).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::withdraw_proposal())]
		pub fn withdraw_proposal(
			origin: OriginFor<T>,
			circle_id: CircleId,
			index: ProposalIndex,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let proposal =
				Proposals::<T>::get(circle_id, index).ok_or(Error::<T>::ProposalNotFound)?;
			ensure!(proposal.proposer == who, Error::<T>::NotProposer);
			ensure!(proposal.executes_at.is_none(), Error::<T>::AlreadyApproved);
			Self::reject(circle_id, index, proposal, RejectionReason::Withdrawn);
			Ok(())
		}

		/// Adds a member to the circle. Rejects the circle's proposals not yet approved.
		///
		/// - Origin: the circle ([`Config::CircleOrigin`]).
		/// - Errors: [`Error::CircleNotFound`], [`Error::AlreadyMember`],
		///   [`Error::TooManyMembers`].
		/// - Event: [`Event::MemberAdded`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::add_member(T::MaxOpenProposals::get()))]
		pub fn add_member(origin: OriginFor<T>, member: T::AccountId) -> DispatchResult {
			let circle_id = T::CircleOrigin::ensure_origin(origin)?;
			let mut circle = Circles::<T>::get(circle_id).ok_or(Error::<T>::CircleNotFound)?;
			ensure!(!Members::<T>::contains_key(circle_id, &member), Error::<T>::AlreadyMember);
			ensure!(circle.member_count < T::MaxMembers::get(), Error::<T>::TooManyMembers);
			let slot = Self::free_slot(circle.slots).ok_or(Error::<T>::TooManyMembers)?;
			circle.slots |= 1 << slot;
			circle.member_count = circle.member_count.saturating_add(1);
			Circles::<T>::insert(circle_id, circle);
			Members::<T>::insert(
				circle_id,
				&member,
				CircleMember { slot, keys: Default::default() },
			);
			Self::reject_unapproved(circle_id, RejectionReason::MembershipChanged);
			Self::deposit_event(Event::MemberAdded { circle_id, member });
			Ok(())
		}

		/// Removes a member from the circle. Rejects the circle's proposals not yet approved.
		///
		/// - Origin: the circle ([`Config::CircleOrigin`]).
		/// - Errors: [`Error::CircleNotFound`], [`Error::NotMember`], [`Error::TooFewMembers`],
		///   [`Error::InvalidThreshold`] (the threshold would be above the members left).
		/// - Event: [`Event::MemberRemoved`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::remove_member(T::MaxOpenProposals::get()))]
		pub fn remove_member(origin: OriginFor<T>, member: T::AccountId) -> DispatchResult {
			let circle_id = T::CircleOrigin::ensure_origin(origin)?;
			let mut circle = Circles::<T>::get(circle_id).ok_or(Error::<T>::CircleNotFound)?;
			let record = Members::<T>::get(circle_id, &member).ok_or(Error::<T>::NotMember)?;
			let left = circle.member_count.saturating_sub(1);
			ensure!(left >= T::MinMembers::get(), Error::<T>::TooFewMembers);
			ensure!(circle.threshold <= left, Error::<T>::InvalidThreshold);
			circle.slots &= !(1 << record.slot);
			circle.member_count = left;
			Circles::<T>::insert(circle_id, circle);
			Members::<T>::remove(circle_id, &member);
			Self::reject_unapproved(circle_id, RejectionReason::MembershipChanged);
			Self::deposit_event(Event::MemberRemoved { circle_id, member });
			Ok(())
		}

		/// Replaces a member's account by another, in the same seat (its keys on other chains
		/// are not carried over). Rejects the circle's proposals not yet approved.
		///
		/// - Origin: the circle ([`Config::CircleOrigin`]).
		/// - Errors: [`Error::CircleNotFound`], [`Error::NotMember`], [`Error::AlreadyMember`].
		/// - Event: [`Event::MemberSwapped`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::swap_member(T::MaxOpenProposals::get()))]
		pub fn swap_member(
			origin: OriginFor<T>,
			old: T::AccountId,
			new: T::AccountId,
		) -> DispatchResult {
			let circle_id = T::CircleOrigin::ensure_origin(origin)?;
			ensure!(Circles::<T>::contains_key(circle_id), Error::<T>::CircleNotFound);
			let record = Members::<T>::get(circle_id, &old).ok_or(Error::<T>::NotMember)?;
			ensure!(!Members::<T>::contains_key(circle_id, &new), Error::<T>::AlreadyMember);
			Members::<T>::remove(circle_id, &old);
			Members::<T>::insert(
				circle_id,
				&new,
				CircleMember { slot: record.slot, keys: Default::default() },
			);
			Self::reject_unapproved(circle_id, RejectionReason::MembershipChanged);
			Self::deposit_event(Event::MemberSwapped { circle_id, old, new });
			Ok(())
		}

		/// Sets the circle's threshold. Rejects the circle's proposals not yet approved.
		///
		/// - Origin: the circle ([`Config::CircleOrigin`]).
		/// - Errors: [`Error::CircleNotFound`], [`Error::InvalidThreshold`].
		/// - Event: [`Event::ThresholdSet`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_threshold(T::MaxOpenProposals::get()))]
		pub fn set_threshold(origin: OriginFor<T>, threshold: u32) -> DispatchResult {
			let circle_id = T::CircleOrigin::ensure_origin(origin)?;
			let mut circle = Circles::<T>::get(circle_id).ok_or(Error::<T>::CircleNotFound)?;
			ensure!(
				threshold >= 1 && threshold <= circle.member_count,
				Error::<T>::InvalidThreshold
			);
			circle.threshold = threshold;
			Circles::<T>::insert(circle_id, circle);
			Self::reject_unapproved(circle_id, RejectionReason::MembershipChanged);
			Self::deposit_event(Event::ThresholdSet { circle_id, threshold });
			Ok(())
		}

		/// Sets the circle's voting period and execution delay, for proposals made from now on.
		///
		/// - Origin: the circle ([`Config::CircleOrigin`]).
		/// - Errors: [`Error::CircleNotFound`], [`Error::InvalidVotingPeriod`],
		///   [`Error::InvalidExecutionDelay`].
		/// - Event: [`Event::PeriodsSet`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_periods())]
		pub fn set_periods(
			origin: OriginFor<T>,
			voting_period: BlockNumberFor<T>,
			execution_delay: BlockNumberFor<T>,
		) -> DispatchResult {
			let circle_id = T::CircleOrigin::ensure_origin(origin)?;
			let mut circle = Circles::<T>::get(circle_id).ok_or(Error::<T>::CircleNotFound)?;
			Self::ensure_valid_periods(voting_period, execution_delay)?;
			circle.voting_period = voting_period;
			circle.execution_delay = execution_delay;
			Circles::<T>::insert(circle_id, circle);
			Self::deposit_event(Event::PeriodsSet { circle_id, voting_period, execution_delay });
			Ok(())
		}

		/// Dissolves the circle: its members and open proposals go (their deposits back), and
		/// its deposit goes back to its maker. Its roles go too.
		///
		/// - Origin: the circle ([`Config::CircleOrigin`]).
		/// - Errors: [`Error::CircleNotFound`], [`Error::CouncilCannotDissolve`],
		///   [`Error::TreasuryNotEmpty`].
		/// - Events: [`Event::Rejected`] (`Dissolved`) for each open proposal,
		///   [`Event::CircleDissolved`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::dissolve_circle(
			T::MaxMembers::get(),
			T::MaxOpenProposals::get()
		))]
		pub fn dissolve_circle(origin: OriginFor<T>) -> DispatchResult {
			let circle_id = T::CircleOrigin::ensure_origin(origin)?;
			let circle = Circles::<T>::get(circle_id).ok_or(Error::<T>::CircleNotFound)?;
			// Nothing else holds root's powers: the council hands them on before it goes.
			ensure!(!Self::is_council(circle_id), Error::<T>::CouncilCannotDissolve);
			let treasury = Self::treasury_account(circle_id);
			ensure!(T::Currency::total_balance(&treasury).is_zero(), Error::<T>::TreasuryNotEmpty);
			let open: Vec<_> = Proposals::<T>::iter_prefix(circle_id).collect();
			for (index, proposal) in open {
				Self::reject(circle_id, index, proposal, RejectionReason::Dissolved);
			}
			let _ = Members::<T>::clear_prefix(circle_id, T::MaxMembers::get(), None);
			Circles::<T>::remove(circle_id);
			let held: Vec<Role> = Roles::<T>::iter()
				.filter(|(_, holder)| *holder == circle_id)
				.map(|(role, _)| role)
				.collect();
			for role in held {
				Roles::<T>::remove(role);
			}
			Self::release(&HoldReason::CircleDeposit, &circle.depositor, circle.deposit);
			Self::deposit_event(Event::CircleDissolved { circle_id });
			Ok(())
		}

		/// Sets (or with `key: None` removes) the key the member's agent uses on another chain
		/// for this circle, one per kind.
		///
		/// - Origin: signed, by a member.
		/// - Errors: [`Error::NotMember`], [`Error::TooManyKeys`].
		/// - Event: [`Event::MemberKeySet`].
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_member_key())]
		pub fn set_member_key(
			origin: OriginFor<T>,
			circle_id: CircleId,
			kind: KeyKind,
			key: Option<[u8; 32]>,
		) -> DispatchResult {
			let member = ensure_signed(origin)?;
			let mut record = Members::<T>::get(circle_id, &member).ok_or(Error::<T>::NotMember)?;
			record.keys.retain(|(held, _)| *held != kind);
			if let Some(key) = key {
				record.keys.try_push((kind, key)).map_err(|_| Error::<T>::TooManyKeys)?;
			}
			Members::<T>::insert(circle_id, &member, record);
			Self::deposit_event(Event::MemberKeySet { circle_id, member, kind, key });
			Ok(())
		}

		/// Gives a role to a circle, or takes it (`circle_id: None`).
		///
		/// - Origin: [`Config::RoleOrigin`] (the council).
		/// - Errors: [`Error::CircleNotFound`], [`Error::CouncilRequired`].
		/// - Event: [`Event::RoleSet`].
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::set_role())]
		pub fn set_role(
			origin: OriginFor<T>,
			role: Role,
			circle_id: Option<CircleId>,
		) -> DispatchResult {
			T::RoleOrigin::ensure_origin(origin)?;
			match circle_id {
				Some(id) => {
					ensure!(Circles::<T>::contains_key(id), Error::<T>::CircleNotFound);
					Roles::<T>::insert(role, id);
				},
				None => {
					// The council's role moves to another circle; it is never left empty.
					ensure!(role != Role::Council, Error::<T>::CouncilRequired);
					Roles::<T>::remove(role)
				},
			}
			Self::deposit_event(Event::RoleSet { role, circle_id });
			Ok(())
		}
	}
}
