//! Unit tests: every call and every refusal, run against the mock runtime; the invariants are
//! checked after every test and every block.

use crate::{mock::*, *};
use codec::Encode;
use frame_support::weights::Weight;
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Inspect, Get},
	BoundedVec,
};
use sp_runtime::traits::Dispatchable;
use sp_runtime::{DispatchError, DispatchResult, TokenError};

type Origin = <Test as frame_system::Config>::RuntimeOrigin;

fn signed(n: u8) -> Origin {
	Origin::signed(account(n))
}

fn name(text: &str) -> NameOf<Test> {
	BoundedVec::try_from(text.as_bytes().to_vec()).unwrap()
}

fn members(list: Vec<AccountId>) -> MembersOf<Test> {
	BoundedVec::try_from(list).unwrap()
}

/// A circle of accounts 1..=9 (threshold 5, no delay), made by account 200.
fn nine() -> CircleId {
	circle(accounts(9), 5, 0)
}

fn circle(list: Vec<AccountId>, threshold: u32, delay: u64) -> CircleId {
	let id = NextCircleId::<Test>::get();
	assert_ok!(Guardian::create_circle(
		signed(200),
		name("circle"),
		members(list),
		threshold,
		VOTING_PERIOD,
		delay
	));
	id
}

fn remark() -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::remark { remark: vec![] })
}

fn transfer(to: u8, amount: u64) -> RuntimeCall {
	RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
		dest: account(to),
		value: amount,
	})
}

fn guardian(call: crate::Call<Test>) -> RuntimeCall {
	RuntimeCall::Guardian(call)
}

/// `proposer` proposes `call`; its index.
fn propose(circle_id: CircleId, proposer: u8, call: RuntimeCall, dispatch_as: DispatchAs) -> u32 {
	let index = Circles::<Test>::get(circle_id).unwrap().next_proposal;
	assert_ok!(Guardian::propose(signed(proposer), circle_id, Box::new(call), dispatch_as));
	index
}

/// Members `voters` vote aye.
fn ayes(circle_id: CircleId, index: u32, voters: impl IntoIterator<Item = u8>) {
	for voter in voters {
		assert_ok!(Guardian::vote(signed(voter), circle_id, index, true));
	}
}

/// Proposes `call` as the circle 1..=9 and has it approved by 5 ayes and executed.
fn agree(circle_id: CircleId, call: RuntimeCall, dispatch_as: DispatchAs) -> DispatchResult {
	let index = propose(circle_id, 1, call, dispatch_as);
	ayes(circle_id, index, 2..=5);
	run_to_block(System::block_number() + 1);
	executed(circle_id, index).expect("executed")
}

/// The result of the proposal's execution, if it was executed.
fn executed(circle_id: CircleId, index: u32) -> Option<DispatchResult> {
	System::events().into_iter().rev().find_map(|record| match record.event {
		RuntimeEvent::Guardian(Event::Executed { circle_id: c, index: i, result })
			if c == circle_id && i == index =>
		{
			Some(result)
		},
		_ => None,
	})
}

fn rejected(circle_id: CircleId, index: u32) -> Option<RejectionReason> {
	System::events().into_iter().rev().find_map(|record| match record.event {
		RuntimeEvent::Guardian(Event::Rejected { circle_id: c, index: i, reason })
			if c == circle_id && i == index =>
		{
			Some(reason)
		},
		_ => None,
	})
}

fn held(n: u8, reason: HoldReason) -> u64 {
	Guardian::held(&reason, &account(n))
}

#[test]
fn a_circle_is_made_with_bounded_distinct_members_and_a_valid_threshold() {
	test(|| {
		let make = |list: Vec<AccountId>, threshold: u32, period: u64, delay: u64| {
			Guardian::create_circle(signed(200), name("c"), members(list), threshold, period, delay)
		};
		assert_noop!(make(accounts(8), 5, 10, 0), Error::<Test>::TooFewMembers);
		let mut duplicate = accounts(9);
		duplicate[8] = account(1);
		assert_noop!(make(duplicate, 5, 10, 0), Error::<Test>::DuplicateMember);
		assert_noop!(make(accounts(9), 0, 10, 0), Error::<Test>::InvalidThreshold);
		assert_noop!(make(accounts(9), 10, 10, 0), Error::<Test>::InvalidThreshold);
		assert_noop!(make(accounts(9), 5, 1, 0), Error::<Test>::InvalidVotingPeriod);
		assert_noop!(make(accounts(9), 5, 101, 0), Error::<Test>::InvalidVotingPeriod);
		assert_noop!(make(accounts(9), 5, 10, 101), Error::<Test>::InvalidExecutionDelay);
		// More than MaxMembers does not even decode into the bounded list; at the bound it works.
		assert!(MembersOf::<Test>::try_from(accounts(100)).is_err());
		let poor = AccountId::new([250; 32]);
		assert_noop!(
			Guardian::create_circle(
				Origin::signed(poor),
				name("c"),
				members(accounts(9)),
				5,
				10,
				0
			),
			Error::<Test>::CannotPayDeposit
		);

		let big = circle(accounts(99), 99, 0);
		assert_eq!(big, 2, "circle 1 is the genesis council");
		let made = Circles::<Test>::get(big).unwrap();
		assert_eq!((made.member_count, made.threshold, made.slots.count_ones()), (99, 99, 99));
		assert_eq!(held(200, HoldReason::CircleDeposit), CIRCLE_DEPOSIT);
		System::assert_last_event(
			Event::CircleCreated {
				circle_id: big,
				creator: Some(account(200)),
				treasury: Guardian::treasury_account(big),
				member_count: 99,
				threshold: 99,
			}
			.into(),
		);
		// The genesis council holds no deposit.
		assert_eq!(Circles::<Test>::get(1).unwrap().deposit, 0);
	});
}

