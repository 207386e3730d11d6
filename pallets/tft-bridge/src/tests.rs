//! Unit tests: the bridge circle, deposit votes by voter, the threshold, crediting each kind of
//! target exactly once, and refunds of what the chain cannot credit.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, Mutate},
};
use gridchain_primitives::stellar::{self, Memo};
use sp_core::Pair;
use sp_runtime::DispatchError;

/// The outgoing payment that refunds deposit `tx_hash`.
fn refund_of(tx_hash: StellarTxHash) -> OutgoingPayment<Test> {
	OutgoingPayments::<Test>::iter_values()
		.find(|outgoing| outgoing.purpose == PaymentPurpose::Refund { deposit: tx_hash })
		.expect("a refund")
}

/// The payment an outgoing transaction makes.
fn payment_of(outgoing: &OutgoingPayment<Test>) -> stellar::Payment {
	outgoing.transaction.as_payment().expect("a payment").clone()
}

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
		// A threshold above the signatures a payment keeps (5 here; Stellar takes 20) could
		// never sign a payment.
		MockCircles::create(4, (10..16).map(validator).collect(), 6);
		assert_noop!(
			Bridge::set_bridge_circle(RuntimeOrigin::root(), 4),
			Error::<Test>::ThresholdAboveSigners
		);
		MockCircles::create(4, vec![validator(9)], 1);
		// Fees are paid to the circle's treasury: it must exist.
		assert_noop!(
			Bridge::set_bridge_circle(RuntimeOrigin::root(), 4),
			Error::<Test>::TreasuryMissing
		);
		assert_ok!(Balances::mint_into(&treasury(4), EXISTENTIAL_DEPOSIT));
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
		assert_eq!(PendingDeposits::<Test>::get([2; 32]).unwrap().votes.len(), 1);
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
		assert!(!PendingDeposits::<Test>::contains_key([2; 32]));
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
			let payment = refund_of([tx; 32]);
			assert_eq!(payment_of(&payment).destination, [0x5e; 32]);
			assert_eq!(payment_of(&payment).amount, amount as i64);
			assert_eq!(payment_of(&payment).memo, Memo::Return([tx; 32]));
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
			Bridge::vote_deposits(
				signed(validator(1)),
				vec![deposit(2, DepositTarget::Account(bob()), 0)]
			),
			Error::<Test>::ZeroAmount
		);
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

#[test]
fn deposits_wait_for_the_vault() {
	test(|| {
		VaultOf::<Test>::kill();
		assert_noop!(
			Bridge::vote_deposits(
				signed(validator(1)),
				vec![deposit(1, DepositTarget::Account(bob()), 10 * TFT)]
			),
			Error::<Test>::NoVault
		);
	});
}

#[test]
fn a_withdrawal_burns_and_fixes_the_payment_at_the_next_sequence() {
	test(|| {
		votes_by([1, 2, 3], &deposit(1, DepositTarget::Account(alice()), 50 * TFT));
		let issuance = Balances::total_issuance();
		let alice_before = Balances::balance(&alice());
		let destination = [0xde; 32];
		assert_ok!(Bridge::withdraw(signed(alice()), destination, 10 * TFT));
		assert_eq!(Balances::balance(&alice()), alice_before - 10 * TFT);
		assert_eq!(Balances::total_issuance(), issuance - 10 * TFT + WITHDRAWAL_FEE);
		assert_eq!(BridgedSupply::<Test>::get(), 50 * TFT - (10 * TFT - WITHDRAWAL_FEE));
		let outgoing = OutgoingPayments::<Test>::get(0).unwrap();
		assert_eq!(payment_of(&outgoing).sequence, VAULT_SEQUENCE + 1);
		assert_eq!(payment_of(&outgoing).amount, (10 * TFT - WITHDRAWAL_FEE) as i64);
		assert_eq!(payment_of(&outgoing).memo, Memo::Text(b"burn_0".to_vec().try_into().unwrap()));
		assert_eq!(payment_of(&outgoing).source, VAULT);
		assert_eq!(
			outgoing.hash,
			payment_of(&outgoing).hash(&stellar::network_id(stellar::STANDALONE_NETWORK))
		);
		// The next payment takes the next sequence.
		assert_ok!(Bridge::withdraw(signed(alice()), destination, TFT));
		assert_eq!(
			payment_of(&OutgoingPayments::<Test>::get(1).unwrap()).sequence,
			VAULT_SEQUENCE + 2
		);
		assert_eq!(VaultOf::<Test>::get().unwrap().sequence, VAULT_SEQUENCE + 2);

		assert_noop!(
			Bridge::withdraw(signed(alice()), destination, WITHDRAWAL_FEE),
			Error::<Test>::InvalidAmount
		);
		// More than the vault holds for the chain.
		assert_noop!(
			Bridge::withdraw(signed(alice()), destination, 80 * TFT),
			Error::<Test>::InsufficientVault
		);
	});
}

