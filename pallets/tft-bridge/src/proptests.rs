//! Random sequences of deposit votes (agreeing, disagreeing, late, repeated, dust, for targets
//! the chain can and cannot credit), withdrawals, signatures (good and forged) and result
//! reports (paid, failed, expired) by random validators and strangers, with the clock moving,
//! members leaving and coming back, keys rotating, the vault's signers following the circle,
//! fees changing and quarantined refunds retried. After every step: the invariants hold, the total
//! issuance moved by exactly the bridged supply (nothing minted or burned beside the vault's
//! book), and no Stellar transaction minted twice.
//!
//! The test command runs a short version; `GRIDCHAIN_PROPTEST_CASES=N` runs more sequences.

use crate::{mock::*, *};
use frame_support::{dispatch::RawOrigin, traits::UnfilteredDispatchable};
use gridchain_primitives::circles::Circles;
use proptest::prelude::*;
use sp_core::Pair;

#[derive(Clone, Debug)]
enum Step {
	Vote { voter: u8, tx: u8, variant: u8 },
	Withdraw { amount: u8 },
	Sign { signer: u8, id: u8, forged: bool },
	Report { reporter: u8, id: u8, result: PaymentResult },
	Clock { minutes: u8 },
	Circle { leaving: u8, rotated: u8, threshold: u8 },
	Fee { fee: u16 },
	Retry { id: u8 },
	FollowCircle { member: u8 },
}

fn step_strategy() -> impl Strategy<Value = Step> {
	prop_oneof![
		5 => (0u8..7, 0u8..6, 0u8..8).prop_map(|(voter, tx, variant)| Step::Vote { voter, tx, variant }),
		3 => any::<u8>().prop_map(|amount| Step::Withdraw { amount }),
		5 => (0u8..6, 0u8..3, 0u8..6).prop_map(|(signer, id, forged)| Step::Sign { signer, id, forged: forged == 0 }),
		4 => (0u8..6, 0u8..4, 0u8..8).prop_map(|(reporter, id, noise)| {
			// Payment 2 mostly failed on Stellar, the others mostly went through or expired.
			let result = match (id, noise) {
				(_, 0) => PaymentResult::Expired,
				(2, 1..=5) | (_, 1) => PaymentResult::Failed,
				_ => PaymentResult::Paid,
			};
			Step::Report { reporter, id, result }
		}),
		1 => any::<u8>().prop_map(|minutes| Step::Clock { minutes }),
		1 => (0u8..7, 0u8..7, 1u8..7).prop_map(|(leaving, rotated, threshold)| Step::Circle { leaving, rotated, threshold }),
		1 => any::<u16>().prop_map(|fee| Step::Fee { fee }),
		1 => (0u8..6).prop_map(|id| Step::Retry { id }),
		1 => (0u8..7).prop_map(|member| Step::FollowCircle { member }),
	]
}

/// Validators 1–5, and 0 and 6: accounts outside the circle.
fn who(n: u8) -> AccountId {
	validator(n)
}

/// Claims validators may see for a transaction: mostly the same, sometimes not.
fn claim(tx: u8, variant: u8) -> DepositClaim<AccountId> {
	let target = match tx % 5 {
		0 => DepositTarget::Account(bob()),
		1 => DepositTarget::Twin(if variant == 7 { 9 } else { 1 }),
		2 => DepositTarget::Contract(7),
		3 => DepositTarget::Account(alice()),
		_ => DepositTarget::Unusable(UnusableDeposit::BadMemo),
	};
	let amount = match variant {
		6 => 3 * TFT,
		5 => DUST_LIMIT - 1,
		_ => Balance::from(tx) * TFT / 2 + TFT / 3,
	};
	DepositClaim { sender: [0x5e; 32], target, amount }
}

/// The `n`th pending payment from the oldest (an id past them when `n` is beyond).
fn pending_id(n: u8) -> u64 {
	FirstPendingPayment::<Test>::get() + u64::from(n)
}

fn dispatch(who: AccountId, call: crate::Call<Test>) {
	let _ = call.dispatch_bypass_filter(RawOrigin::Signed(who).into());
}

fn dispatch_as_council(call: crate::Call<Test>) {
	let _ = call.dispatch_bypass_filter(RawOrigin::Root.into());
}