#[test]
fn the_treasury_depends_on_the_circle_alone_and_keeps_its_funds_when_members_change() {
	test(|| {
		let id = nine();
		let other = circle(accounts(9), 5, 0);
		let treasury = Guardian::treasury_account(id);
		assert_ne!(treasury, Guardian::treasury_account(other), "same members, other treasury");
		assert_ok!(Balances::transfer_keep_alive(signed(50), treasury.clone(), 1_000));
		let swap = guardian(crate::Call::swap_member { old: account(9), new: account(60) });
		assert_ok!(agree(id, swap, DispatchAs::Circle));
		assert_eq!(Guardian::treasury_account(id), treasury);
		assert_eq!(Balances::balance(&treasury), 1_000);
		assert!(Members::<Test>::contains_key(id, account(60)));
		assert!(!Members::<Test>::contains_key(id, account(9)));
	});
}

#[test]
fn only_members_propose_calls_within_the_bounds() {
	test(|| {
		let id = nine();
		assert_noop!(
			Guardian::propose(signed(50), id, Box::new(remark()), DispatchAs::Circle),
			Error::<Test>::NotMember
		);
		assert_noop!(
			Guardian::propose(signed(1), 99, Box::new(remark()), DispatchAs::Circle),
			Error::<Test>::CircleNotFound
		);
		let long = RuntimeCall::System(frame_system::Call::remark { remark: vec![0; 300] });
		assert_noop!(
			Guardian::propose(signed(1), id, Box::new(long), DispatchAs::Circle),
			Error::<Test>::CallTooLong
		);
		let heavy = RuntimeCall::System(frame_system::Call::set_code { code: vec![] });
		assert_noop!(
			Guardian::propose(signed(1), id, Box::new(heavy), DispatchAs::Circle),
			Error::<Test>::CallTooHeavy
		);
		for _ in 0..4 {
			propose(id, 1, remark(), DispatchAs::Circle);
		}
		assert_noop!(
			Guardian::propose(signed(2), id, Box::new(remark()), DispatchAs::Circle),
			Error::<Test>::TooManyOpenProposals
		);
		// Each proposal holds its deposit: the base and a unit per byte of its call.
		let bytes = remark().encode().len() as u64;
		assert_eq!(held(1, HoldReason::ProposalDeposit), 4 * (PROPOSAL_DEPOSIT + bytes));
		let proposal = Proposals::<Test>::get(id, 0).unwrap();
		assert_eq!((proposal.aye_count(), proposal.nay_count()), (1, 0), "the proposer's aye");
		assert_eq!(proposal.end, 1 + VOTING_PERIOD);
	});
}

#[test]
fn five_ayes_of_nine_execute_in_the_next_block_and_four_do_not() {
	test(|| {
		let id = nine();
		let index = propose(id, 1, remark(), DispatchAs::Circle);
		ayes(id, index, 2..=4);
		run_to_block(5);
		assert_eq!(executed(id, index), None, "four ayes do not execute");
		assert_noop!(
			Guardian::execute(signed(50), id, index, Weight::MAX),
			Error::<Test>::NotApproved
		);
		assert_ok!(Guardian::vote(signed(5), id, index, true));
		System::assert_last_event(
			Event::Approved { circle_id: id, index, executes_at: 6, on_agenda: true }.into(),
		);
		assert_noop!(Guardian::vote(signed(6), id, index, true), Error::<Test>::AlreadyApproved);
		run_to_block(6);
		assert_eq!(executed(id, index), Some(Ok(())));
		assert!(Proposals::<Test>::get(id, index).is_none());
		assert_eq!(held(1, HoldReason::ProposalDeposit), 0, "the deposit came back");
		assert_eq!(Circles::<Test>::get(id).unwrap().open_proposals, 0);
	});
}