#[test]
fn signatures_are_checked_against_the_validators_stellar_keys() {
	test(|| {
		votes_by([1, 2, 3], &deposit(1, DepositTarget::Twin(9), 5 * TFT));
		let outgoing = refund_of([1; 32]);
		let id = 0;
		let sign = |n: u8| stellar_pair(n).sign(&outgoing.hash).0;
		assert_noop!(
			Bridge::sign_payment(signed(alice()), id, sign(1)),
			Error::<Test>::NotBridgeMember
		);
		assert_noop!(
			Bridge::sign_payment(signed(validator(5)), id, sign(5)),
			Error::<Test>::NoStellarKey
		);
		assert_noop!(
			Bridge::sign_payment(signed(validator(1)), 9, sign(1)),
			Error::<Test>::UnknownPayment
		);
		// Another validator's signature, or a signature of other bytes.
		assert_noop!(
			Bridge::sign_payment(signed(validator(1)), id, sign(2)),
			Error::<Test>::BadSignature
		);
		let other = stellar_pair(1).sign(&[0; 32]).0;
		assert_noop!(
			Bridge::sign_payment(signed(validator(1)), id, other),
			Error::<Test>::BadSignature
		);

		assert_ok!(Bridge::sign_payment(signed(validator(1)), id, sign(1)));
		assert_noop!(
			Bridge::sign_payment(signed(validator(1)), id, sign(1)),
			Error::<Test>::AlreadySigned
		);
		assert_ok!(Bridge::sign_payment(signed(validator(2)), id, sign(2)));
		assert!(!events().contains(&Event::PaymentReady { id }));
		assert_ok!(Bridge::sign_payment(signed(validator(3)), id, sign(3)));
		assert!(events().contains(&Event::PaymentReady { id }));
		// The envelope the relays submit carries the three signatures, each verifiable.
		let signed_payment = OutgoingPayments::<Test>::get(id).unwrap();
		let envelope = signed_payment.envelope_xdr();
		assert_eq!(envelope.len(), payment_of(&outgoing).envelope_xdr(&[]).len() + 3 * 72);
		for (n, held) in (1..=3).zip(signed_payment.signatures.iter()) {
			let key = stellar_pair(n).public().0;
			assert_eq!(held.key, key);
			assert_eq!(held.signature.hint, key[28..]);
			assert!(stellar::verify(&key, &signed_payment.hash, &held.signature.signature));
		}
	});
}

/// Validators 1–3 sign payment `id`.
fn sign_by_three(id: u64) {
	let hash = OutgoingPayments::<Test>::get(id).unwrap().hash;
	for n in 1..=3 {
		assert_ok!(Bridge::sign_payment(signed(validator(n)), id, stellar_pair(n).sign(&hash).0));
	}
}

fn report_by(voters: impl IntoIterator<Item = u8>, id: u64, result: PaymentResult) {
	for n in voters {
		assert_ok!(Bridge::report_payment(signed(validator(n)), id, result));
	}
}

#[test]
fn a_paid_withdrawal_is_confirmed_by_the_threshold_once() {
	test(|| {
		votes_by([1, 2, 3], &deposit(1, DepositTarget::Account(alice()), 50 * TFT));
		assert_ok!(Bridge::withdraw(signed(alice()), [0xde; 32], 10 * TFT));
		// Not expired on the chain's clock: no one may say so.
		assert_noop!(
			Bridge::report_payment(signed(validator(1)), 0, PaymentResult::Expired),
			Error::<Test>::PaymentNotExpired
		);
		sign_by_three(0);
		assert_noop!(
			Bridge::report_payment(signed(alice()), 0, PaymentResult::Paid),
			Error::<Test>::NotBridgeMember
		);
		report_by([1, 1], 0, PaymentResult::Paid);
		assert_noop!(
			Bridge::report_payment(signed(validator(1)), 0, PaymentResult::Failed),
			Error::<Test>::ConflictingReport
		);
		// One says failed: the two others who saw it paid still make the threshold with 1.
		report_by([4], 0, PaymentResult::Failed);
		report_by([2], 0, PaymentResult::Paid);
		assert!(OutgoingPayments::<Test>::get(0).is_some());
		report_by([3], 0, PaymentResult::Paid);
		assert!(OutgoingPayments::<Test>::get(0).is_none());
		assert!(events().contains(&Event::PaymentConfirmed { id: 0 }));
		assert_eq!(ConfirmedWithdrawals::<Test>::get(), 10 * TFT - WITHDRAWAL_FEE);
		assert_noop!(
			Bridge::report_payment(signed(validator(5)), 0, PaymentResult::Paid),
			Error::<Test>::UnknownPayment
		);
	});
}