fn apply(step: &Step) {
	match *step {
		Step::Vote { voter, tx, variant } => dispatch(
			who(voter),
			crate::Call::vote_deposits {
				votes: vec![DepositVote { tx_hash: [tx; 32], claim: claim(tx, variant) }],
			},
		),
		Step::Withdraw { amount } => dispatch(
			alice(),
			crate::Call::withdraw {
				destination: [0xde; 32],
				amount: Balance::from(amount) * TFT / 16,
			},
		),
		Step::Sign { signer, id, forged } => {
			let id = pending_id(id);
			let Some(outgoing) = OutgoingPayments::<Test>::get(id) else { return };
			// The validator's own key, or its rotated one, or another's (forged).
			let pair = |n: u8| stellar_pair(n);
			let signature = if forged {
				pair(signer.wrapping_add(1)).sign(&outgoing.hash).0
			} else if MockCircles::stellar_key(BRIDGE, &who(signer))
				== Some(pair(signer.wrapping_add(50)).public().0)
			{
				pair(signer.wrapping_add(50)).sign(&outgoing.hash).0
			} else {
				pair(signer).sign(&outgoing.hash).0
			};
			dispatch(who(signer), crate::Call::sign_payment { id, signature });
		},
		Step::Report { reporter, id, result } => {
			dispatch(who(reporter), crate::Call::report_payment { id: pending_id(id), result });
		},
		Step::Clock { minutes } => MockClock::advance(u64::from(minutes) * 60),
		Step::Circle { leaving, rotated, threshold } => {
			// Validators 1–5 but `leaving` (0 and 6 leave no one); `rotated` gets a new key.
			let members = (1..=5).filter(|n| *n != leaving).map(validator).collect::<Vec<_>>();
			let threshold = u32::from(threshold).min(members.len() as u32);
			MockCircles::create(BRIDGE, members, threshold);
			if (1..=4).contains(&rotated) {
				MockCircles::set_stellar_key(
					&validator(rotated),
					Some(stellar_pair(rotated.wrapping_add(50)).public().0),
				);
			}
		},
		Step::Fee { fee } => {
			dispatch_as_council(crate::Call::set_payment_fee { fee: u32::from(fee) })
		},
		Step::Retry { id } => {
			// A quarantined refund if there is one (id 0 is also tried when there is none).
			let id = QuarantinedRefunds::<Test>::iter_keys().nth(usize::from(id)).unwrap_or(0);
			dispatch_as_council(crate::Call::retry_refund { id, destination: [0x77; 32] })
		},
		Step::FollowCircle { member } => {
			dispatch(who(member), crate::Call::update_vault_signers {})
		},
	}
}

fn cases() -> u32 {
	std::env::var("GRIDCHAIN_PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(32)
}

proptest! {
	#![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

	#[test]
	fn random_sequences_never_mint_twice_nor_off_the_books(
		steps in prop::collection::vec(step_strategy(), 1..200)
	) {
		new_test_ext().execute_with(|| {
			let issuance = Balances::total_issuance();
			for step in &steps {
				apply(step);
				Bridge::do_try_state().expect("the invariants hold");
				assert_eq!(
					Balances::total_issuance(),
					issuance + BridgedSupply::<Test>::get(),
					"after {step:?}"
				);
			}
			let mut minted = std::collections::BTreeMap::new();
			for record in System::events() {
				if let RuntimeEvent::Bridge(Event::DepositMinted { tx_hash, .. }) = record.event {
					*minted.entry(tx_hash).or_insert(0) += 1;
				}
			}
			assert!(minted.values().all(|count| *count == 1), "a transaction minted twice");
			// Each payment ends once: confirmed, returned or quarantined, never two of them.
			let mut ended = std::collections::BTreeMap::new();
			for record in System::events() {
				if let RuntimeEvent::Bridge(
					Event::PaymentConfirmed { id } |
					Event::WithdrawalReturned { id, .. } |
					Event::RefundQuarantined { id, .. } |
					Event::VaultSignersChangeFailed { id },
				) = record.event
				{
					*ended.entry(id).or_insert(0) += 1;
				}
			}
			assert!(ended.values().all(|count| *count == 1), "a payment ended twice");
		});
	}
}