#[test]
fn a_vote_counts_once_and_can_be_changed_until_the_end() {
	test(|| {
		let id = nine();
		let index = propose(id, 1, remark(), DispatchAs::Circle);
		assert_noop!(Guardian::vote(signed(1), id, index, true), Error::<Test>::AlreadyVoted);
		assert_noop!(Guardian::vote(signed(50), id, index, true), Error::<Test>::NotMember);
		assert_noop!(Guardian::vote(signed(2), id, 7, true), Error::<Test>::ProposalNotFound);
		assert_ok!(Guardian::vote(signed(2), id, index, false));
		assert_noop!(Guardian::vote(signed(2), id, index, false), Error::<Test>::AlreadyVoted);
		assert_ok!(Guardian::vote(signed(2), id, index, true));
		System::assert_last_event(
			Event::Voted { circle_id: id, index, voter: account(2), aye: true, ayes: 2, nays: 0 }
				.into(),
		);
		run_to_block(1 + VOTING_PERIOD + 1);
		assert_noop!(Guardian::vote(signed(3), id, index, true), Error::<Test>::ProposalNotFound);
	});
}

#[test]
fn five_nays_of_nine_reject_at_once_and_an_unanswered_proposal_expires() {
	test(|| {
		let id = nine();
		let index = propose(id, 1, remark(), DispatchAs::Circle);
		for voter in 2..=5 {
			assert_ok!(Guardian::vote(signed(voter), id, index, false));
		}
		assert!(Proposals::<Test>::get(id, index).is_some(), "5 ayes are still possible");
		assert_ok!(Guardian::vote(signed(6), id, index, false));
		assert_eq!(rejected(id, index), Some(RejectionReason::Unreachable));
		assert_eq!(held(1, HoldReason::ProposalDeposit), 0);

		let quiet = propose(id, 1, remark(), DispatchAs::Circle);
		run_to_block(1 + VOTING_PERIOD);
		assert!(Proposals::<Test>::get(id, quiet).is_some(), "open through its last block");
		assert_ok!(Guardian::vote(signed(2), id, quiet, true));
		run_to_block(1 + VOTING_PERIOD + 1);
		assert_eq!(rejected(id, quiet), Some(RejectionReason::Expired));
		assert_eq!(held(1, HoldReason::ProposalDeposit), 0);
	});
}

#[test]
fn an_execution_delay_holds_an_approved_call_and_then_anyone_may_execute_it() {
	test(|| {
		let id = circle(accounts(9), 5, 20);
		let index = propose(id, 1, remark(), DispatchAs::Circle);
		ayes(id, index, 2..=5);
		System::assert_last_event(
			Event::Approved { circle_id: id, index, executes_at: 21, on_agenda: true }.into(),
		);
		assert_noop!(
			Guardian::execute(signed(50), id, index, Weight::MAX),
			Error::<Test>::TooEarly
		);
		run_to_block(20);
		assert_eq!(executed(id, index), None);
		// Past the voting period, an approved proposal waits for its execution, not rejected.
		assert!(Proposals::<Test>::get(id, index).is_some());
		System::set_block_number(21);
		assert_noop!(
			Guardian::execute(signed(50), id, index, Weight::zero()),
			Error::<Test>::WeightBoundTooLow
		);
		assert_ok!(Guardian::execute(signed(50), id, index, Weight::MAX));
		assert_eq!(executed(id, index), Some(Ok(())));
		// The block's hook finds it done.
		System::set_block_number(20);
		run_to_block(21);
		assert_eq!(
			System::events()
				.iter()
				.filter(|r| matches!(r.event, RuntimeEvent::Guardian(Event::Executed { .. })))
				.count(),
			1
		);
	});
}

#[test]
fn a_failed_dispatch_still_ends_the_proposal_with_its_error() {
	test(|| {
		let id = nine();
		// The treasury holds nothing: the transfer fails.
		let result = agree(id, transfer(50, 100), DispatchAs::Treasury);
		assert_eq!(result, Err(DispatchError::Token(TokenError::FundsUnavailable)));
		assert_eq!(Circles::<Test>::get(id).unwrap().open_proposals, 0);
		assert_eq!(held(1, HoldReason::ProposalDeposit), 0);
	});
}

#[test]
fn the_treasury_pays_only_by_proposal() {
	test(|| {
		let id = nine();
		let treasury = Guardian::treasury_account(id);
		assert_ok!(Balances::transfer_keep_alive(signed(50), treasury.clone(), 1_000));
		let before = Balances::balance(&account(60));
		assert_ok!(agree(id, transfer(60, 300), DispatchAs::Treasury));
		assert_eq!(Balances::balance(&account(60)), before + 300);
		assert_eq!(Balances::balance(&treasury), 700);
		// With the circle's origin, the same call has no account to pay from.
		assert_eq!(agree(id, transfer(60, 300), DispatchAs::Circle), Err(DispatchError::BadOrigin));
	});
}