#[test]
fn a_failed_withdrawal_comes_back_and_a_failed_refund_is_quarantined() {
	test(|| {
		votes_by([1, 2, 3], &deposit(1, DepositTarget::Account(alice()), 50 * TFT));
		let before = Balances::balance(&alice());
		let issuance = Balances::total_issuance();
		assert_ok!(Bridge::withdraw(signed(alice()), [0xde; 32], 10 * TFT));
		sign_by_three(0);
		report_by([1, 2, 3], 0, PaymentResult::Failed);
		// The payout is minted back; the fee stays with the treasury.
		assert_eq!(Balances::balance(&alice()), before - WITHDRAWAL_FEE);
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(BridgedSupply::<Test>::get(), 50 * TFT);
		assert!(events().contains(&Event::WithdrawalReturned {
			id: 0,
			who: alice(),
			amount: 10 * TFT - WITHDRAWAL_FEE
		}));

		votes_by([1, 2, 3], &deposit(2, DepositTarget::Twin(9), 5 * TFT));
		sign_by_three(1);
		report_by([2, 3, 4], 1, PaymentResult::Failed);
		assert!(QuarantinedRefunds::<Test>::get(1).is_some());
		assert!(OutgoingPayments::<Test>::get(1).is_none());
		assert_eq!(BridgedSupply::<Test>::get(), 50 * TFT, "a refund never minted");
	});
}

#[test]
fn votes_that_never_reach_the_threshold_are_pruned_after_their_lifetime() {
	test(|| {
		let vote = deposit(1, DepositTarget::Account(bob()), 10 * TFT);
		votes_by([1, 2], &vote);
		assert_noop!(
			Bridge::prune_deposit_votes(signed(alice()), [9; 32]),
			Error::<Test>::NothingToPrune
		);
		System::set_block_number(1 + VOTE_LIFETIME - 1);
		assert_noop!(
			Bridge::prune_deposit_votes(signed(alice()), [1; 32]),
			Error::<Test>::VotesNotExpired
		);
		System::set_block_number(1 + VOTE_LIFETIME);
		assert_ok!(Bridge::prune_deposit_votes(signed(alice()), [1; 32]));
		assert!(events().contains(&Event::DepositVotesPruned { tx_hash: [1; 32], votes: 2 }));
		assert!(!PendingDeposits::<Test>::contains_key([1; 32]));
		// The deposit can still come in, counted from nothing: three fresh votes.
		votes_by([1, 2], &vote);
		assert_eq!(Balances::balance(&bob()), 0);
		votes_by([3], &vote);
		assert_eq!(Balances::balance(&bob()), 9 * TFT);
		assert_noop!(
			Bridge::prune_deposit_votes(signed(alice()), [1; 32]),
			Error::<Test>::AlreadyExecuted
		);
	});
}

/// The bridge circle's members become `members` (threshold `threshold`).
fn circle_becomes(members: impl IntoIterator<Item = u8>, threshold: u32) {
	MockCircles::create(BRIDGE, members.into_iter().map(validator).collect(), threshold);
}

#[test]
fn only_current_members_votes_count() {
	test(|| {
		let vote = deposit(1, DepositTarget::Account(bob()), 10 * TFT);
		votes_by([1, 2], &vote);
		// Validator 1 leaves the circle: its vote stays recorded but no longer counts.
		circle_becomes(2..=5, 3);
		votes_by([3], &vote);
		assert_eq!(Balances::balance(&bob()), 0, "two current members only");
		// The former member cannot vote again either.
		assert_noop!(
			Bridge::vote_deposits(signed(validator(1)), vec![vote.clone()]),
			Error::<Test>::NotBridgeMember
		);
		votes_by([4], &vote);
		assert_eq!(Balances::balance(&bob()), 9 * TFT);

		// A threshold lowered below the votes: a repeated vote executes it.
		let second = deposit(2, DepositTarget::Account(bob()), 10 * TFT);
		votes_by([2, 3], &second);
		circle_becomes(2..=5, 2);
		assert_eq!(Balances::balance(&bob()), 9 * TFT);
		votes_by([2], &second);
		assert_eq!(Balances::balance(&bob()), 18 * TFT);
	});
}

