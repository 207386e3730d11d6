//! Deposits: validators' votes, the threshold of current members, and crediting the target
//! (or queueing the refund, or keeping dust) exactly once.

use crate::{pallet::*, types::*, WeightInfo};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::fungible::Mutate};
use gridchain_primitives::{
	circles::Circles,
	grid::{AgreementFunding, GridRegistry},
};
use sp_runtime::traits::Hash;

/// What one vote cost beyond the benchmarked vote: membership checks and agreement funding.
#[derive(Default)]
pub(crate) struct VoteCost {
	pub membership_reads: u64,
	pub agreements_funded: u64,
}

impl<T: Config> Pallet<T> {
	/// The weight charged before [`Pallet::vote_deposits`] runs: `n` votes (at most the bound),
	/// each possibly checking every validator's membership and funding an agreement.
	pub fn vote_deposits_weight(n: u32) -> Weight {
		let n = n.min(T::MaxVotesPerCall::get());
		Self::votes_weight(n).saturating_add(
			T::DbWeight::get()
				.reads(T::MaxValidators::get().into())
				.saturating_add(T::AgreementFundingWeight::get())
				.saturating_mul(n.into()),
		)
	}

	/// `n` votes that each execute a deposit, minted or refunded, whichever weighs more.
	fn votes_weight(n: u32) -> Weight {
		T::WeightInfo::vote_deposits_minting(n).max(T::WeightInfo::vote_deposits_refunding(n))
	}

	pub(crate) fn do_vote_deposits(
		voter: T::AccountId,
		votes: Vec<DepositVote<T::AccountId>>,
	) -> DispatchResultWithPostInfo {
		let circle = BridgeCircle::<T>::get().ok_or(Error::<T>::NoBridgeCircle)?;
		ensure!(T::Circles::is_member(circle, &voter), Error::<T>::NotBridgeMember);
		// Refunds are paid from the vault: deposits wait until the chain knows it.
		ensure!(VaultOf::<T>::exists(), Error::<T>::NoVault);
		ensure!(!votes.is_empty(), Error::<T>::NoVotes);
		ensure!(votes.len() as u32 <= T::MaxVotesPerCall::get(), Error::<T>::TooManyVotes);
		let threshold = T::Circles::threshold(circle).ok_or(Error::<T>::UnknownCircle)?;
		let n = votes.len() as u32;
		let mut cost = VoteCost::default();
		for vote in votes {
			Self::vote(circle, threshold, &voter, vote, &mut cost)?;
		}
		let actual = Self::votes_weight(n).saturating_add(
			T::DbWeight::get().reads(cost.membership_reads).saturating_add(
				T::AgreementFundingWeight::get().saturating_mul(cost.agreements_funded),
			),
		);
		Ok(Some(actual.min(Self::vote_deposits_weight(n))).into())
	}

	/// Records `voter`'s vote and executes the deposit when the current members' identical
	/// claims reach the threshold.
	fn vote(
		circle: CircleId,
		threshold: u32,
		voter: &T::AccountId,
		vote: DepositVote<T::AccountId>,
		cost: &mut VoteCost,
	) -> DispatchResult {
		let DepositVote { tx_hash, claim } = vote;
		// Stellar pays no zero amount: such a claim is a relay's error, and its refund could
		// never be paid (a malformed payment would hold up every later sequence).
		ensure!(claim.amount > 0, Error::<T>::ZeroAmount);
		ensure!(i64::try_from(claim.amount).is_ok(), Error::<T>::InvalidAmount);
		if ExecutedDeposits::<T>::contains_key(tx_hash) {
			return Ok(());
		}
		let digest = T::Hashing::hash_of(&claim);
		let now = frame_system::Pallet::<T>::block_number();
		let mut pending = PendingDeposits::<T>::get(tx_hash)
			.unwrap_or_else(|| PendingDeposit { first_voted: now, votes: Default::default() });
		match pending.votes.iter().find(|(account, _)| account == voter) {
			Some((_, earlier)) if *earlier != digest => {
				return Err(Error::<T>::ConflictingVote.into())
			},
			Some(_) => {},
			None => {
				push_as_member::<T, _, _>(
					circle,
					&mut pending.votes,
					(voter.clone(), digest),
					cost,
				)?;
				let votes = agreeing(&pending.votes, &digest);
				Self::deposit_event(Event::DepositVoted { tx_hash, voter: voter.clone(), votes });
			},
		}
		if agreeing(&pending.votes, &digest) >= threshold
			&& count_members::<T, _>(
				circle,
				&pending.votes,
				|(account, vote)| (*vote == digest).then_some(account),
				cost,
			) >= threshold
		{
			PendingDeposits::<T>::remove(tx_hash);
			Self::execute(circle, tx_hash, claim, cost)
		} else {
			PendingDeposits::<T>::insert(tx_hash, pending);
			Ok(())
		}
	}