#[test]
fn membership_changes_only_by_the_circles_own_proposal_and_within_the_bounds() {
	test(|| {
		let id = nine();
		let add = |n: u8| guardian(crate::Call::add_member { member: account(n) });
		let remove = |n: u8| guardian(crate::Call::remove_member { member: account(n) });
		assert_noop!(Guardian::add_member(signed(1), account(60)), DispatchError::BadOrigin);
		assert_noop!(Guardian::remove_member(signed(1), account(9)), DispatchError::BadOrigin);
		assert_noop!(Guardian::set_threshold(signed(1), 3), DispatchError::BadOrigin);
		// Another circle's origin changes its own members only.
		let other = circle((20..=28).map(account).collect(), 5, 0);
		assert_ok!(agree_as(other, 20, add(61)));
		assert!(Members::<Test>::contains_key(other, account(61)));
		assert!(!Members::<Test>::contains_key(id, account(61)));

		assert_eq!(
			agree(id, remove(9), DispatchAs::Circle),
			Err(Error::<Test>::TooFewMembers.into())
		);
		assert_eq!(agree(id, add(5), DispatchAs::Circle), Err(Error::<Test>::AlreadyMember.into()));
		assert_ok!(agree(id, add(60), DispatchAs::Circle));
		let threshold = |t: u32| guardian(crate::Call::set_threshold { threshold: t });
		assert_eq!(
			agree(id, threshold(11), DispatchAs::Circle),
			Err(Error::<Test>::InvalidThreshold.into())
		);
		assert_eq!(
			agree(id, threshold(0), DispatchAs::Circle),
			Err(Error::<Test>::InvalidThreshold.into())
		);
		assert_ok!(agree(id, threshold(10), DispatchAs::Circle));
		// Ten members at threshold 10: removing one would leave the threshold above them.
		let index = propose(id, 1, remove(60), DispatchAs::Circle);
		ayes(id, index, 2..=9);
		assert_ok!(Guardian::vote(signed(60), id, index, true));
		run_to_block(System::block_number() + 1);
		assert_eq!(executed(id, index), Some(Err(Error::<Test>::InvalidThreshold.into())));
		assert_eq!(Circles::<Test>::get(id).unwrap().member_count, 10);
	});
}

/// As [`agree`] for a circle of 9 consecutive accounts from `first`.
fn agree_as(circle_id: CircleId, first: u8, call: RuntimeCall) -> DispatchResult {
	let index = propose(circle_id, first, call, DispatchAs::Circle);
	ayes(circle_id, index, first + 1..=first + 4);
	run_to_block(System::block_number() + 1);
	executed(circle_id, index).expect("executed")
}

#[test]
fn a_change_of_members_or_threshold_rejects_the_proposals_voted_under_the_old_one() {
	test(|| {
		let id = nine();
		let pending = propose(id, 2, remark(), DispatchAs::Circle);
		ayes(id, pending, 3..=4);
		// Approved before the change: it still executes.
		let approved = propose(id, 3, remark(), DispatchAs::Circle);
		ayes(id, approved, [1, 2, 4, 5]);
		let swap = propose(
			id,
			1,
			guardian(crate::Call::swap_member { old: account(4), new: account(70) }),
			DispatchAs::Circle,
		);
		ayes(id, swap, 2..=5);
		run_to_block(System::block_number() + 1);
		assert_eq!(executed(id, swap), Some(Ok(())));
		assert_eq!(executed(id, approved), Some(Ok(())));
		assert_eq!(rejected(id, pending), Some(RejectionReason::MembershipChanged));
		assert_eq!(held(2, HoldReason::ProposalDeposit), 0);
		// The new member sits in the old one's seat, with no vote carried over.
		assert_eq!(Members::<Test>::get(id, account(70)).unwrap().slot, 3);
	});
}

#[test]
fn one_circle_votes_in_another_through_its_treasury() {
	test(|| {
		let a = nine();
		let a_treasury = Guardian::treasury_account(a);
		let mut b_members: Vec<_> = (20..=27).map(account).collect();
		b_members.push(a_treasury.clone());
		let b = circle(b_members, 5, 0);
		let in_b = propose(b, 20, remark(), DispatchAs::Circle);
		ayes(b, in_b, 21..=23);
		// Circle A decides to cast its vote in B: the fifth aye.
		let vote = guardian(crate::Call::vote { circle_id: b, index: in_b, aye: true });
		assert_ok!(agree(a, vote, DispatchAs::Treasury));
		System::assert_has_event(
			Event::Voted {
				circle_id: b,
				index: in_b,
				voter: a_treasury,
				aye: true,
				ayes: 5,
				nays: 0,
			}
			.into(),
		);
		run_to_block(System::block_number() + 1);
		assert_eq!(executed(b, in_b), Some(Ok(())));
	});
}