#[test]
fn former_members_make_room_and_the_record_stays_bounded() {
	test(|| {
		// Six validators (the most a deposit keeps in the mock) vote, then leave.
		let vote = deposit(1, DepositTarget::Account(bob()), 10 * TFT);
		circle_becomes(10..=16, 7);
		votes_by(10..=15, &vote);
		// A seventh voter: the record is full of current members.
		assert_noop!(
			Bridge::vote_deposits(signed(validator(16)), vec![vote.clone()]),
			Error::<Test>::TooManyValidators
		);
		// The circle is replaced: the old votes make room, and count for nothing.
		circle_becomes(20..=23, 3);
		votes_by([20, 21], &vote);
		let pending = PendingDeposits::<Test>::get([1; 32]).unwrap();
		assert!(pending.votes.len() <= 6);
		assert_eq!(Balances::balance(&bob()), 0);
		votes_by([22], &vote);
		assert_eq!(Balances::balance(&bob()), 9 * TFT);
	});
}

#[test]
fn dust_is_kept_and_amounts_beyond_stellar_are_refused() {
	test(|| {
		let issuance = Balances::total_issuance();
		votes_by([1, 2, 3], &deposit(1, DepositTarget::Account(bob()), DUST_LIMIT - 1));
		assert_eq!(Balances::total_issuance(), issuance, "dust is not minted");
		assert_eq!(OutgoingPayments::<Test>::iter().count(), 0, "nor refunded");
		assert_eq!(
			ExecutedDeposits::<Test>::get([1; 32]).unwrap().outcome,
			DepositOutcome::KeptAsDust
		);
		assert!(events()
			.contains(&Event::DepositKeptAsDust { tx_hash: [1; 32], amount: DUST_LIMIT - 1 }));
		// At the limit, not above the fee: refunded in full.
		votes_by([1, 2, 3], &deposit(2, DepositTarget::Account(bob()), DUST_LIMIT));
		assert_eq!(payment_of(&refund_of([2; 32])).amount, DUST_LIMIT as i64);
		assert_noop!(
			Bridge::vote_deposits(
				signed(validator(1)),
				vec![deposit(3, DepositTarget::Account(bob()), i64::MAX as Balance + 1)]
			),
			Error::<Test>::InvalidAmount
		);
	});
}

/// A withdrawal of 10 TFT by Alice after she bridged 50 in: payment 0.
fn withdrawal() -> OutgoingPayment<Test> {
	votes_by([1, 2, 3], &deposit(1, DepositTarget::Account(alice()), 50 * TFT));
	assert_ok!(Bridge::withdraw(signed(alice()), [0xde; 32], 10 * TFT));
	OutgoingPayments::<Test>::get(0).unwrap()
}

#[test]
fn payments_expire_on_stellar_and_are_fixed_again_at_the_same_sequence() {
	test(|| {
		let first = withdrawal();
		assert_eq!(payment_of(&first).max_time, START_TIME + PAYMENT_LIFETIME);
		sign_by_three(0);
		let old_signature =
			OutgoingPayments::<Test>::get(0).unwrap().signatures[0].signature.signature;
		// Submitted too late (or its fee was too low): Stellar never applied it. Before its
		// max_time on the chain's clock no one may say it expired.
		MockClock::advance(PAYMENT_LIFETIME);
		assert_noop!(
			Bridge::report_payment(signed(validator(1)), 0, PaymentResult::Expired),
			Error::<Test>::PaymentNotExpired
		);
		MockClock::advance(1);
		assert_ok!(Bridge::set_payment_fee(RuntimeOrigin::root(), 1_000));
		let alice_before = Balances::balance(&alice());
		report_by([1, 2], 0, PaymentResult::Expired);
		assert_eq!(OutgoingPayments::<Test>::get(0).unwrap().hash, first.hash);
		report_by([3], 0, PaymentResult::Expired);
		// Nothing minted back: the same payment, same sequence and memo, new time bound and fee.
		assert_eq!(Balances::balance(&alice()), alice_before);
		let again = OutgoingPayments::<Test>::get(0).unwrap();
		assert_eq!(payment_of(&again).sequence, payment_of(&first).sequence);
		assert_eq!(payment_of(&again).memo, payment_of(&first).memo);
		assert_eq!(payment_of(&again).amount, payment_of(&first).amount);
		assert_eq!(payment_of(&again).fee, 1_000);
		assert_eq!(payment_of(&again).max_time, START_TIME + 2 * PAYMENT_LIFETIME + 1);
		assert_ne!(again.hash, first.hash);
		assert!(again.signatures.is_empty() && again.reports.is_empty());
		assert!(events().contains(&Event::PaymentReissued {
			id: 0,
			hash: again.hash,
			max_time: payment_of(&again).max_time,
			fee: 1_000
		}));
		// The old signatures do not sign the new hash.
		assert_noop!(
			Bridge::sign_payment(signed(validator(1)), 0, old_signature),
			Error::<Test>::BadSignature
		);
		sign_by_three(0);
		report_by([1, 2, 3], 0, PaymentResult::Paid);
		assert_eq!(ConfirmedWithdrawals::<Test>::get(), 10 * TFT - WITHDRAWAL_FEE);
	});
}

