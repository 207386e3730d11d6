//! Unit tests: applications, admission by the admission origin only, the bounds, changes handed
//! to pallet-session at session boundaries, and validators dropped for authoring nothing.

use crate::{mock::*, *};
use frame_support::traits::EstimateNextSessionRotation;
use frame_support::{assert_noop, assert_ok};
use pallet_authorship::EventHandler;
use pallet_session::{SessionManager, ShouldEndSession};
use sp_runtime::DispatchError;
use sp_runtime::Permill;

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Validators(event) => Some(event),
			_ => None,
		})
		.collect()
}

fn approved() -> Vec<AccountId> {
	pallet::Approved::<Test>::get().into_inner()
}

/// The session under way ends with `authors` having authored in it; the next starts; returns
/// what the pallet hands pallet-session for the session after it (as pallet-session calls it).
fn rotate(authors: &[AccountId]) -> Option<Vec<AccountId>> {
	let ending = CurrentSession::<Test>::get();
	for author in authors {
		<Validators as EventHandler<AccountId, u64>>::note_author(*author);
	}
	<Validators as SessionManager<AccountId>>::end_session(ending);
	<Validators as SessionManager<AccountId>>::start_session(ending + 1);
	<Validators as SessionManager<AccountId>>::new_session(ending + 2)
}

/// `who` becomes a farmer with keys, applies and is approved.
fn admit(who: AccountId) {
	farmer_with_keys(who);
	assert_ok!(Validators::apply(signed(who)));
	assert_ok!(Validators::approve(RuntimeOrigin::root(), who));
}

#[test]
fn genesis_validators_are_sorted_and_planned_for_the_first_sessions() {
	new_test_ext().execute_with(|| {
		assert_eq!(approved(), vec![1, 2, 3]);
		assert_eq!(
			<Validators as SessionManager<AccountId>>::new_session_genesis(0),
			Some(vec![1, 2, 3])
		);
		// Nothing changed: the set stays as it is.
		assert_eq!(rotate(&[1, 2, 3]), None);
	});
}

#[test]
fn only_a_farmer_with_session_keys_applies_once() {
	new_test_ext().execute_with(|| {
		assert_noop!(Validators::apply(signed(7)), Error::<Test>::NotAFarmer);
		farmer_with_keys(7);
		set_keys(7, false);
		assert_noop!(Validators::apply(signed(7)), Error::<Test>::NoSessionKeys);
		set_keys(7, true);
		assert_ok!(Validators::apply(signed(7)));
		assert!(events().contains(&Event::Applied { who: 7, deposit: DEPOSIT }));
		assert_noop!(Validators::apply(signed(7)), Error::<Test>::AlreadyApplied);
		assert_noop!(Validators::apply(signed(1)), Error::<Test>::AlreadyValidator);
		// Applications are bounded (3 in the mock).
		for who in [8, 9] {
			farmer_with_keys(who);
			assert_ok!(Validators::apply(signed(who)));
		}
		farmer_with_keys(10);
		assert_noop!(Validators::apply(signed(10)), Error::<Test>::TooManyApplications);
	});
}

#[test]
fn only_the_admission_origin_approves_rejects_and_removes() {
	new_test_ext().execute_with(|| {
		farmer_with_keys(7);
		assert_ok!(Validators::apply(signed(7)));
		for origin in [signed(7), signed(1)] {
			assert_noop!(Validators::approve(origin.clone(), 7), DispatchError::BadOrigin);
			assert_noop!(Validators::reject(origin.clone(), 7), DispatchError::BadOrigin);
			assert_noop!(Validators::remove(origin, 1), DispatchError::BadOrigin);
		}
		assert_noop!(Validators::approve(RuntimeOrigin::root(), 8), Error::<Test>::NoApplication);
		// Keys purged since applying: not approved until set again.
		set_keys(7, false);
		assert_noop!(Validators::approve(RuntimeOrigin::root(), 7), Error::<Test>::NoSessionKeys);
		set_keys(7, true);
		assert_ok!(Validators::approve(RuntimeOrigin::root(), 7));
		assert_eq!(approved(), vec![1, 2, 3, 7]);
		assert!(events().contains(&Event::ValidatorApproved { who: 7 }));
		assert_eq!(pallet::Applications::<Test>::count(), 0);

		farmer_with_keys(8);
		assert_ok!(Validators::apply(signed(8)));
		assert_ok!(Validators::reject(RuntimeOrigin::root(), 8));
		assert!(events().contains(&Event::ApplicationRejected { who: 8 }));
		assert_noop!(Validators::reject(RuntimeOrigin::root(), 8), Error::<Test>::NoApplication);
	});
}

