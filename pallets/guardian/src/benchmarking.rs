//! Benchmarks of every call and of the block's agenda, at the largest circle
//! (`MaxMembers`) and with the most open proposals.

use crate::{pallet::*, types::*};
use alloc::{boxed::Box, vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::Inspect;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::Mutate, EnsureOrigin},
};
use frame_system::RawOrigin;
use sp_runtime::traits::Saturating;

/// The circle whose origin `EnsureCircle` gives benchmarks.
pub const CIRCLE_ORIGIN_FOR_BENCHMARKS: CircleId = 1;

fn member<T: Config>(n: u32) -> T::AccountId {
	account("member", n, 0)
}

/// Enough for a circle's deposit and the most proposals' deposits, and fees.
fn fund<T: Config>(who: &T::AccountId) {
	let proposal = T::ProposalDeposit::get().saturating_add(
		T::ProposalDepositPerByte::get().saturating_mul(T::MaxCallLength::get().into()),
	);
	let amount = T::Currency::minimum_balance()
		.saturating_mul(1_000u32.into())
		.saturating_add(T::CircleDeposit::get())
		.saturating_add(proposal.saturating_mul(T::MaxOpenProposals::get().into()));
	T::Currency::set_balance(who, amount);
}

fn members<T: Config>(count: u32) -> MembersOf<T> {
	let list: Vec<_> = (0..count).map(member::<T>).collect();
	for account in &list {
		fund::<T>(account);
	}
	list.try_into().expect("within MaxMembers")
}

/// A circle of `MaxMembers` members made by a funded account, threshold all of them; its id.
fn largest_circle<T: Config>() -> CircleId {
	let creator: T::AccountId = whitelisted_caller();
	fund::<T>(&creator);
	let max = T::MaxMembers::get();
	Pallet::<T>::do_create_circle(
		Some(creator),
		vec![b'c'; T::MaxNameLength::get() as usize].try_into().expect("the longest name"),
		members::<T>(max),
		max,
		T::MinVotingPeriod::get(),
		Zero::zero(),
	)
	.expect("a valid circle")
}

/// A circle of the fewest members, `member` among them, made by a funded account; its id.
pub fn circle_with_member<T: Config>(member: &T::AccountId) -> CircleId {
	let creator: T::AccountId = whitelisted_caller();
	fund::<T>(&creator);
	let size = T::MinMembers::get();
	// Members of their own, so `member` may be any account (e.g. another benchmark's).
	let mut list: Vec<T::AccountId> = (1..size).map(|n| account("circle-member", n, 0)).collect();
	list.push(member.clone());
	Pallet::<T>::do_create_circle(
		Some(creator),
		b"circle".to_vec().try_into().expect("a short name"),
		list.try_into().expect("within MaxMembers"),
		size,
		T::MinVotingPeriod::get(),
		Zero::zero(),
	)
	.expect("a valid circle")
}

/// A circle of exactly `members` with their Stellar keys, and its treasury funded; its id.
pub fn stellar_circle<T: Config>(members: &[(T::AccountId, [u8; 32])], threshold: u32) -> CircleId {
	let creator: T::AccountId = whitelisted_caller();
	fund::<T>(&creator);
	let list: Vec<T::AccountId> = members.iter().map(|(member, _)| member.clone()).collect();
	let circle_id = Pallet::<T>::do_create_circle(
		Some(creator),
		b"stellar circle".to_vec().try_into().expect("a short name"),
		list.try_into().expect("within MaxMembers"),
		threshold,
		T::MinVotingPeriod::get(),
		Zero::zero(),
	)
	.expect("a valid circle");
	for (member, key) in members {
		Pallet::<T>::set_member_key(
			RawOrigin::Signed(member.clone()).into(),
			circle_id,
			KeyKind::StellarEd25519,
			Some(*key),
		)
		.expect("a member's key");
	}
	fund::<T>(&Pallet::<T>::treasury_account(circle_id));
	circle_id
}