#[test]
fn payments_are_settled_in_sequence_order_whatever_order_the_reports_come_in() {
	test(|| {
		withdrawal();
		for destination in 0..4u8 {
			assert_ok!(Bridge::withdraw(signed(alice()), [destination; 32], TFT));
		}
		for id in 0..5 {
			sign_by_three(id);
		}
		// Stellar cannot apply sequence 1002 before 1001: the report of the later one is
		// recorded and waits.
		report_by([1, 2, 3], 1, PaymentResult::Paid);
		assert_eq!(FirstPendingPayment::<Test>::get(), 0);
		assert!(OutgoingPayments::<Test>::contains_key(1));
		report_by([1, 2, 3], 2, PaymentResult::Failed);
		report_by([1, 2, 3], 3, PaymentResult::Paid);
		report_by([1, 2, 3], 4, PaymentResult::Paid);
		// The oldest reaches its threshold: it and the ones after it settle, in order, three
		// at most in one call (the mock's bound).
		report_by([1, 2], 0, PaymentResult::Paid);
		report_by([3], 0, PaymentResult::Paid);
		assert_eq!(FirstPendingPayment::<Test>::get(), 3);
		assert!(events().contains(&Event::WithdrawalReturned {
			id: 2,
			who: alice(),
			amount: TFT - WITHDRAWAL_FEE
		}));
		// The next report (here one repeated) settles the rest.
		report_by([1], 3, PaymentResult::Paid);
		assert_eq!(FirstPendingPayment::<Test>::get(), 5);
		assert_eq!(OutgoingPayments::<Test>::iter().count(), 0);
	});
}

#[test]
fn signatures_count_once_per_key_and_only_with_a_current_members_current_vault_key() {
	test(|| {
		let payment = withdrawal();
		let sign = |n: u8| stellar_pair(n).sign(&payment.hash).0;
		assert_ok!(Bridge::sign_payment(signed(validator(1)), 0, sign(1)));
		// Validator 5 registers validator 1's key and hands in its public signature: Stellar
		// would count that key once, so does the chain.
		MockCircles::set_stellar_key(&validator(5), Some(stellar_pair(1).public().0));
		assert_noop!(
			Bridge::sign_payment(signed(validator(5)), 0, sign(1)),
			Error::<Test>::AlreadySigned
		);
		MockCircles::set_stellar_key(&validator(5), None);
		// Validator 1 rotates its key: its signature no longer counts, and its new key is no
		// signer of the vault (until the vault follows the circle).
		MockCircles::set_stellar_key(&validator(1), Some(stellar_pair(11).public().0));
		assert_noop!(
			Bridge::sign_payment(signed(validator(1)), 0, stellar_pair(11).sign(&payment.hash).0),
			Error::<Test>::NotAVaultSigner
		);
		assert_ok!(Bridge::sign_payment(signed(validator(2)), 0, sign(2)));
		assert_eq!(OutgoingPayments::<Test>::get(0).unwrap().signatures.len(), 1);
		// Validator 2 leaves: with validator 3's, still only one current signature.
		circle_becomes([1, 3, 4, 5], 3);
		assert_ok!(Bridge::sign_payment(signed(validator(3)), 0, sign(3)));
		assert!(!events().contains(&Event::PaymentReady { id: 0 }));
		assert_ok!(Bridge::sign_payment(signed(validator(4)), 0, sign(4)));
		assert!(!events().contains(&Event::PaymentReady { id: 0 }));
		// Validator 1 back on its old key, a signer of the vault: the third signature.
		MockCircles::set_stellar_key(&validator(1), Some(stellar_pair(1).public().0));
		assert_ok!(Bridge::sign_payment(signed(validator(1)), 0, sign(1)));
		assert!(events().contains(&Event::PaymentReady { id: 0 }));
		let held = OutgoingPayments::<Test>::get(0).unwrap().signatures;
		assert_eq!(
			held.iter().map(|s| s.signer.clone()).collect::<Vec<_>>(),
			vec![validator(3), validator(4), validator(1)]
		);
	});
}

/// The change of signers pending.
fn signers_change() -> (u64, OutgoingPayment<Test>, stellar::SetSigners) {
	let id = VaultSignersChange::<Test>::get().expect("a change pending");
	let outgoing = OutgoingPayments::<Test>::get(id).expect("pending");
	let stellar::VaultTransaction::SetSigners(change) = outgoing.transaction.clone() else {
		panic!("a change of signers")
	};
	(id, outgoing, change)
}

/// Validators `signers` sign transaction `id`.
fn sign_by(signers: impl IntoIterator<Item = u8>, id: u64) {
	let hash = OutgoingPayments::<Test>::get(id).unwrap().hash;
	for n in signers {
		assert_ok!(Bridge::sign_payment(signed(validator(n)), id, stellar_pair(n).sign(&hash).0));
	}
}