#[test]
fn the_set_stays_within_its_bounds() {
	new_test_ext().execute_with(|| {
		admit(4);
		admit(5);
		farmer_with_keys(6);
		assert_ok!(Validators::apply(signed(6)));
		assert_noop!(
			Validators::approve(RuntimeOrigin::root(), 6),
			Error::<Test>::TooManyValidators
		);
		// Down to the minimum (2), then refused by name.
		assert_ok!(Validators::remove(RuntimeOrigin::root(), 5));
		assert_ok!(Validators::withdraw(signed(4)));
		assert_ok!(Validators::remove(RuntimeOrigin::root(), 3));
		assert!(events().contains(&Event::ValidatorWithdrew { who: 4 }));
		assert_eq!(approved(), vec![1, 2]);
		assert_noop!(Validators::remove(RuntimeOrigin::root(), 2), Error::<Test>::TooFewValidators);
		assert_noop!(Validators::withdraw(signed(1)), Error::<Test>::TooFewValidators);
		assert_noop!(Validators::remove(RuntimeOrigin::root(), 9), Error::<Test>::NotValidator);
		// An applicant withdraws its application; a stranger has nothing to withdraw.
		assert_ok!(Validators::withdraw(signed(6)));
		assert!(events().contains(&Event::ApplicationWithdrawn { who: 6 }));
		assert_noop!(Validators::withdraw(signed(6)), Error::<Test>::NothingToWithdraw);
	});
}

#[test]
fn changes_are_handed_over_at_the_next_session_boundary_with_keys_only() {
	new_test_ext().execute_with(|| {
		admit(4);
		admit(5);
		// Validator 5 purges its keys: the set handed over leaves it out.
		set_keys(5, false);
		assert_eq!(rotate(&[1, 2, 3]), Some(vec![1, 2, 3, 4]));
		assert!(events().contains(&Event::NewSetPlanned { from_session: 2, validators: 4 }));
		// Handed over once: the next boundary keeps it.
		assert_eq!(rotate(&[1, 2, 3]), None);
		assert_ok!(Validators::remove(RuntimeOrigin::root(), 4));
		assert_eq!(rotate(&[1, 2, 3]), Some(vec![1, 2, 3]));
	});
}

#[test]
fn a_set_below_the_minimum_with_keys_is_not_handed_over() {
	new_test_ext().execute_with(|| {
		assert_ok!(Validators::remove(RuntimeOrigin::root(), 3));
		set_keys(2, false);
		// Only validator 1 has keys: the authorities stay as they are, and the change waits.
		assert_eq!(rotate(&[1, 2, 3]), None);
		set_keys(2, true);
		assert_eq!(rotate(&[1, 2]), Some(vec![1, 2]));
	});
}

#[test]
fn a_validator_that_authors_nothing_is_dropped_and_may_apply_again() {
	new_test_ext().execute_with(|| {
		admit(4);
		assert_eq!(rotate(&[1, 2, 3]), Some(vec![1, 2, 3, 4]));
		// Validator 3 authors nothing from session 1 on; 4 becomes an authority in session 2.
		assert_eq!(rotate(&[1, 2]), None);
		assert_eq!(rotate(&[1, 2, 4]), None);
		assert!(approved().contains(&3), "two sessions without a block: not yet");
		// The third session in a row without a block by 3 ends: dropped from the next set.
		assert_eq!(rotate(&[1, 2, 4]), Some(vec![1, 2, 4]));
		assert!(events().contains(&Event::ValidatorDroppedOffline {
			who: 3,
			last_authored: 0,
			sessions: OFFLINE_SESSIONS
		}));
		assert_ok!(Validators::apply(signed(3)));
	});
}

#[test]
fn offline_validators_are_not_dropped_below_the_minimum() {
	new_test_ext().execute_with(|| {
		assert_ok!(Validators::remove(RuntimeOrigin::root(), 3));
		assert_eq!(rotate(&[1, 2]), Some(vec![1, 2]));
		// Neither authors (the chain would have stopped, or every block is someone else's):
		// the set stays at the minimum.
		for _ in 0..6 {
			rotate(&[]);
		}
		assert_eq!(approved(), vec![1, 2]);
		assert!(!events().iter().any(|e| matches!(e, Event::ValidatorDroppedOffline { .. })));
	});
}

#[test]
fn a_newly_approved_validator_is_not_counted_offline_before_it_authors_anything() {
	new_test_ext().execute_with(|| {
		rotate(&[1, 2, 3]);
		rotate(&[1, 2, 3]);
		// Approved in session 2: an authority from session 4 on.
		admit(4);
		assert_eq!(rotate(&[1, 2, 3]), Some(vec![1, 2, 3, 4]));
		// Sessions 3 (not yet an authority), 4 and 5 end without a block by 4: kept.
		for _ in 3..=5 {
			rotate(&[1, 2, 3]);
		}
		assert!(approved().contains(&4));
		// Session 6 ends: three sessions as an authority without a block.
		rotate(&[1, 2, 3]);
		assert!(!approved().contains(&4));
	});
}

