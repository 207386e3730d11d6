//! Proposals: proposing, voting (one bit per member slot, so a vote costs the same in a circle
//! of 9 or 99), approval, rejection, execution, and the agenda of what is due in each block.

use crate::{pallet::*, types::*, weights::WeightInfo};
use codec::{DecodeLimit, Encode};
use frame_support::{
	dispatch::{extract_actual_weight, GetDispatchInfo},
	pallet_prelude::*,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Dispatchable, One, Saturating};

/// What a vote did to its proposal.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Decision {
	/// Nothing decided yet.
	Open,
	/// The ayes reached the threshold; the full agendas passed over to schedule it.
	Approved {
		/// See [`Pallet::schedule`].
		passed_over: u32,
	},
	/// The ayes can no longer reach it.
	Rejected,
}

/// Where an approved proposal's execution went.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Approval<BlockNumber> {
	/// The first block in which it may execute.
	pub executes_at: BlockNumber,
	/// Whether it is on that block's agenda (else it waits for anyone's `execute`).
	pub on_agenda: bool,
	/// How many full agendas were passed over (see [`Pallet::schedule`]).
	pub passed_over: u32,
}

/// How many blocks, from the one asked for on, the agenda is searched for room. Each block
/// looked at past the first is charged (a read and a write) to whoever caused the search.
pub const AGENDA_SPILL_BLOCKS: u32 = 16;

/// How deep a proposal's call may nest when it is decoded.
const CALL_DECODE_DEPTH: u32 = 64;

impl<T: Config> Pallet<T> {
	/// Records `proposer`'s proposal of `call` to `circle_id`, with the proposer's aye; how many
	/// full agendas it passed over (see [`Self::schedule`]).
	pub(crate) fn do_propose(
		proposer: T::AccountId,
		circle_id: CircleId,
		call: <T as Config>::RuntimeCall,
		dispatch_as: DispatchAs,
	) -> Result<u32, DispatchError> {
		let mut circle = Circles::<T>::get(circle_id).ok_or(Error::<T>::CircleNotFound)?;
		let member = Members::<T>::get(circle_id, &proposer).ok_or(Error::<T>::NotMember)?;
		let encoded: EncodedCallOf<T> =
			call.encode().try_into().map_err(|_| Error::<T>::CallTooLong)?;
		let call_weight = call.get_dispatch_info().call_weight;
		ensure!(call_weight.all_lte(T::MaxCallWeight::get()), Error::<T>::CallTooHeavy);
		ensure!(
			dispatch_as != DispatchAs::Root || Self::is_council(circle_id),
			Error::<T>::NotCouncil
		);
		ensure!(
			circle.open_proposals < T::MaxOpenProposals::get(),
			Error::<T>::TooManyOpenProposals
		);
		let index = circle.next_proposal;
		let next = index.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
		let now = frame_system::Pallet::<T>::block_number();
		let end = now.saturating_add(circle.voting_period);
		let deposit = T::ProposalDeposit::get().saturating_add(
			T::ProposalDepositPerByte::get().saturating_mul((encoded.len() as u32).into()),
		);
		let mut proposal = Proposal {
			proposer: proposer.clone(),
			call_weight,
			dispatch_as,
			deposit,
			ayes: 1 << member.slot,
			nays: 0,
			end,
			executes_at: None,
		};
		let (approval, passed_over) = if proposal.aye_count() >= circle.threshold {
			let approval = Self::schedule_execution(now, circle.execution_delay, circle_id, index);
			proposal.executes_at = Some(approval.executes_at);
			(Some(approval), approval.passed_over)
		} else {
			// Votes are taken through block `end`; the proposal is looked at again at the start
			// of the next block (or a little later when that block's agenda is full, and its
			// voting lasts as long).
			let (after, passed_over) =
				Self::schedule(end.saturating_add(One::one()), circle_id, index, Due::End)?;
			proposal.end = after.saturating_sub(One::one());
			(None, passed_over)
		};
		let end = proposal.end;
		Self::hold(&HoldReason::ProposalDeposit, &proposer, deposit)?;
		circle.open_proposals = circle.open_proposals.saturating_add(1);
		circle.next_proposal = next;
		Circles::<T>::insert(circle_id, circle);
		Proposals::<T>::insert(circle_id, index, proposal);
		ProposalCalls::<T>::insert(circle_id, index, encoded);
		Self::deposit_event(Event::Proposed { circle_id, index, proposer, dispatch_as, end });
		if let Some(Approval { executes_at, on_agenda, .. }) = approval {
			Self::deposit_event(Event::Approved { circle_id, index, executes_at, on_agenda });
		}
		Ok(passed_over)
	}