#[test]
fn members_register_their_keys_on_other_chains_and_the_api_lists_them_in_seat_order() {
	test(|| {
		let id = nine();
		let kind = KeyKind::StellarEd25519;
		assert_noop!(
			Guardian::set_member_key(signed(50), id, kind, Some([1; 32])),
			Error::<Test>::NotMember
		);
		assert_ok!(Guardian::set_member_key(signed(3), id, kind, Some([3; 32])));
		assert_ok!(Guardian::set_member_key(signed(3), id, kind, Some([4; 32])));
		assert_ok!(Guardian::set_member_key(signed(5), id, kind, Some([5; 32])));
		assert_ok!(Guardian::set_member_key(signed(5), id, kind, None));
		let view = Guardian::circle_view(id).unwrap();
		assert_eq!(view.threshold, 5);
		assert_eq!(view.treasury, Guardian::treasury_account(id));
		assert_eq!(view.members.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>(), accounts(9));
		assert_eq!(view.members[2].1, vec![(kind, [4; 32])]);
		assert!(view.members[4].1.is_empty());
		assert!(Guardian::circle_view(99).is_none());
	});
}

#[test]
fn roles_are_given_by_the_council_alone() {
	test(|| {
		let id = nine();
		assert_noop!(
			Guardian::set_role(signed(101), Role::Auditor, Some(id)),
			DispatchError::BadOrigin
		);
		// Any other circle's origin is not the council's.
		let set = guardian(crate::Call::set_role { role: Role::Auditor, circle_id: Some(id) });
		assert_eq!(agree(id, set.clone(), DispatchAs::Circle), Err(DispatchError::BadOrigin));
		let index = propose(1, 101, set, DispatchAs::Circle);
		ayes(1, index, 102..=105);
		run_to_block(System::block_number() + 1);
		assert_eq!(executed(1, index), Some(Ok(())));
		assert_eq!(Roles::<Test>::get(Role::Auditor), Some(id));
	});
}

#[test]
fn a_circle_dissolves_by_its_own_proposal_once_its_treasury_is_empty() {
	test(|| {
		let id = nine();
		let treasury = Guardian::treasury_account(id);
		assert_ok!(Balances::transfer_keep_alive(signed(50), treasury.clone(), 100));
		let other = propose(id, 2, remark(), DispatchAs::Circle);
		let dissolve = guardian(crate::Call::dissolve_circle {});
		assert_eq!(
			agree(id, dissolve.clone(), DispatchAs::Circle),
			Err(Error::<Test>::TreasuryNotEmpty.into())
		);
		assert_ok!(agree(id, transfer_all(50), DispatchAs::Treasury));
		assert_eq!(Balances::balance(&treasury), 0);
		assert_ok!(agree(id, dissolve, DispatchAs::Circle));
		assert!(Circles::<Test>::get(id).is_none());
		assert_eq!(Members::<Test>::iter_prefix(id).count(), 0);
		assert_eq!(rejected(id, other), Some(RejectionReason::Dissolved));
		assert_eq!(held(200, HoldReason::CircleDeposit), 0);
		assert_eq!(held(2, HoldReason::ProposalDeposit), 0);
		assert_noop!(Guardian::vote(signed(3), id, other, true), Error::<Test>::CircleNotFound);
	});
}

fn transfer_all(to: u8) -> RuntimeCall {
	RuntimeCall::Balances(pallet_balances::Call::transfer_all {
		dest: account(to),
		keep_alive: false,
	})
}

#[test]
fn the_proposer_withdraws_a_proposal_until_it_is_approved() {
	test(|| {
		let id = nine();
		let index = propose(id, 1, remark(), DispatchAs::Circle);
		assert_noop!(Guardian::withdraw_proposal(signed(2), id, index), Error::<Test>::NotProposer);
		assert_ok!(Guardian::withdraw_proposal(signed(1), id, index));
		assert_eq!(rejected(id, index), Some(RejectionReason::Withdrawn));
		let approved = propose(id, 1, remark(), DispatchAs::Circle);
		ayes(id, approved, 2..=5);
		assert_noop!(
			Guardian::withdraw_proposal(signed(1), id, approved),
			Error::<Test>::AlreadyApproved
		);
	});
}

#[test]
fn a_threshold_of_one_approves_at_the_proposal() {
	test(|| {
		let id = circle(accounts(9), 1, 0);
		let index = propose(id, 4, remark(), DispatchAs::Circle);
		System::assert_last_event(
			Event::Approved { circle_id: id, index, executes_at: 2, on_agenda: true }.into(),
		);
		run_to_block(2);
		assert_eq!(executed(id, index), Some(Ok(())));
	});
}

#[test]
fn a_full_block_sends_what_is_due_to_the_next_ones() {
	test(|| {
		// Three circles, three proposals each, all made in block 1: their voting ends in block
		// 11 and they are due in block 12; three fit a block, so the rest are due in 13 and 14
		// and their voting lasts as long.
		let ids: Vec<_> = (0..3).map(|_| nine()).collect();
		for id in &ids {
			for _ in 0..3 {
				propose(*id, 1, remark(), DispatchAs::Circle);
			}
		}
		assert_eq!(Agenda::<Test>::get(12).len(), 3);
		assert_eq!(Agenda::<Test>::get(13).len(), 3);
		assert_eq!(Agenda::<Test>::get(14).len(), 3);
		assert_eq!(Proposals::<Test>::get(ids[2], 2).unwrap().end, 13);
		run_to_block(12);
		assert_eq!(Proposals::<Test>::iter().count(), 6);
		run_to_block(14);
		assert_eq!(Proposals::<Test>::iter().count(), 0);
	});
}