#[test]
fn the_vault_follows_the_circle_signed_by_its_current_signers() {
	test(|| {
		// Validators 1–4 registered keys, the vault has them at 3: nothing to change.
		assert_noop!(
			Bridge::update_vault_signers(signed(validator(1))),
			Error::<Test>::VaultSignersUpToDate
		);
		assert_noop!(Bridge::update_vault_signers(signed(bob())), Error::<Test>::NotBridgeMember);
		// Validator 4 is replaced by validator 6, who registers its key.
		circle_becomes([1, 2, 3, 5, 6], 3);
		MockCircles::set_stellar_key(&validator(6), Some(stellar_pair(6).public().0));
		let withdrawn = withdrawal();
		assert_noop!(
			Bridge::sign_payment(signed(validator(6)), 0, stellar_pair(6).sign(&withdrawn.hash).0),
			Error::<Test>::NotAVaultSigner
		);
		assert_ok!(Bridge::update_vault_signers(signed(validator(6))));
		let (id, outgoing, change) = signers_change();
		assert_eq!(id, 1);
		let (key4, key6) = (stellar_pair(4).public().0, stellar_pair(6).public().0);
		assert_eq!(change.signers.to_vec(), vec![(key4, 0), (key6, 1)]);
		assert_eq!(change.threshold, 3);
		assert_eq!(change.sequence, VAULT_SEQUENCE + 2, "after the withdrawal");
		assert_eq!(change.fee, 3 * 100, "the vault's fee for each of its three operations");
		assert_eq!(change.source, VAULT);
		assert_eq!(
			outgoing.hash,
			outgoing.transaction.hash(&stellar::network_id(stellar::STANDALONE_NETWORK))
		);
		assert!(events().contains(&Event::VaultSignersChangeQueued {
			id,
			signers: vault_signers([1, 2, 3, 6]),
			threshold: 3
		}));
		assert_noop!(
			Bridge::update_vault_signers(signed(validator(1))),
			Error::<Test>::VaultSignersChangePending
		);
		// Stellar checks it against the signers the vault has: validator 6 cannot sign yet.
		assert_noop!(
			Bridge::sign_payment(signed(validator(6)), id, stellar_pair(6).sign(&outgoing.hash).0),
			Error::<Test>::NotAVaultSigner
		);
		sign_by_three(0);
		sign_by([1, 2, 3], id);
		assert!(events().contains(&Event::PaymentReady { id }));
		report_by([1, 2, 3], 0, PaymentResult::Paid);
		report_by([1, 2, 3], id, PaymentResult::Paid);
		let vault = VaultOf::<Test>::get().unwrap();
		assert_eq!((vault.signers.clone(), vault.threshold), (vault_signers([1, 2, 3, 6]), 3));
		assert!(events().contains(&Event::VaultSignersChanged {
			signers: vault_signers([1, 2, 3, 6]),
			threshold: 3
		}));
		assert_eq!(VaultSignersChange::<Test>::get(), None);
		// Now validator 6 signs, validator 4's key no longer counts.
		assert_ok!(Bridge::withdraw(signed(alice()), [0xde; 32], 10 * TFT));
		let next = OutgoingPayments::<Test>::get(2).unwrap();
		sign_by([6], 2);
		MockCircles::set_stellar_key(&validator(5), Some(stellar_pair(4).public().0));
		assert_noop!(
			Bridge::sign_payment(signed(validator(5)), 2, stellar_pair(4).sign(&next.hash).0),
			Error::<Test>::NotAVaultSigner
		);
		MockCircles::set_stellar_key(&validator(5), None);
		// A threshold above the members' keys could never sign again: refused by name.
		circle_becomes([1, 2, 3, 5, 6], 5);
		assert_noop!(
			Bridge::update_vault_signers(signed(validator(1))),
			Error::<Test>::TooFewStellarKeys
		);
		// The circle raises its threshold: the change is the thresholds alone.
		circle_becomes([1, 2, 3, 5, 6], 4);
		assert_ok!(Bridge::update_vault_signers(signed(validator(1))));
		let (_, _, change) = signers_change();
		assert!(change.signers.is_empty());
		assert_eq!((change.threshold, change.fee), (4, 100));
	});
}