/// A circle that holds `role`, made for the benchmark if none does.
pub fn circle_with_role<T: Config>(role: Role) -> CircleId {
	if let Some(circle_id) = Roles::<T>::get(role) {
		return circle_id;
	}
	let circle_id = largest_circle::<T>();
	Roles::<T>::insert(role, circle_id);
	circle_id
}

fn largest_call<T: Config>() -> <T as Config>::RuntimeCall {
	// A remark as long as a proposal's call may be (less its call and length prefix).
	let length = T::MaxCallLength::get().saturating_sub(8) as usize;
	frame_system::Call::<T>::remark { remark: vec![7; length] }.into()
}

/// `count` open proposals in the circle, each with one aye fewer than the threshold.
fn open_proposals<T: Config>(circle_id: CircleId, count: u32) -> Vec<ProposalIndex> {
	(0..count)
		.map(|n| {
			let circle = Circles::<T>::get(circle_id).expect("the circle");
			let index = circle.next_proposal;
			Pallet::<T>::do_propose(
				member::<T>(n % circle.member_count),
				circle_id,
				largest_call::<T>(),
				DispatchAs::Circle,
			)
			.expect("a valid proposal");
			index
		})
		.collect()
}

/// Every member but the last votes aye on the proposal.
fn all_ayes_but_one<T: Config>(circle_id: CircleId, index: ProposalIndex, proposer: u32) {
	for n in 0..T::MaxMembers::get() - 1 {
		if n != proposer {
			Pallet::<T>::do_vote(member::<T>(n), circle_id, index, true).expect("a vote");
		}
	}
}

fn circle_origin<T: Config>(circle_id: CircleId) -> <T as frame_system::Config>::RuntimeOrigin
where
	<T as frame_system::Config>::RuntimeOrigin: From<Origin>,
{
	Origin::Circle(circle_id).into()
}

