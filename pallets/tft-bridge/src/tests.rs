//! Unit tests: the bridge circle, deposit votes by voter, the threshold, crediting each kind of
//! target exactly once, and refunds of what the chain cannot credit.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use sp_runtime::DispatchError;

fn signed(account: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(account)
}

fn deposit(tx: u8, target: DepositTarget<AccountId>, amount: Balance) -> DepositVote<AccountId> {
	DepositVote { tx_hash: [tx; 32], claim: DepositClaim { sender: [0x5e; 32], target, amount } }
}

/// Validators `voters` each vote for `vote`, one call each.
fn votes_by(voters: impl IntoIterator<Item = u8>, vote: &DepositVote<AccountId>) {
	for n in voters {
		assert_ok!(Bridge::vote_deposits(signed(validator(n)), vec![vote.clone()]));
	}
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Bridge(event) => Some(event),
			_ => None,
		})
		.collect()
}

#[test]
fn only_the_council_chooses_the_bridge_circle() {
	test(|| {
		assert_noop!(Bridge::set_bridge_circle(signed(alice()), BRIDGE), DispatchError::BadOrigin);
		assert_noop!(
			Bridge::set_bridge_circle(RuntimeOrigin::root(), 42),
			Error::<Test>::UnknownCircle
		);
		MockCircles::create(4, vec![validator(9)], 1);
		assert_ok!(Bridge::set_bridge_circle(RuntimeOrigin::root(), 4));
		assert_eq!(BridgeCircle::<Test>::get(), Some(4));
		// Validators of the old circle no longer vote.
		let vote = deposit(1, DepositTarget::Account(bob()), 10 * TFT);
		assert_noop!(
			Bridge::vote_deposits(signed(validator(1)), vec![vote]),
			Error::<Test>::NotBridgeMember
		);
	});
}

#[test]
fn the_threshold_of_identical_votes_mints_once_less_the_fee() {
	test(|| {
		let issuance = Balances::total_issuance();
		let vote = deposit(1, DepositTarget::Account(bob()), 10 * TFT);
		votes_by([1, 2], &vote);
		assert_eq!(Balances::balance(&bob()), 0, "two of five is not the threshold");
		votes_by([3], &vote);
		assert_eq!(Balances::balance(&bob()), 9 * TFT);
		assert_eq!(Balances::balance(&treasury(BRIDGE)), TFT + DEPOSIT_FEE);
		assert_eq!(Balances::total_issuance(), issuance + 10 * TFT);
		assert_eq!(BridgedSupply::<Test>::get(), 10 * TFT);
		assert!(events().contains(&Event::DepositMinted {
			tx_hash: [1; 32],
			target: DepositTarget::Account(bob()),
			amount: 9 * TFT,
			fee: DEPOSIT_FEE
		}));
		// Late votes and replays change nothing.
		votes_by([4, 5, 1], &vote);
		assert_eq!(Balances::balance(&bob()), 9 * TFT);
		assert_eq!(Balances::total_issuance(), issuance + 10 * TFT);
		assert_eq!(
			ExecutedDeposits::<Test>::get([1; 32]).unwrap().outcome,
			DepositOutcome::Minted { amount: 9 * TFT, fee: DEPOSIT_FEE }
		);
	});
}

#[test]
fn votes_are_recorded_by_voter_and_only_identical_claims_count_together() {
	test(|| {
		let vote = deposit(2, DepositTarget::Account(bob()), 10 * TFT);
		// The same validator three times is one vote.
		votes_by([1, 1, 1], &vote);
		assert_eq!(DepositTallies::<Test>::iter_prefix([2; 32]).map(|(_, n)| n).sum::<u32>(), 1);
		// Another claim by the same validator is refused, whole call and all.
		let other = deposit(2, DepositTarget::Account(bob()), 11 * TFT);
		let fresh = deposit(3, DepositTarget::Account(bob()), 5 * TFT);
		assert_noop!(
			Bridge::vote_deposits(signed(validator(1)), vec![fresh, other.clone()]),
			Error::<Test>::ConflictingVote
		);
		// Two validators see 11 TFT: with the first's 10, no claim has three votes.
		votes_by([2, 3], &other);
		votes_by([4], &vote);
		assert_eq!(Balances::balance(&bob()), 0);
		// A third for 10 TFT: minted as 10.
		votes_by([5], &vote);
		assert_eq!(Balances::balance(&bob()), 9 * TFT);
		assert!(DepositVotes::<Test>::iter_prefix([2; 32]).next().is_none());
	});
}