#[test]
fn calls_beyond_the_blocks_execution_budget_wait_for_the_next_block() {
	test(|| {
		let id = nine();
		let first = propose(id, 1, remark(), DispatchAs::Circle);
		let second = propose(id, 1, remark(), DispatchAs::Circle);
		// Room for one call only.
		let one_call = Proposals::<Test>::get(id, first).unwrap().call_weight;
		MaxExecutionWeightPerBlock::set(one_call);
		ayes(id, first, 2..=5);
		ayes(id, second, 2..=5);
		run_to_block(2);
		assert_eq!(executed(id, first), Some(Ok(())));
		assert_eq!(executed(id, second), None);
		run_to_block(3);
		assert_eq!(executed(id, second), Some(Ok(())));
	});
}

#[test]
fn a_circle_of_ninety_nine_counts_every_seat() {
	test(|| {
		let id = circle((1..=99).map(account).collect(), 66, 0);
		let index = propose(id, 99, remark(), DispatchAs::Circle);
		ayes(id, index, 1..=64);
		assert_eq!(executed(id, index), None);
		assert_ok!(Guardian::vote(signed(98), id, index, true));
		System::assert_has_event(
			Event::Approved { circle_id: id, index, executes_at: 2, on_agenda: true }.into(),
		);
		let nays = propose(id, 99, remark(), DispatchAs::Circle);
		for voter in 1..=33 {
			assert_ok!(Guardian::vote(signed(voter), id, nays, false));
		}
		assert!(Proposals::<Test>::get(id, nays).is_some(), "66 ayes still possible");
		assert_ok!(Guardian::vote(signed(34), id, nays, false));
		assert_eq!(rejected(id, nays), Some(RejectionReason::Unreachable));
	});
}

#[test]
fn only_the_council_dispatches_as_root() {
	test(|| {
		let id = nine();
		let set_storage = || {
			RuntimeCall::System(frame_system::Call::set_storage {
				items: vec![(b"gc".to_vec(), b"governed".to_vec())],
			})
		};
		assert_noop!(
			Guardian::propose(signed(1), id, Box::new(set_storage()), DispatchAs::Root),
			Error::<Test>::NotCouncil
		);
		// Root calls refuse a circle's own origin.
		assert_eq!(agree(id, set_storage(), DispatchAs::Circle), Err(DispatchError::BadOrigin));
		let index = propose(1, 101, set_storage(), DispatchAs::Root);
		ayes(1, index, 102..=105);
		run_to_block(System::block_number() + 1);
		assert_eq!(executed(1, index), Some(Ok(())));
		assert_eq!(sp_io::storage::get(b"gc").map(|v| v.to_vec()), Some(b"governed".to_vec()));
		// A council that lost its role before execution: its root call is refused.
		let late = propose(1, 101, set_storage(), DispatchAs::Root);
		ayes(1, late, 102..=105);
		Roles::<Test>::remove(Role::Council);
		run_to_block(System::block_number() + 1);
		assert_eq!(executed(1, late), Some(Err(Error::<Test>::NotCouncil.into())));
	});
}

#[test]
fn a_full_circle_takes_no_member_and_ids_do_not_wrap() {
	test(|| {
		let full = circle((1..=99).map(account).collect(), 5, 0);
		let add = guardian(crate::Call::add_member { member: account(150) });
		let index = propose(full, 1, add, DispatchAs::Circle);
		ayes(full, index, 2..=5);
		run_to_block(2);
		assert_eq!(executed(full, index), Some(Err(Error::<Test>::TooManyMembers.into())));
		NextCircleId::<Test>::put(CircleId::MAX);
		assert_noop!(
			Guardian::create_circle(signed(200), name("c"), members(accounts(9)), 5, 10, 0),
			Error::<Test>::IdsExhausted
		);
	});
}

#[test]
fn when_every_block_near_the_end_is_full_a_proposal_is_refused_by_name() {
	test(|| {
		// 12 circles of 4 open proposals fill the agendas of the 16 blocks from their voting
		// end on (3 a block); a 13th circle's proposal finds no room.
		let circles: Vec<_> = (0..13u8)
			.map(|n| {
				let id = NextCircleId::<Test>::get();
				assert_ok!(Guardian::create_circle(
					signed(120 + n),
					name("c"),
					members(accounts(9)),
					5,
					VOTING_PERIOD,
					0
				));
				id
			})
			.collect();
		for id in &circles[..12] {
			for proposer in 1..=4 {
				propose(*id, proposer, remark(), DispatchAs::Circle);
			}
		}
		assert_eq!(Agenda::<Test>::get(12 + 15).len(), 3);
		assert_noop!(
			Guardian::propose(signed(1), circles[12], Box::new(remark()), DispatchAs::Circle),
			Error::<Test>::AgendaFull
		);
	});
}

