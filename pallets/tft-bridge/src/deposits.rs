//! Deposits: validators' votes, the threshold, and crediting the target (or queueing the
//! refund) exactly once.

use crate::{pallet::*, types::*};
use frame_support::{pallet_prelude::*, traits::fungible::Mutate};
use gridchain_primitives::{
	circles::Circles,
	grid::{AgreementFunding, GridRegistry},
};
use sp_runtime::traits::Hash;

impl<T: Config> Pallet<T> {
	/// Records `voter`'s vote and executes the deposit when identical claims reach the
	/// threshold.
	pub(crate) fn vote(
		circle: CircleId,
		threshold: u32,
		voter: &T::AccountId,
		vote: DepositVote<T::AccountId>,
	) -> DispatchResult {
		let DepositVote { tx_hash, claim } = vote;
		// Stellar pays no zero amount: such a claim is a relay's error, and its refund could
		// never be paid (a malformed payment would hold up every later sequence).
		ensure!(claim.amount > 0, Error::<T>::ZeroAmount);
		if ExecutedDeposits::<T>::contains_key(tx_hash) {
			return Ok(());
		}
		let digest = T::Hashing::hash_of(&claim);
		match DepositVotes::<T>::get(tx_hash, voter) {
			Some(earlier) if earlier == digest => return Ok(()),
			Some(_) => return Err(Error::<T>::ConflictingVote.into()),
			None => {},
		}
		if !DepositFirstVoted::<T>::contains_key(tx_hash) {
			DepositFirstVoted::<T>::insert(tx_hash, frame_system::Pallet::<T>::block_number());
		}
		DepositVotes::<T>::insert(tx_hash, voter, digest);
		let votes = DepositTallies::<T>::mutate(tx_hash, digest, |tally| {
			*tally = tally.saturating_add(1);
			*tally
		});
		Self::deposit_event(Event::DepositVoted { tx_hash, voter: voter.clone(), votes });
		if votes >= threshold {
			Self::execute(circle, tx_hash, claim)?;
		}
		Ok(())
	}

	/// Credits the deposit, or queues its refund (a payment back to the sender, its memo the
	/// deposit's hash); either way it never executes again, and its votes are cleared (at most
	/// one per member).
	fn execute(
		circle: CircleId,
		tx_hash: StellarTxHash,
		claim: DepositClaim<T::AccountId>,
	) -> DispatchResult {
		let outcome = match Self::credit(circle, &claim) {
			Ok(fee) => {
				let amount = claim.amount.saturating_sub(fee);
				BridgedSupply::<T>::mutate(|supply| *supply = supply.saturating_add(claim.amount));
				Self::deposit_event(Event::DepositMinted {
					tx_hash,
					target: claim.target,
					amount,
					fee,
				});
				DepositOutcome::Minted { amount, fee }
			},
			Err(reason) => {
				let payment = Self::queue_payment(
					PaymentPurpose::Refund { deposit: tx_hash },
					claim.sender,
					claim.amount,
					gridchain_primitives::stellar::Memo::Return(tx_hash),
				)?;
				Self::deposit_event(Event::DepositRefundQueued {
					tx_hash,
					to: claim.sender,
					amount: claim.amount,
					reason,
					payment,
				});
				DepositOutcome::Refunded(reason)
			},
		};
		let at = frame_system::Pallet::<T>::block_number();
		ExecutedDeposits::<T>::insert(tx_hash, ExecutedDeposit { at, outcome });
		Self::clear_votes(tx_hash);
		Ok(())
	}

	/// Removes a transaction's votes (at most one per member) and tallies; how many votes.
	pub(crate) fn clear_votes(tx_hash: StellarTxHash) -> u32 {
		DepositFirstVoted::<T>::remove(tx_hash);
		let _ = DepositTallies::<T>::clear_prefix(tx_hash, u32::MAX, None);
		// Counted apart: `clear_prefix` does not count what only the overlay holds.
		let votes = DepositVotes::<T>::iter_key_prefix(tx_hash).count() as u32;
		let _ = DepositVotes::<T>::clear_prefix(tx_hash, u32::MAX, None);
		votes
	}

	/// Mints the deposit to its target and the fee to the circle's treasury, all or nothing;
	/// the fee taken, or why it goes back.
	fn credit(
		circle: CircleId,
		claim: &DepositClaim<T::AccountId>,
	) -> Result<Balance, RefundReason> {
		let fee = T::DepositFee::get();
		if claim.amount <= fee {
			return Err(RefundReason::AmountNotAboveFee);
		}
		let amount = claim.amount - fee;
		// Nothing stays minted when a part fails: the layer rolls back, the reason is kept.
		let mut refused = RefundReason::AccountRefused;
		frame_support::storage::with_storage_layer(|| {
			Self::mint_parts(circle, &claim.target, amount, fee).map_err(|reason| {
				refused = reason;
				DispatchError::Other("deposit refused")
			})
		})
		.map(|()| fee)
		.map_err(|_| refused)
	}

	fn mint_parts(
		circle: CircleId,
		target: &DepositTarget<T::AccountId>,
		amount: Balance,
		fee: Balance,
	) -> Result<(), RefundReason> {
		let mint = |account: &T::AccountId, value: Balance| {
			T::Currency::mint_into(account, value)
				.map(|_| ())
				.map_err(|_| RefundReason::AccountRefused)
		};
		match target {
			DepositTarget::Account(account) => mint(account, amount)?,
			DepositTarget::Twin(twin_id) => mint(
				&T::Registry::twin_account(*twin_id).ok_or(RefundReason::UnknownTwin)?,
				amount,
			)?,
			DepositTarget::Contract(contract_id) => T::Agreements::fund(*contract_id, amount)
				.map_err(|_| RefundReason::ContractRefused)?,
		}
		if fee > 0 {
			mint(&T::Circles::treasury(circle), fee)?;
		}
		Ok(())
	}
}