	/// Credits the deposit, or queues its refund (a payment back to the sender, its memo the
	/// deposit's hash), or keeps it as dust; either way it never executes again.
	fn execute(
		circle: CircleId,
		tx_hash: StellarTxHash,
		claim: DepositClaim<T::AccountId>,
		cost: &mut VoteCost,
	) -> DispatchResult {
		if let DepositTarget::Contract(_) = claim.target {
			cost.agreements_funded = cost.agreements_funded.saturating_add(1);
		}
		let outcome = if claim.amount < T::DustLimit::get() {
			Self::deposit_event(Event::DepositKeptAsDust { tx_hash, amount: claim.amount });
			DepositOutcome::KeptAsDust
		} else {
			match Self::credit(circle, &claim) {
				Ok(fee) => {
					let amount = claim.amount.saturating_sub(fee);
					BridgedSupply::<T>::mutate(|supply| {
						*supply = supply.saturating_add(claim.amount)
					});
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
			}
		};
		let at = frame_system::Pallet::<T>::block_number();
		ExecutedDeposits::<T>::insert(tx_hash, ExecutedDeposit { at, outcome });
		Ok(())
	}

	/// Mints the deposit to its target and the fee to the circle's treasury, all or nothing;
	/// the fee taken, or why it goes back.
	fn credit(
		circle: CircleId,
		claim: &DepositClaim<T::AccountId>,
	) -> Result<Balance, RefundReason> {
		if let DepositTarget::Unusable(why) = claim.target {
			return Err(RefundReason::Unusable(why));
		}
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
			DepositTarget::Unusable(why) => return Err(RefundReason::Unusable(*why)),
		}
		if fee > 0 {
			mint(&T::Circles::treasury(circle), fee)?;
		}
		Ok(())
	}
}

/// How many of `entries` carry `wanted` (without asking who is a member: a cheap upper bound).
fn agreeing<A, V: PartialEq>(entries: &[(A, V)], wanted: &V) -> u32 {
	entries.iter().filter(|(_, value)| value == wanted).count() as u32
}

/// How many of the accounts `select` picks from `entries` are members of the circle now.
pub(crate) fn count_members<T: Config, E>(
	circle: CircleId,
	entries: &[E],
	select: impl Fn(&E) -> Option<&T::AccountId>,
	cost: &mut VoteCost,
) -> u32 {
	entries
		.iter()
		.filter_map(select)
		.filter(|account| {
			cost.membership_reads = cost.membership_reads.saturating_add(1);
			T::Circles::is_member(circle, account)
		})
		.count() as u32
}

/// Adds a validator's entry; when the list is full, former members' entries make room.
pub(crate) fn push_as_member<T: Config, V, S: Get<u32>>(
	circle: CircleId,
	entries: &mut BoundedVec<(T::AccountId, V), S>,
	entry: (T::AccountId, V),
	cost: &mut VoteCost,
) -> DispatchResult {
	if entries.is_full() {
		entries.retain(|(account, _)| {
			cost.membership_reads = cost.membership_reads.saturating_add(1);
			T::Circles::is_member(circle, account)
		});
	}
	entries.try_push(entry).map_err(|_| Error::<T>::TooManyValidators.into())
}