#[test]
fn passing_over_full_agendas_is_charged_to_the_proposer_and_the_approving_voter() {
	test(|| {
		use frame_support::dispatch::{GetDispatchInfo, PostDispatchInfo};
		let id = nine();
		let other = nine();
		// Block 12's agenda (the voting end of proposals made now) is full: three of another
		// circle's proposals.
		for _ in 0..3 {
			propose(other, 1, remark(), DispatchAs::Circle);
		}
		let call = guardian(crate::Call::propose {
			circle_id: id,
			call: Box::new(remark()),
			dispatch_as: DispatchAs::Circle,
		});
		let declared = call.get_dispatch_info().call_weight;
		let post: PostDispatchInfo = call.dispatch(signed(1)).unwrap();
		let db: frame_support::weights::RuntimeDbWeight =
			<<Test as frame_system::Config>::DbWeight as Get<_>>::get();
		let length = remark().encode().len() as u32;
		let charged = post.actual_weight.unwrap();
		assert_eq!(
			charged,
			<() as WeightInfo>::propose(length).saturating_add(db.reads_writes(1, 1))
		);
		assert!(charged.all_lte(declared));
		assert_eq!(Proposals::<Test>::get(id, 0).unwrap().end, 12, "voting lasts as long");

		// Block 2's agenda (executions approved now) is full too: the approving vote passes
		// over it and pays for it.
		Agenda::<Test>::insert(2, BoundedVec::try_from(vec![(99, 0, Due::End); 3]).unwrap());
		ayes(id, 0, 2..=4);
		let vote = guardian(crate::Call::vote { circle_id: id, index: 0, aye: true });
		let post: PostDispatchInfo = vote.dispatch(signed(5)).unwrap();
		assert_eq!(
			post.actual_weight.unwrap(),
			<() as WeightInfo>::vote_approving().saturating_add(db.reads_writes(1, 1))
		);
		System::assert_last_event(
			Event::Approved { circle_id: id, index: 0, executes_at: 3, on_agenda: true }.into(),
		);
		Agenda::<Test>::remove(2);
	});
}

#[test]
fn when_every_agenda_near_it_is_full_an_approval_stands_and_anyone_executes_it() {
	test(|| {
		use frame_support::dispatch::PostDispatchInfo;
		let id = nine();
		let index = propose(id, 1, transfer(60, 300), DispatchAs::Treasury);
		assert_ok!(Balances::transfer_keep_alive(
			signed(50),
			Guardian::treasury_account(id),
			1_000
		));
		let before = Balances::balance(&account(60));
		// The 16 blocks from block 2 on (where an approval made now would execute) are full.
		for block in 2..2 + crate::proposals::AGENDA_SPILL_BLOCKS as u64 {
			Agenda::<Test>::insert(
				block,
				BoundedVec::try_from(vec![(99, 0, Due::End); 3]).unwrap(),
			);
		}
		ayes(id, index, 2..=4);
		let vote = guardian(crate::Call::vote { circle_id: id, index, aye: true });
		let post: PostDispatchInfo = vote.dispatch(signed(5)).unwrap();
		// Charged for every block it looked at.
		let db: frame_support::weights::RuntimeDbWeight =
			<<Test as frame_system::Config>::DbWeight as Get<_>>::get();
		let passed_over = crate::proposals::AGENDA_SPILL_BLOCKS as u64 - 1;
		assert_eq!(
			post.actual_weight.unwrap(),
			<() as WeightInfo>::vote_approving()
				.saturating_add(db.reads_writes(passed_over, passed_over))
		);
		System::assert_last_event(
			Event::Approved { circle_id: id, index, executes_at: 2, on_agenda: false }.into(),
		);
		assert!(Proposals::<Test>::get(id, index).unwrap().executes_at.is_some());
		// The chain does not execute it; anyone may, from block 2 on.
		run_to_block(3);
		assert_eq!(executed(id, index), None);
		assert_eq!(Balances::balance(&account(60)), before);
		assert_ok!(Guardian::execute(signed(50), id, index, Weight::MAX));
		assert_eq!(executed(id, index), Some(Ok(())));
		assert_eq!(Balances::balance(&account(60)), before + 300);
	});
}

/// Proposes `call` to the council (circle 1, accounts 101..=109) and has it agreed; the result.
fn council_agrees(call: RuntimeCall) -> DispatchResult {
	let index = propose(1, 101, call, DispatchAs::Circle);
	ayes(1, index, 102..=105);
	run_to_block(System::block_number() + 1);
	executed(1, index).expect("executed")
}