#[test]
fn the_council_sets_the_minimum_within_the_set() {
	new_test_ext().execute_with(|| {
		assert_noop!(Validators::set_minimum_validators(signed(1), 3), DispatchError::BadOrigin);
		assert_noop!(
			Validators::set_minimum_validators(RuntimeOrigin::root(), 3),
			DispatchError::BadOrigin
		);
		for minimum in [0, 4] {
			assert_noop!(
				Validators::set_minimum_validators(signed(COUNCIL), minimum),
				Error::<Test>::InvalidMinimum
			);
		}
		assert_ok!(Validators::set_minimum_validators(signed(COUNCIL), 3));
		assert!(events().contains(&Event::MinimumValidatorsSet { minimum: 3 }));
		// Three validators, a minimum of three: nobody leaves until a fourth joins.
		assert_noop!(Validators::remove(RuntimeOrigin::root(), 3), Error::<Test>::TooFewValidators);
		assert_noop!(Validators::withdraw(signed(2)), Error::<Test>::TooFewValidators);
		admit(4);
		assert_ok!(Validators::withdraw(signed(2)));
		assert_eq!(approved(), vec![1, 3, 4]);
	});
}

#[test]
fn sessions_end_their_length_after_they_start() {
	new_test_ext().execute_with(|| {
		let ends = |now: u64| <Validators as ShouldEndSession<u64>>::should_end_session(now);
		let next = |now: u64| {
			<Validators as EstimateNextSessionRotation<u64>>::estimate_next_session_rotation(now).0
		};
		let progress = |now: u64| {
			<Validators as EstimateNextSessionRotation<u64>>::estimate_current_session_progress(now)
				.0
		};
		// Genesis started session 0 at block 0: it ends at block 10.
		assert!(!ends(9));
		assert!(ends(10));
		assert_eq!(next(3), Some(SESSION_LENGTH));
		assert_eq!(progress(4), Some(Permill::from_percent(50)));
		System::set_block_number(10);
		rotate(&[1, 2, 3]);
		assert_eq!(pallet::SessionStart::<Test>::get(), 10);
		assert!(!ends(19));
		assert!(ends(20));
		assert_eq!(
			<Validators as EstimateNextSessionRotation<u64>>::average_session_length(),
			SESSION_LENGTH
		);
	});
}

#[test]
fn the_council_sets_the_session_length_within_the_runtime_bounds() {
	new_test_ext().execute_with(|| {
		let ends = |now: u64| <Validators as ShouldEndSession<u64>>::should_end_session(now);
		assert_noop!(Validators::set_session_length(signed(1), 20), DispatchError::BadOrigin);
		for length in [MIN_SESSION_LENGTH - 1, MAX_SESSION_LENGTH + 1] {
			assert_noop!(
				Validators::set_session_length(signed(COUNCIL), length),
				Error::<Test>::SessionLengthOutOfBounds
			);
		}
		// Longer: the session under way lasts longer too.
		assert_ok!(Validators::set_session_length(signed(COUNCIL), 20));
		assert!(events().contains(&Event::SessionLengthSet { length: 20 }));
		assert!(!ends(10));
		assert!(ends(20));
		// Shorter than the session has already lasted: it ends at the next block.
		System::set_block_number(8);
		assert_ok!(Validators::set_session_length(signed(COUNCIL), MIN_SESSION_LENGTH));
		assert!(ends(8));
		assert_eq!(
			<Validators as EstimateNextSessionRotation<u64>>::estimate_next_session_rotation(8).0,
			Some(8)
		);
	});
}

/// What `who` has on hold for its application.
fn held(who: AccountId) -> u64 {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(&HoldReason::Application.into(), &who)
}

#[test]
fn an_application_holds_its_deposit_until_decided_or_withdrawn() {
	new_test_ext().execute_with(|| {
		for who in [7, 8, 9] {
			farmer_with_keys(who);
			assert_ok!(Validators::apply(signed(who)));
			assert_eq!(held(who), DEPOSIT);
		}
		// Approved, rejected, withdrawn: each gets its deposit back, and nothing else moved.
		assert_ok!(Validators::approve(RuntimeOrigin::root(), 7));
		assert_ok!(Validators::reject(RuntimeOrigin::root(), 8));
		assert_ok!(Validators::withdraw(signed(9)));
		for who in [7, 8, 9] {
			assert_eq!(held(who), 0);
			assert_eq!(Balances::free_balance(who), 10 * DEPOSIT);
		}
		// Without the deposit, no application.
		farmer_with_keys(10);
		{
			use frame_support::traits::fungible::Mutate;
			Balances::set_balance(&10, DEPOSIT / 2);
		}
		assert_noop!(Validators::apply(signed(10)), Error::<Test>::CannotPayDeposit);
	});
}

#[test]
fn an_applicant_that_is_no_longer_a_farmer_is_not_approved() {
	new_test_ext().execute_with(|| {
		farmer_with_keys(7);
		assert_ok!(Validators::apply(signed(7)));
		stop_farming(7);
		assert_noop!(Validators::approve(RuntimeOrigin::root(), 7), Error::<Test>::NotAFarmer);
		// It may still be rejected (or withdraw), and gets its deposit back.
		assert_ok!(Validators::reject(RuntimeOrigin::root(), 7));
		assert_eq!(held(7), 0);
	});
}
