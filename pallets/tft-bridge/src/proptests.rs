//! Random sequences of deposit votes (agreeing, disagreeing, late, repeated, for targets the
//! chain can and cannot credit), withdrawals, signatures (good and forged) and result reports
//! by random validators and strangers. After every step: the invariants hold, the total
//! issuance moved by exactly the bridged supply (nothing minted or burned beside the vault's
//! book), and no Stellar transaction minted twice.
//!
//! The test command runs a short version; `GRIDCHAIN_PROPTEST_CASES=N` runs more sequences.

use crate::{mock::*, *};
use frame_support::{dispatch::RawOrigin, traits::UnfilteredDispatchable};
use proptest::prelude::*;
use sp_core::Pair;

#[derive(Clone, Debug)]
enum Step {
	Vote { voter: u8, tx: u8, variant: u8 },
	Withdraw { amount: u8 },
	Sign { signer: u8, id: u8, forged: bool },
	Report { reporter: u8, id: u8, paid: bool },
}

fn step_strategy() -> impl Strategy<Value = Step> {
	prop_oneof![
		5 => (0u8..7, 0u8..5, 0u8..8).prop_map(|(voter, tx, variant)| Step::Vote { voter, tx, variant }),
		1 => any::<u8>().prop_map(|amount| Step::Withdraw { amount }),
		5 => (0u8..6, 0u8..3, 0u8..6).prop_map(|(signer, id, forged)| Step::Sign { signer, id, forged: forged == 0 }),
		4 => (0u8..6, 0u8..3, 0u8..6).prop_map(|(reporter, id, noise)| {
			// Payment 2 mostly failed on Stellar, the others mostly went through.
			Step::Report { reporter, id, paid: (id != 2) != (noise == 0) }
		}),
	]
}

/// Validators 1–5, and 0 and 6: accounts outside the circle.
fn who(n: u8) -> AccountId {
	validator(n)
}

/// Claims validators may see for a transaction: mostly the same, sometimes not.
fn claim(tx: u8, variant: u8) -> DepositClaim<AccountId> {
	let target = match tx % 4 {
		0 => DepositTarget::Account(bob()),
		1 => DepositTarget::Twin(if variant == 7 { 9 } else { 1 }),
		2 => DepositTarget::Contract(7),
		_ => DepositTarget::Account(alice()),
	};
	let amount = if variant == 6 { 3 * TFT } else { Balance::from(tx) * TFT / 2 + TFT / 3 };
	DepositClaim { sender: [0x5e; 32], target, amount }
}

fn dispatch(who: AccountId, call: crate::Call<Test>) {
	let _ = call.dispatch_bypass_filter(RawOrigin::Signed(who).into());
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
			let Some(outgoing) = OutgoingPayments::<Test>::get(u64::from(id)) else { return };
			let key = stellar_pair(if forged { signer.wrapping_add(1) } else { signer });
			let signature = key.sign(&outgoing.hash).0;
			dispatch(who(signer), crate::Call::sign_payment { id: u64::from(id), signature });
		},
		Step::Report { reporter, id, paid } => {
			let result = if paid { PaymentResult::Paid } else { PaymentResult::Failed };
			dispatch(who(reporter), crate::Call::report_payment { id: u64::from(id), result });
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
		});
	}
}
