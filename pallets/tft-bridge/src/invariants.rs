//! What must always hold, checked by `try_state` (after every unit test, and by try-runtime).

use crate::{pallet::*, types::*};
use frame_support::ensure;
use sp_runtime::TryRuntimeError;

impl<T: Config> Pallet<T> {
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		// Minted deposits add up to the bridged supply (withdrawals will burn from it).
		let minted =
			ExecutedDeposits::<T>::iter_values().try_fold(0 as Balance, |sum, executed| {
				match executed.outcome {
					DepositOutcome::Minted { amount, fee } => {
						sum.checked_add(amount).and_then(|sum| sum.checked_add(fee))
					},
					DepositOutcome::Refunded(_) => Some(sum),
				}
			});
		ensure!(
			minted == Some(BridgedSupply::<T>::get()),
			"bridged supply differs from deposits minted"
		);
		// An executed deposit has no votes left and is never pending twice.
		for (tx_hash, _) in ExecutedDeposits::<T>::iter() {
			ensure!(
				DepositVotes::<T>::iter_prefix(tx_hash).next().is_none(),
				"votes left on an executed deposit"
			);
		}
		for tx_hash in PendingRefunds::<T>::iter_keys() {
			let refunded = ExecutedDeposits::<T>::get(tx_hash)
				.is_some_and(|executed| matches!(executed.outcome, DepositOutcome::Refunded(_)));
			ensure!(refunded, "a refund of no refunded deposit");
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
