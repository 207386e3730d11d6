//! What must always hold, checked by `try_state` (after every unit test, and by try-runtime).

use crate::{pallet::*, types::*};
use alloc::collections::BTreeSet;
use frame_support::ensure;
use sp_runtime::TryRuntimeError;

impl<T: Config> Pallet<T> {
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		Self::check_supply()?;
		Self::check_payments()?;
		// An executed deposit has no votes left; every voter voted once.
		for (tx_hash, pending) in PendingDeposits::<T>::iter() {
			ensure!(
				!ExecutedDeposits::<T>::contains_key(tx_hash),
				"votes left on an executed deposit"
			);
			let voters: BTreeSet<_> = pending.votes.iter().map(|(voter, _)| voter).collect();
			ensure!(voters.len() == pending.votes.len(), "a validator voted twice");
			ensure!(!pending.votes.is_empty(), "a pending deposit with no vote");
		}
		Ok(())
	}

	/// The bridged supply is what deposits minted less what withdrawals burned and did not
	/// get back: counted from the records, not from the figure the code keeps.
	fn check_supply() -> Result<(), TryRuntimeError> {
		let minted =
			ExecutedDeposits::<T>::iter_values().try_fold(0 as Balance, |sum, executed| {
				match executed.outcome {
					DepositOutcome::Minted { amount, fee } => {
						sum.checked_add(amount).and_then(|sum| sum.checked_add(fee))
					},
					DepositOutcome::Refunded(_) | DepositOutcome::KeptAsDust => Some(sum),
				}
			});
		// Withdrawals burned what their pending payments pay, and what confirmed ones paid.
		let pending = OutgoingPayments::<T>::iter_values()
			.filter(|outgoing| matches!(outgoing.purpose, PaymentPurpose::Withdrawal { .. }))
			.try_fold(0 as Balance, |sum, outgoing| sum.checked_add(outgoing.amount()));
		let withdrawn =
			pending.and_then(|pending| pending.checked_add(ConfirmedWithdrawals::<T>::get()));
		let expected =
			minted.zip(withdrawn).and_then(|(minted, withdrawn)| minted.checked_sub(withdrawn));
		ensure!(
			expected == Some(BridgedSupply::<T>::get()),
			"bridged supply is not what deposits minted less what withdrawals burned"
		);
		Ok(())
	}

	/// Pending payments use distinct sequences, consecutive up to the vault's; each hash is
	/// its payment's; each refund pays back a refunded deposit, once, pending or quarantined.
	fn check_payments() -> Result<(), TryRuntimeError> {
		let vault = VaultOf::<T>::get();
		let mut sequences = BTreeSet::new();
		let mut refunds = BTreeSet::new();
		for (id, outgoing) in OutgoingPayments::<T>::iter() {
			ensure!(id < NextPaymentId::<T>::get(), "a payment id not yet given");
			let vault = vault.as_ref().ok_or("a payment without a vault")?;
			ensure!(
				outgoing.transaction.hash(&vault.network_id) == outgoing.hash,
				"a payment's hash is not its own"
			);
			ensure!(
				*outgoing.transaction.source() == vault.account,
				"a payment from another vault"
			);
			ensure!(
				outgoing.transaction.sequence() <= vault.sequence,
				"a payment past the vault's sequence"
			);
			ensure!(
				sequences.insert(outgoing.transaction.sequence()),
				"two payments at one sequence"
			);
			let changes_signers = matches!(outgoing.purpose, PaymentPurpose::VaultSigners { .. });
			ensure!(
				changes_signers == (VaultSignersChange::<T>::get() == Some(id)),
				"a change of the vault's signers pending but not recorded as the one"
			);
			let keys: BTreeSet<_> = outgoing.signatures.iter().map(|held| held.key).collect();
			ensure!(keys.len() == outgoing.signatures.len(), "a key signed twice");
			let reporters: BTreeSet<_> = outgoing.reports.iter().map(|(who, _)| who).collect();
			ensure!(reporters.len() == outgoing.reports.len(), "a validator reported twice");
			if let PaymentPurpose::Refund { deposit } = outgoing.purpose {
				ensure!(refunds.insert(deposit), "a deposit refunded twice");
			}
		}
		// The pending payments are exactly the newest ids and the newest sequences, with no
		// gap: nothing later waits for a sequence no payment will use.
		let (first, next) = (FirstPendingPayment::<T>::get(), NextPaymentId::<T>::get());
		ensure!(first <= next, "the first pending payment is not yet given");
		ensure!(
			(first..next).all(OutgoingPayments::<T>::contains_key)
				&& sequences.len() as u64 == next - first,
			"the pending payments are not the ids from the first pending on"
		);
		if let (Some(first), Some(vault)) = (sequences.first(), vault.as_ref()) {
			ensure!(
				vault.sequence - first + 1 == sequences.len() as i64,
				"a gap in the pending sequences"
			);
		}
		if let Some(id) = VaultSignersChange::<T>::get() {
			ensure!(OutgoingPayments::<T>::contains_key(id), "a change of signers not pending");
		}
		if let Some(vault) = vault.as_ref() {
			ensure!(
				vault.signers.windows(2).all(|pair| pair[0] < pair[1]),
				"the vault's signers unsorted or twice"
			);
			ensure!(
				vault.threshold >= 1 && usize::from(vault.threshold) <= vault.signers.len(),
				"a vault threshold its signers cannot reach"
			);
		}
		for (id, quarantined) in QuarantinedRefunds::<T>::iter() {
			ensure!(!OutgoingPayments::<T>::contains_key(id), "a payment pending and quarantined");
			let PaymentPurpose::Refund { deposit } = quarantined.purpose else {
				return Err("a quarantined withdrawal".into());
			};
			ensure!(refunds.insert(deposit), "a deposit refunded twice");
		}
		for deposit in refunds {
			ensure!(
				ExecutedDeposits::<T>::get(deposit).is_some_and(|executed| matches!(
					executed.outcome,
					DepositOutcome::Refunded(_)
				)),
				"a refund of no refunded deposit"
			);
		}
		Ok(())
	}
}