#[test]
fn the_council_cannot_leave_the_chain_without_one() {
	test(|| {
		// Not dissolved, not left without its role...
		let dissolve = guardian(crate::Call::dissolve_circle {});
		assert_eq!(council_agrees(dissolve), Err(Error::<Test>::CouncilCannotDissolve.into()));
		let none = guardian(crate::Call::set_role { role: Role::Council, circle_id: None });
		assert_eq!(council_agrees(none), Err(Error::<Test>::CouncilRequired.into()));
		assert_eq!(Roles::<Test>::get(Role::Council), Some(1));
		assert!(Circles::<Test>::contains_key(1));
		// ...but it hands the role on, after which the old council may go.
		let next = nine();
		let hand_on =
			guardian(crate::Call::set_role { role: Role::Council, circle_id: Some(next) });
		assert_eq!(council_agrees(hand_on), Ok(()));
		assert_eq!(Roles::<Test>::get(Role::Council), Some(next));
		let index = propose(1, 101, guardian(crate::Call::dissolve_circle {}), DispatchAs::Circle);
		ayes(1, index, 102..=105);
		run_to_block(System::block_number() + 1);
		assert_eq!(executed(1, index), Some(Ok(())));
		assert!(!Circles::<Test>::contains_key(1));
	});
}

#[test]
fn a_proposal_that_ends_leaves_nothing_on_any_agenda() {
	test(|| {
		let id = circle(accounts(9), 5, 3);
		let on =
			|block: u64| Agenda::<Test>::get(block).iter().filter(|(c, _, _)| *c == id).count();
		// Withdrawn: its voting end's entry goes with it.
		let withdrawn = propose(id, 1, remark(), DispatchAs::Circle);
		let end = Proposals::<Test>::get(id, withdrawn).unwrap().end;
		assert_eq!(on(end + 1), 1);
		assert_ok!(Guardian::withdraw_proposal(signed(1), id, withdrawn));
		assert_eq!(on(end + 1), 0);
		assert!(!Agenda::<Test>::contains_key(end + 1), "an emptied agenda is removed");
		// Executed by anyone after its delay: both its entries go.
		let approved = propose(id, 1, remark(), DispatchAs::Circle);
		ayes(id, approved, 2..=5);
		let executes_at = Proposals::<Test>::get(id, approved).unwrap().executes_at.unwrap();
		assert_eq!((on(end + 1), on(executes_at)), (1, 1));
		System::set_block_number(executes_at);
		assert_ok!(Guardian::execute(signed(50), id, approved, Weight::MAX));
		assert_eq!((on(end + 1), on(executes_at)), (0, 0));
		// Rejected by nays.
		let rejected_one = propose(id, 1, remark(), DispatchAs::Circle);
		let end = Proposals::<Test>::get(id, rejected_one).unwrap().end;
		for nay in 2..=6 {
			assert_ok!(Guardian::vote(signed(nay), id, rejected_one, false));
		}
		assert_eq!(rejected(id, rejected_one), Some(RejectionReason::Unreachable));
		assert_eq!(on(end + 1), 0);
	});
}

#[test]
fn an_approved_proposal_keeps_its_votes_when_a_voter_leaves_before_it_executes() {
	test(|| {
		let id = circle(accounts(10), 5, 2);
		// Account 10 proposes (an aye) on a proposal approved with a delay, then is removed by an
		// earlier approved one.
		let remove = propose(
			id,
			1,
			guardian(crate::Call::remove_member { member: account(10) }),
			DispatchAs::Circle,
		);
		ayes(id, remove, 2..=5);
		run_to_block(2);
		let kept = propose(id, 10, remark(), DispatchAs::Circle);
		ayes(id, kept, 2..=5);
		run_to_block(3);
		assert_eq!(executed(id, remove), Some(Ok(())));
		assert!(Proposals::<Test>::get(id, kept).is_some());
		Guardian::do_try_state().expect("the invariants hold with a departed voter's aye");
		run_to_block(4);
		assert_eq!(executed(id, kept), Some(Ok(())));
	});
}

#[test]
fn a_call_heavier_than_when_it_was_proposed_is_not_run() {
	test(|| {
		let id = nine();
		assert_ok!(Balances::transfer_keep_alive(
			signed(50),
			Guardian::treasury_account(id),
			1_000
		));
		let before = Balances::balance(&account(60));
		let index = propose(id, 1, transfer(60, 300), DispatchAs::Treasury);
		// As if a runtime upgrade made the call heavier than the weight it was proposed with.
		Proposals::<Test>::mutate(id, index, |proposal| {
			let proposal = proposal.as_mut().unwrap();
			assert!(proposal.call_weight.any_gt(Weight::zero()));
			proposal.call_weight = Weight::zero();
		});
		ayes(id, index, 2..=5);
		run_to_block(System::block_number() + 1);
		assert_eq!(executed(id, index), Some(Err(Error::<Test>::CallHeavierThanProposed.into())));
		assert_eq!(Balances::balance(&account(60)), before);
	});
}