#[test]
fn twins_and_agreements_are_credited_and_what_cannot_be_is_refunded() {
	test(|| {
		let issuance = Balances::total_issuance();
		let alice_before = Balances::balance(&alice());
		votes_by([1, 2, 3], &deposit(1, DepositTarget::Twin(1), 5 * TFT));
		assert_eq!(Balances::balance(&alice()), alice_before + 4 * TFT);
		votes_by([1, 2, 3], &deposit(2, DepositTarget::Contract(7), 3 * TFT));
		assert_eq!(MockAgreements::escrow(7), Some(2 * TFT));
		assert_eq!(Balances::total_issuance(), issuance + 8 * TFT);

		// Unknown twin, unknown agreement, not above the fee, below the existential deposit.
		let refused = [
			(3, DepositTarget::Twin(9), 5 * TFT, RefundReason::UnknownTwin),
			(4, DepositTarget::Contract(8), 5 * TFT, RefundReason::ContractRefused),
			(5, DepositTarget::Account(bob()), DEPOSIT_FEE, RefundReason::AmountNotAboveFee),
			(6, DepositTarget::Account(bob()), DEPOSIT_FEE + 1, RefundReason::AccountRefused),
		];
		for (tx, target, amount, reason) in refused {
			votes_by([1, 2, 3], &deposit(tx, target, amount));
			assert_eq!(
				PendingRefunds::<Test>::get([tx; 32]),
				Some(Refund { to: [0x5e; 32], amount, reason })
			);
			assert_eq!(
				ExecutedDeposits::<Test>::get([tx; 32]).unwrap().outcome,
				DepositOutcome::Refunded(reason)
			);
		}
		// Nothing of them was minted, not even the fee.
		assert_eq!(Balances::total_issuance(), issuance + 8 * TFT);
		assert_eq!(BridgedSupply::<Test>::get(), 8 * TFT);
		assert_eq!(Balances::balance(&treasury(BRIDGE)), TFT + 2 * DEPOSIT_FEE);
	});
}

#[test]
fn bad_votes_are_refused_by_name() {
	test(|| {
		let vote = deposit(1, DepositTarget::Account(bob()), 10 * TFT);
		assert_noop!(
			Bridge::vote_deposits(signed(alice()), vec![vote.clone()]),
			Error::<Test>::NotBridgeMember
		);
		assert_noop!(Bridge::vote_deposits(signed(validator(1)), vec![]), Error::<Test>::NoVotes);
		assert_noop!(
			Bridge::vote_deposits(signed(validator(1)), vec![vote.clone(); 5]),
			Error::<Test>::TooManyVotes
		);
		BridgeCircle::<Test>::kill();
		assert_noop!(
			Bridge::vote_deposits(signed(validator(1)), vec![vote]),
			Error::<Test>::NoBridgeCircle
		);
	});
}

#[test]
fn one_call_carries_many_votes() {
	test(|| {
		let batch: Vec<_> =
			(1..=4).map(|tx| deposit(tx, DepositTarget::Account(bob()), 2 * TFT)).collect();
		for n in 1..=3 {
			assert_ok!(Bridge::vote_deposits(signed(validator(n)), batch.clone()));
		}
		assert_eq!(Balances::balance(&bob()), 4 * TFT);
		assert_eq!(ExecutedDeposits::<Test>::iter().count(), 4);
	});
}