#[test]
fn a_change_of_signers_that_fails_or_expires_is_asked_again_or_fixed_again() {
	test(|| {
		circle_becomes([1, 2, 3, 4], 2);
		assert_ok!(Bridge::update_vault_signers(signed(validator(1))));
		let (id, first, change) = signers_change();
		assert_eq!((change.signers.len(), change.threshold), (0, 2));
		// Expired unapplied, meanwhile validator 4 rotated its key: fixed again at the same
		// sequence from the circle as it is now, a new hash, the fee for each operation.
		assert_ok!(Bridge::set_payment_fee(RuntimeOrigin::root(), 1_000));
		MockClock::advance(PAYMENT_LIFETIME + 1);
		MockCircles::set_stellar_key(&validator(4), Some(stellar_pair(14).public().0));
		report_by([1, 2], id, PaymentResult::Expired);
		let (again_id, again, again_change) = signers_change();
		assert_eq!(again_id, id);
		assert_ne!(again.hash, first.hash);
		assert_eq!(again_change.sequence, change.sequence);
		let (key4, key14) = (stellar_pair(4).public().0, stellar_pair(14).public().0);
		let mut expected = vec![(key4, 0), (key14, 1)];
		expected.sort_by_key(|(_, weight)| *weight);
		assert_eq!(again_change.signers.to_vec(), expected);
		assert_eq!(again_change.threshold, 2);
		assert_eq!(again_change.fee, 3 * 1_000);
		assert_eq!(
			again.purpose,
			PaymentPurpose::VaultSigners {
				signers: {
					let mut keys = vec![
						stellar_pair(1).public().0,
						stellar_pair(2).public().0,
						stellar_pair(3).public().0,
						key14,
					];
					keys.sort();
					keys.try_into().unwrap()
				},
				threshold: 2
			}
		);
		// Applied but failed on Stellar: the vault keeps its signers; a member asks again.
		sign_by([1, 2, 3], id);
		report_by([1, 2], id, PaymentResult::Failed);
		assert!(events().contains(&Event::VaultSignersChangeFailed { id }));
		assert_eq!(VaultOf::<Test>::get().unwrap().threshold, 3);
		assert_eq!(VaultSignersChange::<Test>::get(), None);
		assert_ok!(Bridge::update_vault_signers(signed(validator(2))));
		assert_eq!(signers_change().0, id + 1);
	});
}

#[test]
fn reports_of_former_members_do_not_count() {
	test(|| {
		withdrawal();
		sign_by_three(0);
		report_by([1, 2], 0, PaymentResult::Failed);
		circle_becomes(2..=5, 3);
		report_by([3], 0, PaymentResult::Failed);
		assert!(OutgoingPayments::<Test>::contains_key(0), "validator 1 no longer counts");
		report_by([4], 0, PaymentResult::Failed);
		assert!(!OutgoingPayments::<Test>::contains_key(0));
	});
}

#[test]
fn a_failed_withdrawal_is_minted_back_even_to_a_reaped_account() {
	test(|| {
		votes_by([1, 2, 3], &deposit(1, DepositTarget::Account(bob()), 20 * TFT));
		// Below the fee plus the existential deposit: it could not come back to a reaped account.
		assert_noop!(
			Bridge::withdraw(signed(bob()), [0xde; 32], WITHDRAWAL_FEE + EXISTENTIAL_DEPOSIT - 1),
			Error::<Test>::InvalidAmount
		);
		assert_ok!(Bridge::withdraw(
			signed(bob()),
			[0xde; 32],
			WITHDRAWAL_FEE + EXISTENTIAL_DEPOSIT
		));
		// Bob sends everything else away: reaped.
		assert_ok!(<Balances as frame_support::traits::fungible::Mutate<_>>::transfer(
			&bob(),
			&alice(),
			Balances::balance(&bob()),
			frame_support::traits::tokens::Preservation::Expendable
		));
		assert!(!frame_system::Account::<Test>::contains_key(bob()));
		sign_by_three(0);
		report_by([1, 2, 3], 0, PaymentResult::Failed);
		assert_eq!(Balances::balance(&bob()), EXISTENTIAL_DEPOSIT);
	});
}

#[test]
fn a_quarantined_refund_is_retried_by_the_council() {
	test(|| {
		votes_by([1, 2, 3], &deposit(2, DepositTarget::Twin(9), 5 * TFT));
		sign_by_three(0);
		report_by([1, 2, 3], 0, PaymentResult::Failed);
		assert!(QuarantinedRefunds::<Test>::contains_key(0));
		assert_noop!(
			Bridge::retry_refund(signed(alice()), 0, [0x77; 32]),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Bridge::retry_refund(RuntimeOrigin::root(), 5, [0x77; 32]),
			Error::<Test>::UnknownQuarantinedRefund
		);
		assert_ok!(Bridge::retry_refund(RuntimeOrigin::root(), 0, [0x77; 32]));
		assert!(!QuarantinedRefunds::<Test>::contains_key(0));
		let retried = OutgoingPayments::<Test>::get(1).unwrap();
		assert_eq!(payment_of(&retried).destination, [0x77; 32]);
		assert_eq!(payment_of(&retried).memo, Memo::Return([2; 32]));
		assert_eq!(payment_of(&retried).amount, 5 * TFT as i64);
		assert_eq!(payment_of(&retried).sequence, VAULT_SEQUENCE + 2);
		assert!(events().contains(&Event::RefundRetried {
			quarantined: 0,
			payment: 1,
			to: [0x77; 32]
		}));
	});
}