#[benchmarks(where <T as frame_system::Config>::RuntimeOrigin: From<Origin>)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_circle(m: Linear<9, { T::MaxMembers::get() }>) {
		let m = m.max(T::MinMembers::get());
		let creator: T::AccountId = whitelisted_caller();
		fund::<T>(&creator);
		let name: NameOf<T> =
			vec![b'c'; T::MaxNameLength::get() as usize].try_into().expect("the longest name");
		let list = members::<T>(m);
		let id = NextCircleId::<T>::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(creator), name, list, m, T::MinVotingPeriod::get(), Zero::zero());
		assert_eq!(Circles::<T>::get(id).expect("made").member_count, m);
	}

	#[benchmark]
	fn propose(l: Linear<1, { T::MaxCallLength::get() }>) {
		let circle_id = largest_circle::<T>();
		let proposer = member::<T>(0);
		let length = l.saturating_sub(8) as usize;
		let call: <T as Config>::RuntimeCall =
			frame_system::Call::<T>::remark { remark: vec![7; length] }.into();
		#[extrinsic_call]
		_(RawOrigin::Signed(proposer), circle_id, Box::new(call), DispatchAs::Circle);
		assert_eq!(Circles::<T>::get(circle_id).expect("the circle").open_proposals, 1);
	}

	/// A vote that decides nothing: what most votes cost, and what they are charged in the end.
	#[benchmark]
	fn vote() {
		let circle_id = largest_circle::<T>();
		let index = open_proposals::<T>(circle_id, 1)[0];
		let voter = member::<T>(1);
		#[extrinsic_call]
		_(RawOrigin::Signed(voter), circle_id, index, true);
		assert_eq!(Proposals::<T>::get(circle_id, index).expect("open").aye_count(), 2);
	}

	/// The vote that approves: it also puts the proposal on the agenda.
	#[benchmark]
	fn vote_approving() {
		let circle_id = largest_circle::<T>();
		let index = open_proposals::<T>(circle_id, 1)[0];
		all_ayes_but_one::<T>(circle_id, index, 0);
		let last = member::<T>(T::MaxMembers::get() - 1);
		#[extrinsic_call]
		vote(RawOrigin::Signed(last), circle_id, index, true);
		assert!(Proposals::<T>::get(circle_id, index).expect("open").executes_at.is_some());
	}

	/// The nay that leaves the ayes unable to reach the threshold: it also ends the proposal.
	#[benchmark]
	fn vote_rejecting() {
		let circle_id = largest_circle::<T>();
		let index = open_proposals::<T>(circle_id, 1)[0];
		// The threshold is every member: the first nay decides.
		let voter = member::<T>(1);
		#[extrinsic_call]
		vote(RawOrigin::Signed(voter), circle_id, index, false);
		assert!(Proposals::<T>::get(circle_id, index).is_none());
	}

	/// Executing an approved proposal (its call, a remark, counted apart).
	#[benchmark]
	fn execute() {
		let circle_id = largest_circle::<T>();
		let index = open_proposals::<T>(circle_id, 1)[0];
		all_ayes_but_one::<T>(circle_id, index, 0);
		Pallet::<T>::do_vote(member::<T>(T::MaxMembers::get() - 1), circle_id, index, true)
			.expect("the approving vote");
		frame_system::Pallet::<T>::set_block_number(
			frame_system::Pallet::<T>::block_number() + 1u32.into(),
		);
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), circle_id, index, Weight::MAX);
		assert!(Proposals::<T>::get(circle_id, index).is_none());
	}

	#[benchmark]
	fn withdraw_proposal() {
		let circle_id = largest_circle::<T>();
		let index = open_proposals::<T>(circle_id, 1)[0];
		#[extrinsic_call]
		_(RawOrigin::Signed(member::<T>(0)), circle_id, index);
		assert!(Proposals::<T>::get(circle_id, index).is_none());
	}

	#[benchmark]
	fn add_member(p: Linear<0, { T::MaxOpenProposals::get() }>) -> Result<(), BenchmarkError> {
		let circle_id = largest_circle::<T>();
		// Room for one more: the largest circle less one member.
		let removed = member::<T>(T::MaxMembers::get() - 1);
		Members::<T>::remove(circle_id, &removed);
		Circles::<T>::mutate(circle_id, |circle| {
			let circle = circle.as_mut().expect("the circle");
			circle.member_count -= 1;
			circle.threshold -= 1;
			circle.slots &= !(1 << (T::MaxMembers::get() - 1));
		});
		open_proposals::<T>(circle_id, p);
		#[extrinsic_call]
		_(
			circle_origin::<T>(circle_id) as <T as frame_system::Config>::RuntimeOrigin,
			removed.clone(),
		);
		assert!(Members::<T>::contains_key(circle_id, removed));
		Ok(())
	}

	#[benchmark]
	fn remove_member(p: Linear<0, { T::MaxOpenProposals::get() }>) {
		let circle_id = largest_circle::<T>();
		Circles::<T>::mutate(circle_id, |circle| {
			circle.as_mut().expect("the circle").threshold = T::MinMembers::get();
		});
		open_proposals::<T>(circle_id, p);
		let leaving = member::<T>(0);
		#[extrinsic_call]
		_(
			circle_origin::<T>(circle_id) as <T as frame_system::Config>::RuntimeOrigin,
			leaving.clone(),
		);
		assert!(!Members::<T>::contains_key(circle_id, leaving));
	}

	#[benchmark]
	fn swap_member(p: Linear<0, { T::MaxOpenProposals::get() }>) {
		let circle_id = largest_circle::<T>();
		open_proposals::<T>(circle_id, p);
		let new: T::AccountId = account("new", 0, 0);
		#[extrinsic_call]
		_(
			circle_origin::<T>(circle_id) as <T as frame_system::Config>::RuntimeOrigin,
			member::<T>(0),
			new.clone(),
		);
		assert!(Members::<T>::contains_key(circle_id, new));
	}

	#[benchmark]
	fn set_threshold(p: Linear<0, { T::MaxOpenProposals::get() }>) {
		let circle_id = largest_circle::<T>();
		open_proposals::<T>(circle_id, p);
		#[extrinsic_call]
		_(circle_origin::<T>(circle_id) as <T as frame_system::Config>::RuntimeOrigin, 1);
		assert_eq!(Circles::<T>::get(circle_id).expect("the circle").threshold, 1);
	}

	#[benchmark]
	fn set_periods() {
		let circle_id = largest_circle::<T>();
		let period = T::MaxVotingPeriod::get();
		#[extrinsic_call]
		_(
			circle_origin::<T>(circle_id) as <T as frame_system::Config>::RuntimeOrigin,
			period,
			period,
		);
		assert_eq!(Circles::<T>::get(circle_id).expect("the circle").voting_period, period);
	}

	#[benchmark]
	fn dissolve_circle(
		m: Linear<9, { T::MaxMembers::get() }>,
		p: Linear<0, { T::MaxOpenProposals::get() }>,
	) {
		let m = m.max(T::MinMembers::get());
		let creator: T::AccountId = whitelisted_caller();
		fund::<T>(&creator);
		let circle_id = Pallet::<T>::do_create_circle(
			Some(creator),
			vec![b'c'; 8].try_into().expect("a short name"),
			members::<T>(m),
			m,
			T::MinVotingPeriod::get(),
			Zero::zero(),
		)
		.expect("a valid circle");
		open_proposals::<T>(circle_id, p);
		#[extrinsic_call]
		_(circle_origin::<T>(circle_id) as <T as frame_system::Config>::RuntimeOrigin);
		assert!(Circles::<T>::get(circle_id).is_none());
	}

	#[benchmark]
	fn set_member_key() {
		let circle_id = largest_circle::<T>();
		let who = member::<T>(0);
		Pallet::<T>::set_member_key(
			RawOrigin::Signed(who.clone()).into(),
			circle_id,
			KeyKind::StellarEd25519,
			Some([1; 32]),
		)
		.expect("a key");
		#[extrinsic_call]
		_(RawOrigin::Signed(who), circle_id, KeyKind::StellarEd25519, Some([2; 32]));
	}

	#[benchmark]
	fn set_role() -> Result<(), BenchmarkError> {
		let origin =
			T::RoleOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let circle_id = largest_circle::<T>();
		#[extrinsic_call]
		_(origin as <T as frame_system::Config>::RuntimeOrigin, Role::Auditor, Some(circle_id));
		assert_eq!(Roles::<T>::get(Role::Auditor), Some(circle_id));
		Ok(())
	}

	#[benchmark]
	fn agenda_base() {
		let now = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Pallet::<T>::work_through_agenda(now);
		}
	}

	/// One proposal whose voting ended, rejected.
	#[benchmark]
	fn agenda_end() {
		let circle_id = largest_circle::<T>();
		let index = open_proposals::<T>(circle_id, 1)[0];
		let due = Proposals::<T>::get(circle_id, index).expect("open").end + 1u32.into();
		Agenda::<T>::mutate(due, |items| items.retain(|item| item.1 == index));
		#[block]
		{
			Pallet::<T>::work_through_agenda(due);
		}
		assert!(Proposals::<T>::get(circle_id, index).is_none());
	}

	/// One approved proposal executed, less its call's own weight.
	#[benchmark]
	fn agenda_execution() {
		let circle_id = largest_circle::<T>();
		let index = open_proposals::<T>(circle_id, 1)[0];
		all_ayes_but_one::<T>(circle_id, index, 0);
		Pallet::<T>::do_vote(member::<T>(T::MaxMembers::get() - 1), circle_id, index, true)
			.expect("the approving vote");
		let due = frame_system::Pallet::<T>::block_number() + 1u32.into();
		#[block]
		{
			Pallet::<T>::work_through_agenda(due);
		}
		assert!(Proposals::<T>::get(circle_id, index).is_none());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
