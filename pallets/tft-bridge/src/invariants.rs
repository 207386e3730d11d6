//! What must always hold, checked by `try_state` (after every unit test, and by try-runtime).

use crate::{pallet::*, types::*};
use frame_support::ensure;
use sp_runtime::TryRuntimeError;

impl<T: Config> Pallet<T> {
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		// Minted deposits less withdrawals add up to the bridged supply.
		let minted =
			ExecutedDeposits::<T>::iter_values().try_fold(0 as Balance, |sum, executed| {
				match executed.outcome {
					DepositOutcome::Minted { amount, fee } => {
						sum.checked_add(amount).and_then(|sum| sum.checked_add(fee))
					},
					DepositOutcome::Refunded(_) => Some(sum),
				}
			});
		// Withdrawals burned what their pending payments pay, and what confirmed ones paid.
		let pending = OutgoingPayments::<T>::iter_values()
			.filter(|outgoing| matches!(outgoing.purpose, PaymentPurpose::Withdrawal { .. }))
			.try_fold(0 as Balance, |sum, outgoing| {
				sum.checked_add(Balance::try_from(outgoing.payment.amount).ok()?)
			});
		let withdrawn =
			pending.and_then(|pending| pending.checked_add(ConfirmedWithdrawals::<T>::get()));
		let expected =
			minted.zip(withdrawn).and_then(|(minted, withdrawn)| minted.checked_sub(withdrawn));
		ensure!(
			expected == Some(BridgedSupply::<T>::get()),
			"bridged supply is not what deposits minted less what withdrawals burned"
		);
		// An executed deposit has no votes left and is never pending twice.
		for (tx_hash, _) in ExecutedDeposits::<T>::iter() {
			ensure!(
				DepositVotes::<T>::iter_prefix(tx_hash).next().is_none(),
				"votes left on an executed deposit"
			);
		}
		// Every refund pays back a deposit refunded, once; every payment's hash is its own.
		let mut refunds = alloc::collections::BTreeSet::new();
		let vault = VaultOf::<T>::get();
		for (id, outgoing) in OutgoingPayments::<T>::iter() {
			ensure!(id < NextPaymentId::<T>::get(), "a payment id not yet given");
			if let Some(vault) = &vault {
				ensure!(
					outgoing.payment.hash(&vault.network_id) == outgoing.hash,
					"a payment's hash is not its own"
				);
				ensure!(
					outgoing.payment.sequence <= vault.sequence,
					"a payment past the vault's sequence"
				);
			}
			ensure!(
				outgoing.signatures.len() == outgoing.signers.len(),
				"signatures without signers"
			);
			if let PaymentPurpose::Refund { deposit } = outgoing.purpose {
				ensure!(
					!QuarantinedRefunds::<T>::contains_key(id),
					"a refund both pending and quarantined"
				);
				let refunded = ExecutedDeposits::<T>::get(deposit).is_some_and(|executed| {
					matches!(executed.outcome, DepositOutcome::Refunded(_))
				});
				ensure!(
					refunded && refunds.insert(deposit),
					"a refund of no refunded deposit, or twice"
				);
			}
		}
		// Reports only of pending payments.
		for id in PaymentReports::<T>::iter_keys().map(|(id, _)| id) {
			ensure!(OutgoingPayments::<T>::contains_key(id), "a report of no pending payment");
		}
		// A transaction with votes has its first vote's block, and only then.
		for tx_hash in DepositFirstVoted::<T>::iter_keys() {
			ensure!(
				DepositVotes::<T>::iter_prefix(tx_hash).next().is_some(),
				"a first vote of no votes"
			);
		}
		for (tx_hash, _) in DepositVotes::<T>::iter_keys() {
			ensure!(
				DepositFirstVoted::<T>::contains_key(tx_hash),
				"votes without their first block"
			);
		}
		// Tallies count the votes recorded.
		for (tx_hash, digest, tally) in DepositTallies::<T>::iter() {
			let recorded =
				DepositVotes::<T>::iter_prefix(tx_hash).filter(|(_, vote)| *vote == digest).count();
			ensure!(recorded as u32 == tally, "a tally differs from its votes");
		}
		Ok(())
	}
}
