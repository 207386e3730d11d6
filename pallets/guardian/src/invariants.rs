//! The pallet's invariants, checked by `try_state` after every block in try-runtime and after
//! every test.

use crate::{pallet::*, types::*};
use alloc::collections::btree_map::BTreeMap;
use frame_support::traits::Get;
use sp_runtime::{traits::Saturating, TryRuntimeError};

impl<T: Config> Pallet<T> {
	/// Checks that:
	/// - every circle has `MinMembers..=MaxMembers` members, as many member records as its
	///   count and its slot set say, each in its own slot, and `1 <= threshold <= members`;
	/// - every proposal's tally is its recorded votes: its aye and nay sets are disjoint and
	///   within the circle's members, and a proposal not approved has fewer ayes than the
	///   threshold and is on the agenda of its voting end; every proposal has its call and every call its
	///   proposal; the circle's open count is its proposals' number;
	/// - what is held from each account is exactly its circles' and open proposals' deposits;
	/// - every role's circle exists.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut circle_deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut proposal_deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let on_agenda: alloc::collections::btree_set::BTreeSet<_> = Agenda::<T>::iter()
			.flat_map(|(_, items)| items.into_iter().map(|(circle, index, _)| (circle, index)))
			.collect();
		for (circle_id, circle) in Circles::<T>::iter() {
			let count = circle.member_count;
			ensure(count >= T::MinMembers::get(), "a circle has too few members")?;
			ensure(count <= T::MaxMembers::get(), "a circle has too many members")?;
			ensure(circle.slots.count_ones() == count, "a circle's slots are not its count")?;
			ensure(
				circle.threshold >= 1 && circle.threshold <= count,
				"a circle's threshold is out of bounds",
			)?;
			let mut slots: SlotSet = 0;
			let mut records = 0u32;
			for (_, member) in Members::<T>::iter_prefix(circle_id) {
				let bit: SlotSet = 1 << member.slot;
				ensure(slots & bit == 0, "two members share a slot")?;
				slots |= bit;
				records += 1;
			}
			ensure(records == count, "a circle's member records are not its count")?;
			ensure(slots == circle.slots, "a circle's member slots are not its slot set")?;
			let mut open = 0u32;
			for (index, proposal) in Proposals::<T>::iter_prefix(circle_id) {
				open += 1;
				ensure(index < circle.next_proposal, "a proposal's index was never given")?;
				ensure(proposal.ayes & proposal.nays == 0, "a member voted both ways")?;
				// Votes count until approval; an approved proposal keeps the votes that approved
				// it, whoever has left since.
				ensure(
					proposal.executes_at.is_some()
						|| (proposal.ayes | proposal.nays) & !circle.slots == 0,
					"a vote is recorded for no member",
				)?;
				ensure(
					proposal.executes_at.is_some() || proposal.aye_count() < circle.threshold,
					"a proposal reached the threshold unapproved",
				)?;
				// An approved proposal that found no room in any agenda waits for `execute`.
				ensure(
					proposal.executes_at.is_some() || on_agenda.contains(&(circle_id, index)),
					"a proposal open for votes is on no agenda",
				)?;
				ensure(
					ProposalCalls::<T>::contains_key(circle_id, index),
					"a proposal has no call",
				)?;
				let held = proposal_deposits.entry(proposal.proposer.clone()).or_default();
				*held = held.saturating_add(proposal.deposit);
			}
			ensure(open == circle.open_proposals, "a circle's open count is not its proposals")?;
			let held = circle_deposits.entry(circle.depositor.clone()).or_default();
			*held = held.saturating_add(circle.deposit);
		}
		for (circle_id, _) in Proposals::<T>::iter_keys() {
			ensure(Circles::<T>::contains_key(circle_id), "a proposal of no circle")?;
		}
		for (circle_id, index) in ProposalCalls::<T>::iter_keys() {
			ensure(Proposals::<T>::contains_key(circle_id, index), "a call of no proposal")?;
		}
		for (circle_id, _) in Members::<T>::iter_keys() {
			ensure(Circles::<T>::contains_key(circle_id), "a member of no circle")?;
		}
		for (reason, deposits) in [
			(HoldReason::CircleDeposit, &circle_deposits),
			(HoldReason::ProposalDeposit, &proposal_deposits),
		] {
			for (account, deposit) in deposits {
				ensure(Self::held(&reason, account) == *deposit, "a deposit is not held whole")?;
			}
		}
		for (_, circle_id) in Roles::<T>::iter() {
			ensure(Circles::<T>::contains_key(circle_id), "a role's circle is gone")?;
		}
		Ok(())
	}
}

fn ensure(condition: bool, message: &'static str) -> Result<(), TryRuntimeError> {
	if condition {
		Ok(())
	} else {
		Err(message.into())
	}
}