#[test]
fn the_vault_does_not_change_under_pending_payments() {
	test(|| {
		let set_vault = |change: &dyn Fn(&mut VaultSettings)| {
			let mut settings = VaultSettings { sequence: 5, ..vault_settings() };
			change(&mut settings);
			Bridge::set_vault(RuntimeOrigin::root(), settings)
		};
		for (signers, threshold) in
			[(vec![[1; 32], [2; 32]], 0), (vec![[1; 32], [2; 32]], 3), (vec![[1; 32], [1; 32]], 1)]
		{
			let bad = |settings: &mut VaultSettings| {
				settings.signers = signers.clone().try_into().unwrap();
				settings.threshold = threshold;
			};
			assert_noop!(set_vault(&bad), Error::<Test>::InvalidVault);
		}
		for seconds in [0, MIN_PAYMENT_LIFETIME - 1, MAX_PAYMENT_LIFETIME + 1] {
			assert_noop!(
				set_vault(&|settings| settings.payment_lifetime = seconds),
				Error::<Test>::PaymentLifetimeOutOfRange
			);
		}
		assert_noop!(set_vault(&|settings| settings.sequence = -1), Error::<Test>::InvalidVault);
		// More signatures than a payment keeps (5 in the mock) could never be gathered.
		let six = |settings: &mut VaultSettings| {
			settings.signers = vault_signers(1..=6);
			settings.threshold = 6;
		};
		assert_noop!(set_vault(&six), Error::<Test>::ThresholdAboveSigners);
		assert_noop!(set_vault(&|settings| settings.fee = 99), Error::<Test>::FeeTooLow);
		assert_noop!(Bridge::set_payment_fee(RuntimeOrigin::root(), 99), Error::<Test>::FeeTooLow);
		withdrawal();
		assert_noop!(set_vault(&|_| {}), Error::<Test>::PaymentsPending);
		sign_by_three(0);
		report_by([1, 2, 3], 0, PaymentResult::Paid);
		assert_ok!(set_vault(&|_| {}));
		assert_eq!(VaultOf::<Test>::get().unwrap().sequence, 5);
	});
}

#[test]
fn what_the_relays_find_unusable_is_paid_back_to_its_sender() {
	test(|| {
		let issuance = Balances::total_issuance();
		let unusable = DepositTarget::Unusable(UnusableDeposit::SeveralSenders);
		votes_by([1, 2, 3], &deposit(1, unusable, 10 * TFT));
		let refund = refund_of([1; 32]);
		assert_eq!(payment_of(&refund).destination, [0x5e; 32]);
		assert_eq!(payment_of(&refund).amount, 10 * TFT as i64);
		assert_eq!(payment_of(&refund).memo, Memo::Return([1; 32]));
		assert_eq!(
			ExecutedDeposits::<Test>::get([1; 32]).unwrap().outcome,
			DepositOutcome::Refunded(RefundReason::Unusable(UnusableDeposit::SeveralSenders))
		);
		assert_eq!(Balances::total_issuance(), issuance);
		// Dust stays dust, whatever its memo.
		let no_memo = DepositTarget::Unusable(UnusableDeposit::NoMemo);
		votes_by([1, 2, 3], &deposit(2, no_memo, DUST_LIMIT - 1));
		assert_eq!(
			ExecutedDeposits::<Test>::get([2; 32]).unwrap().outcome,
			DepositOutcome::KeptAsDust
		);
	});
}

#[test]
fn a_change_the_members_cannot_sign_is_refused_and_the_vaults_own_key_is_never_a_signer() {
	test(|| {
		// Validators 3 and 4 replaced by 6 and 7 with new keys: of the vault's signers (1–4),
		// the members hold 1 and 2, below its threshold of 3.
		circle_becomes([1, 2, 5, 6, 7], 3);
		for n in [6, 7] {
			MockCircles::set_stellar_key(&validator(n), Some(stellar_pair(n).public().0));
		}
		assert_noop!(
			Bridge::update_vault_signers(signed(validator(1))),
			Error::<Test>::VaultSignersUnreachable
		);
		// A member registers the vault's own key: left out (Stellar refuses an account as its
		// own signer).
		circle_becomes([1, 2, 3, 4, 5], 3);
		MockCircles::set_stellar_key(&validator(5), Some(VAULT));
		assert_noop!(
			Bridge::update_vault_signers(signed(validator(1))),
			Error::<Test>::VaultSignersUpToDate
		);
	});
}