	/// Records `voter`'s vote, approving or rejecting the proposal when it decides it; an
	/// approving vote carries how many full agendas it passed over.
	pub(crate) fn do_vote(
		voter: T::AccountId,
		circle_id: CircleId,
		index: ProposalIndex,
		aye: bool,
	) -> Result<Decision, DispatchError> {
		let circle = Circles::<T>::get(circle_id).ok_or(Error::<T>::CircleNotFound)?;
		let member = Members::<T>::get(circle_id, &voter).ok_or(Error::<T>::NotMember)?;
		let mut proposal =
			Proposals::<T>::get(circle_id, index).ok_or(Error::<T>::ProposalNotFound)?;
		ensure!(proposal.executes_at.is_none(), Error::<T>::AlreadyApproved);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now <= proposal.end, Error::<T>::VotingEnded);
		let bit: SlotSet = 1 << member.slot;
		let (cast, other) = if aye {
			(&mut proposal.ayes, &mut proposal.nays)
		} else {
			(&mut proposal.nays, &mut proposal.ayes)
		};
		ensure!(*cast & bit == 0, Error::<T>::AlreadyVoted);
		*cast |= bit;
		*other &= !bit;
		let (ayes, nays) = (proposal.aye_count(), proposal.nay_count());
		Self::deposit_event(Event::Voted { circle_id, index, voter, aye, ayes, nays });
		if ayes >= circle.threshold {
			let Approval { executes_at, on_agenda, passed_over } =
				Self::schedule_execution(now, circle.execution_delay, circle_id, index);
			proposal.executes_at = Some(executes_at);
			Proposals::<T>::insert(circle_id, index, proposal);
			Self::deposit_event(Event::Approved { circle_id, index, executes_at, on_agenda });
			Ok(Decision::Approved { passed_over })
		} else if circle.member_count.saturating_sub(nays) < circle.threshold {
			Self::reject(circle_id, index, proposal, RejectionReason::Unreachable);
			Ok(Decision::Rejected)
		} else {
			Proposals::<T>::insert(circle_id, index, proposal);
			Ok(Decision::Open)
		}
	}

	/// Whether the circle is the council, whose proposals may be dispatched as root.
	pub(crate) fn is_council(circle_id: CircleId) -> bool {
		Roles::<T>::get(Role::Council) == Some(circle_id)
	}

	/// Puts a proposal approved at `now` on the agenda of the first block in which it may
	/// execute, or of the first with room after it. When none has room the approval stands and
	/// the proposal waits for anyone's `execute`: filling agendas cannot undo a circle's vote.
	fn schedule_execution(
		now: BlockNumberFor<T>,
		execution_delay: BlockNumberFor<T>,
		circle_id: CircleId,
		index: ProposalIndex,
	) -> Approval<BlockNumberFor<T>> {
		let executes_at = Self::execution_block(now, execution_delay);
		match Self::schedule(executes_at, circle_id, index, Due::Execution) {
			Ok((block, passed_over)) => {
				Approval { executes_at: block, on_agenda: true, passed_over }
			},
			Err(_) => Approval {
				executes_at,
				on_agenda: false,
				passed_over: AGENDA_SPILL_BLOCKS.saturating_sub(1),
			},
		}
	}

	/// The first block in which a proposal approved at `now` may execute.
	fn execution_block(
		now: BlockNumberFor<T>,
		execution_delay: BlockNumberFor<T>,
	) -> BlockNumberFor<T> {
		now.saturating_add(execution_delay.max(One::one()))
	}

	/// Puts a proposal on the agenda of block `at`, or of the first of the next
	/// [`AGENDA_SPILL_BLOCKS`] blocks with room: the block it went to, and how many full
	/// agendas it passed over (each a read and a write more, see [`Self::passed_over_weight`]).
	pub(crate) fn schedule(
		at: BlockNumberFor<T>,
		circle_id: CircleId,
		index: ProposalIndex,
		due: Due,
	) -> Result<(BlockNumberFor<T>, u32), DispatchError> {
		let mut block = at;
		for passed_over in 0..AGENDA_SPILL_BLOCKS {
			let pushed =
				Agenda::<T>::mutate(block, |items| items.try_push((circle_id, index, due)).is_ok());
			if pushed {
				return Ok((block, passed_over));
			}
			block = block.saturating_add(One::one());
		}
		Err(Error::<T>::AgendaFull.into())
	}

	/// The weight of passing over `full` full agendas, which the benchmarks (finding room at
	/// once) do not count.
	pub(crate) fn passed_over_weight(full: u32) -> Weight {
		T::DbWeight::get().reads_writes(full.into(), full.into())
	}

	/// The most [`Self::passed_over_weight`] can be.
	pub(crate) fn max_passed_over_weight() -> Weight {
		Self::passed_over_weight(AGENDA_SPILL_BLOCKS.saturating_sub(1))
	}

	/// Ends a proposal without its call: removes it and returns its deposit.
	pub(crate) fn reject(
		circle_id: CircleId,
		index: ProposalIndex,
		proposal: Proposal<T>,
		reason: RejectionReason,
	) {
		Self::end_proposal(circle_id, index, &proposal);
		ProposalCalls::<T>::remove(circle_id, index);
		Self::deposit_event(Event::Rejected { circle_id, index, reason });
	}

	/// Rejects the circle's proposals not yet approved: their votes were cast by the members
	/// and threshold of before. At most `MaxOpenProposals`.
	pub(crate) fn reject_unapproved(circle_id: CircleId, reason: RejectionReason) {
		let unapproved: alloc::vec::Vec<_> = Proposals::<T>::iter_prefix(circle_id)
			.filter(|(_, proposal)| proposal.executes_at.is_none())
			.collect();
		for (index, proposal) in unapproved {
			Self::reject(circle_id, index, proposal, reason);
		}
	}

	/// Removes an ended proposal (its call apart) and its agenda entries, counts it out of its
	/// circle and returns its deposit. Entries left behind would fill agendas for nothing.
	fn end_proposal(circle_id: CircleId, index: ProposalIndex, proposal: &Proposal<T>) {
		Proposals::<T>::remove(circle_id, index);
		Self::unschedule(proposal.end.saturating_add(One::one()), circle_id, index);
		if let Some(executes_at) = proposal.executes_at {
			Self::unschedule(executes_at, circle_id, index);
		}
		Circles::<T>::mutate(circle_id, |circle| {
			if let Some(circle) = circle {
				circle.open_proposals = circle.open_proposals.saturating_sub(1);
			}
		});
		Self::release(&HoldReason::ProposalDeposit, &proposal.proposer, proposal.deposit);
	}

	/// Takes the proposal's entry off block `block`'s agenda, if it is there (written only
	/// then; a block left with nothing due is removed).
	fn unschedule(block: BlockNumberFor<T>, circle_id: CircleId, index: ProposalIndex) {
		let _ = Agenda::<T>::try_mutate_exists(block, |items| -> Result<(), ()> {
			let list = items.as_mut().ok_or(())?;
			let before = list.len();
			list.retain(|(circle, at, _)| (*circle, *at) != (circle_id, index));
			if list.len() == before {
				return Err(());
			}
			if list.is_empty() {
				*items = None;
			}
			Ok(())
		});
	}

	/// Dispatches an approved proposal's call and ends the proposal; the weight the call used.
	/// The proposal is gone before the call runs, so the call sees its circle as it will be.
	pub(crate) fn enact(
		circle_id: CircleId,
		index: ProposalIndex,
		proposal: Proposal<T>,
	) -> Weight {
		Self::end_proposal(circle_id, index, &proposal);
		let encoded = ProposalCalls::<T>::take(circle_id, index).unwrap_or_default();
		let call = <T as Config>::RuntimeCall::decode_with_depth_limit(
			CALL_DECODE_DEPTH,
			&mut &encoded[..],
		);
		let result = match call {
			Ok(call) => {
				let origin: <T as Config>::RuntimeOrigin = match proposal.dispatch_as {
					DispatchAs::Circle => Origin::Circle(circle_id).into(),
					DispatchAs::Treasury => {
						frame_system::RawOrigin::Signed(Self::treasury_account(circle_id)).into()
					},
					DispatchAs::Root => frame_system::RawOrigin::Root.into(),
				};
				// The council may have changed since the proposal was made.
				let info = call.get_dispatch_info();
				if proposal.dispatch_as == DispatchAs::Root && !Self::is_council(circle_id) {
					(Err(Error::<T>::NotCouncil.into()), Weight::zero())
				} else if !info.call_weight.all_lte(proposal.call_weight) {
					// Budgets and bounds were checked against the weight at proposal time.
					(Err(Error::<T>::CallHeavierThanProposed.into()), Weight::zero())
				} else {
					let outcome = call.dispatch(origin);
					let used = extract_actual_weight(&outcome, &info);
					(outcome.map(|_| ()).map_err(|error| error.error), used)
				}
			},
			// The runtime changed since the proposal was made: its call means nothing now.
			Err(_) => (Err(DispatchError::Other("the call no longer decodes")), Weight::zero()),
		};
		Self::deposit_event(Event::Executed { circle_id, index, result: result.0 });
		result.1
	}

	/// Works through the proposals due in block `now`: rejects those whose voting ended and
	/// executes approved ones within the block's execution budget (at least one); the rest
	/// move to the next block. The weight used.
	pub(crate) fn work_through_agenda(now: BlockNumberFor<T>) -> Weight {
		let due = Agenda::<T>::take(now);
		let mut weight = T::WeightInfo::agenda_base();
		let mut executed = Weight::zero();
		let mut first = true;
		for (circle_id, index, due) in due {
			let Some(proposal) = Proposals::<T>::get(circle_id, index) else {
				weight.saturating_accrue(T::WeightInfo::agenda_end());
				continue;
			};
			match (due, proposal.executes_at) {
				(Due::End, None) => {
					weight.saturating_accrue(T::WeightInfo::agenda_end());
					Self::reject(circle_id, index, proposal, RejectionReason::Expired);
				},
				(Due::Execution, Some(_)) => {
					let fits = executed
						.saturating_add(proposal.call_weight)
						.all_lte(T::MaxExecutionWeightPerBlock::get());
					if first || fits {
						first = false;
						weight.saturating_accrue(T::WeightInfo::agenda_execution());
						let used = Self::enact(circle_id, index, proposal);
						executed.saturating_accrue(used);
						weight.saturating_accrue(used);
					} else {
						// Over the block's budget: the next block (or anyone with `execute`).
						let next = now.saturating_add(One::one());
						let passed_over =
							match Self::schedule(next, circle_id, index, Due::Execution) {
								Ok((_, passed_over)) => passed_over,
								Err(_) => {
									log::warn!(
										target: "runtime::guardian",
										"proposal {index} of circle {circle_id} waits for `execute`"
									);
									AGENDA_SPILL_BLOCKS.saturating_sub(1)
								},
							};
						// The first look at the next block's agenda, and those passed over.
						weight.saturating_accrue(Self::passed_over_weight(
							passed_over.saturating_add(1),
						));
					}
				},
				// An approved proposal's voting end, or an item already dealt with.
				_ => weight.saturating_accrue(T::WeightInfo::agenda_end()),
			}
		}
		weight
	}
}
