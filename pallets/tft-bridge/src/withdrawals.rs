//! Outgoing transactions: withdrawals burned on chain, deposits paid back and changes of the
//! vault's signers, each a Stellar transaction the chain fixes (sequence, fee, time bounds,
//! memo) and hashes before any validator signs, whose signatures it checks against the
//! validators' registered Stellar keys that the vault has as signers, and whose result on
//! Stellar the validators report.

use crate::{
	deposits::{count_members, push_as_member, VoteCost},
	pallet::*,
	types::*,
	WeightInfo,
};
use alloc::format;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::{Fortitude, Precision, Preservation},
		UnixTime,
	},
};
use gridchain_primitives::{
	circles::Circles,
	stellar::{verify, DecoratedSignature, Memo, Payment, VaultTransaction},
};

impl<T: Config> Pallet<T> {
	/// Until when a transaction fixed now is valid: the vault's payment lifetime from now on
	/// the chain's clock. Past it, an envelope can never apply: a transaction reported expired
	/// is fixed again instead of staying valid forever.
	pub(crate) fn max_time_from_now(vault: &Vault) -> u64 {
		T::UnixTime::now().as_secs().saturating_add(vault.payment_lifetime)
	}

	/// Fixes the vault's transaction that `fix` makes at the vault's next sequence number and
	/// queues it for signatures; returns its id.
	pub(crate) fn queue_transaction(
		purpose: PaymentPurpose<T::AccountId>,
		amount: Balance,
		fix: impl FnOnce(&Vault, i64) -> VaultTransaction,
	) -> Result<u64, DispatchError> {
		let mut vault = VaultOf::<T>::get().ok_or(Error::<T>::NoVault)?;
		let id = NextPaymentId::<T>::get();
		let next_id = id.checked_add(1).ok_or(sp_runtime::ArithmeticError::Overflow)?;
		let sequence =
			vault.sequence.checked_add(1).ok_or(sp_runtime::ArithmeticError::Overflow)?;
		let transaction = fix(&vault, sequence);
		let hash = transaction.hash(&vault.network_id);
		vault.sequence = sequence;
		VaultOf::<T>::put(vault);
		NextPaymentId::<T>::put(next_id);
		OutgoingPayments::<T>::insert(
			id,
			OutgoingPayment {
				transaction,
				hash,
				purpose: purpose.clone(),
				signatures: Default::default(),
				reports: Default::default(),
			},
		);
		Self::deposit_event(Event::PaymentQueued { id, hash, sequence, purpose, amount });
		Ok(id)
	}

	/// Fixes a payment of `amount` from the vault to `destination` with `memo`, at the vault's
	/// next sequence number, with the vault's fee; returns its id.
	pub(crate) fn queue_payment(
		purpose: PaymentPurpose<T::AccountId>,
		destination: AccountKey,
		amount: Balance,
		memo: Memo,
	) -> Result<u64, DispatchError> {
		let stellar_amount = i64::try_from(amount).map_err(|_| Error::<T>::InvalidAmount)?;
		Self::queue_transaction(purpose, amount, |vault, sequence| {
			VaultTransaction::Payment(Payment {
				source: vault.account,
				fee: vault.fee,
				sequence,
				min_time: 0,
				max_time: Self::max_time_from_now(vault),
				memo,
				destination,
				asset: vault.asset.clone(),
				amount: stellar_amount,
			})
		})
	}

	pub(crate) fn do_withdraw(
		who: T::AccountId,
		destination: AccountKey,
		amount: Balance,
	) -> DispatchResult {
		let circle = BridgeCircle::<T>::get().ok_or(Error::<T>::NoBridgeCircle)?;
		ensure!(T::Circles::exists(circle), Error::<T>::UnknownCircle);
		ensure!(VaultOf::<T>::exists(), Error::<T>::NoVault);
		let fee = T::WithdrawalFee::get();
		// At least the existential deposit, so that a failed payment can always be minted
		// back, even to an account that was reaped meanwhile.
		let payout = amount
			.checked_sub(fee)
			.filter(|payout| *payout >= T::Currency::minimum_balance())
			.filter(|payout| i64::try_from(*payout).is_ok())
			.ok_or(Error::<T>::InvalidAmount)?;
		// The vault holds what was bridged in; it cannot pay more.
		let supply =
			BridgedSupply::<T>::get().checked_sub(payout).ok_or(Error::<T>::InsufficientVault)?;
		T::Currency::transfer(&who, &T::Circles::treasury(circle), fee, Preservation::Preserve)?;
		T::Currency::burn_from(
			&who,
			payout,
			Preservation::Preserve,
			Precision::Exact,
			Fortitude::Polite,
		)?;
		BridgedSupply::<T>::put(supply);
		let id = NextPaymentId::<T>::get();
		let memo = Memo::Text(BoundedVec::truncate_from(format!("burn_{id}").into_bytes()));
		let payment = Self::queue_payment(
			PaymentPurpose::Withdrawal { who: who.clone() },
			destination,
			payout,
			memo,
		)?;
		Self::deposit_event(Event::Withdrawn { who, destination, amount: payout, fee, payment });
		Ok(())
	}

	pub(crate) fn do_sign_payment(
		signer: T::AccountId,
		id: u64,
		signature: [u8; 64],
	) -> DispatchResult {
		let circle = BridgeCircle::<T>::get().ok_or(Error::<T>::NoBridgeCircle)?;
		ensure!(T::Circles::is_member(circle, &signer), Error::<T>::NotBridgeMember);
		let mut outgoing = OutgoingPayments::<T>::get(id).ok_or(Error::<T>::UnknownPayment)?;
		let key = T::Circles::stellar_key(circle, &signer).ok_or(Error::<T>::NoStellarKey)?;
		let vault = VaultOf::<T>::get().ok_or(Error::<T>::NoVault)?;
		// Stellar takes the signatures of the vault's signers, whatever the circle says: a new
		// member's key signs once the vault follows the circle.
		ensure!(vault.signers.binary_search(&key).is_ok(), Error::<T>::NotAVaultSigner);
		let threshold = u32::from(vault.threshold);
		// Only signatures made with a current member's current key, one of the vault's
		// signers, can help on Stellar.
		outgoing.signatures.retain(|held| {
			vault.signers.binary_search(&held.key).is_ok()
				&& T::Circles::stellar_key(circle, &held.signer).is_some_and(|now| now == held.key)
		});
		let before = outgoing.signatures.len() as u32;
		// Stellar counts a key once (and refuses extra signatures): one signature per
		// validator and per key, whoever registered it.
		ensure!(
			!outgoing.signatures.iter().any(|held| held.signer == signer || held.key == key),
			Error::<T>::AlreadySigned
		);
		ensure!(verify(&key, &outgoing.hash, &signature), Error::<T>::BadSignature);
		outgoing
			.signatures
			.try_push(PaymentSignature {
				signer: signer.clone(),
				key,
				signature: DecoratedSignature::new(&key, signature),
			})
			.map_err(|_| Error::<T>::TooManySignatures)?;
		let signatures = before.saturating_add(1);
		OutgoingPayments::<T>::insert(id, outgoing);
		Self::deposit_event(Event::PaymentSigned { id, signer, signatures });
		if before < threshold && signatures >= threshold {
			Self::deposit_event(Event::PaymentReady { id });
		}
		Ok(())
	}

	/// The weight charged before [`Pallet::report_payment`] runs: the report, and as many
	/// payments settled in order as one report may settle.
	pub fn report_payment_weight() -> Weight {
		T::WeightInfo::report_payment_expired()
			.max(T::WeightInfo::report_payment_settling(T::MaxSettledPerReport::get()))
	}

	pub(crate) fn do_report_payment(
		reporter: T::AccountId,
		id: u64,
		result: PaymentResult,
	) -> DispatchResultWithPostInfo {
		let circle = BridgeCircle::<T>::get().ok_or(Error::<T>::NoBridgeCircle)?;
		ensure!(T::Circles::is_member(circle, &reporter), Error::<T>::NotBridgeMember);
		let mut outgoing = OutgoingPayments::<T>::get(id).ok_or(Error::<T>::UnknownPayment)?;
		let threshold = T::Circles::threshold(circle).ok_or(Error::<T>::UnknownCircle)?;
		if result == PaymentResult::Expired {
			// Whatever the relays say, a payment the chain's clock still holds valid is not
			// fixed again.
			ensure!(
				T::UnixTime::now().as_secs() > outgoing.transaction.max_time(),
				Error::<T>::PaymentNotExpired
			);
		}
		let mut cost = VoteCost::default();
		match outgoing.reports.iter().find(|(account, _)| *account == reporter) {
			Some((_, earlier)) if *earlier != result => {
				return Err(Error::<T>::ConflictingReport.into())
			},
			Some(_) => {},
			None => {
				push_as_member::<T, _, _>(
					circle,
					&mut outgoing.reports,
					(reporter.clone(), result),
					&mut cost,
				)?;
				let reports = outgoing.reports.iter().filter(|(_, r)| *r == result).count() as u32;
				Self::deposit_event(Event::PaymentReported { id, reporter, result, reports });
			},
		}
		if result == PaymentResult::Expired {
			let agreeing = count_members::<T, _>(
				circle,
				&outgoing.reports,
				|(account, reported)| (*reported == result).then_some(account),
				&mut cost,
			);
			if agreeing >= threshold {
				Self::settle_payment(id, outgoing, result)?;
			} else {
				OutgoingPayments::<T>::insert(id, outgoing);
			}
			return Ok(Some(T::WeightInfo::report_payment_expired()).into());
		}
		OutgoingPayments::<T>::insert(id, outgoing);
		let settled = Self::settle_in_order(circle, threshold, &mut cost)?;
		Ok(Some(T::WeightInfo::report_payment_settling(settled.max(1))).into())
	}

	/// Settles the oldest pending payments whose result the threshold of current members
	/// reported, in order, up to [`Config::MaxSettledPerReport`]: Stellar applies the vault's
	/// payments in order, and a report of a later one may come first. How many it settled.
	fn settle_in_order(
		circle: CircleId,
		threshold: u32,
		cost: &mut VoteCost,
	) -> Result<u32, DispatchError> {
		let mut settled = 0;
		while settled < T::MaxSettledPerReport::get() {
			let first = FirstPendingPayment::<T>::get();
			let Some(outgoing) = OutgoingPayments::<T>::get(first) else { break };
			let reported = |wanted: PaymentResult, cost: &mut VoteCost| {
				count_members::<T, _>(
					circle,
					&outgoing.reports,
					|(account, reported)| (*reported == wanted).then_some(account),
					cost,
				)
			};
			let result = if reported(PaymentResult::Paid, cost) >= threshold {
				PaymentResult::Paid
			} else if reported(PaymentResult::Failed, cost) >= threshold {
				PaymentResult::Failed
			} else {
				break;
			};
			Self::settle_payment(first, outgoing, result)?;
			settled += 1;
		}
		Ok(settled)
	}

	/// The threshold agreed on the payment's result: it takes effect, once.
	fn settle_payment(
		id: u64,
		outgoing: OutgoingPayment<T>,
		result: PaymentResult,
	) -> DispatchResult {
		let amount = outgoing.amount();
		if result != PaymentResult::Expired {
			// It was applied: the next one is the oldest pending.
			FirstPendingPayment::<T>::put(id.saturating_add(1));
		}
		match (result, &outgoing.purpose) {
			(PaymentResult::Paid, purpose) => {
				match purpose {
					PaymentPurpose::Withdrawal { .. } => {
						ConfirmedWithdrawals::<T>::mutate(|sum| *sum = sum.saturating_add(amount))
					},
					PaymentPurpose::VaultSigners { signers, threshold } => {
						Self::vault_signers_changed(signers.clone(), *threshold)?
					},
					PaymentPurpose::Refund { .. } => {},
				}
				OutgoingPayments::<T>::remove(id);
				Self::deposit_event(Event::PaymentConfirmed { id });
			},
			(PaymentResult::Failed, PaymentPurpose::VaultSigners { .. }) => {
				// The vault's signers stay as they were; a member may ask again.
				VaultSignersChange::<T>::kill();
				OutgoingPayments::<T>::remove(id);
				Self::deposit_event(Event::VaultSignersChangeFailed { id });
			},
			(PaymentResult::Failed, PaymentPurpose::Withdrawal { who }) => {
				// Nothing left the vault and the envelope cannot apply again: the withdrawal
				// comes back as it was burned.
				T::Currency::mint_into(who, amount)?;
				BridgedSupply::<T>::mutate(|supply| *supply = supply.saturating_add(amount));
				OutgoingPayments::<T>::remove(id);
				Self::deposit_event(Event::WithdrawalReturned { id, who: who.clone(), amount });
			},
			(PaymentResult::Failed, PaymentPurpose::Refund { deposit }) => {
				let deposit = *deposit;
				OutgoingPayments::<T>::remove(id);
				QuarantinedRefunds::<T>::insert(
					id,
					OutgoingPayment { reports: Default::default(), ..outgoing },
				);
				Self::deposit_event(Event::RefundQuarantined { id, deposit });
			},
			(PaymentResult::Expired, _) => {
				// Its sequence was never used: the same sequence, fixed anew with the current
				// fee.
				let vault = VaultOf::<T>::get().ok_or(Error::<T>::NoVault)?;
				let max_time = Self::max_time_from_now(&vault);
				// A change of signers follows the circle as it is now.
				let (transaction, purpose) =
					Self::signer_change_now(&vault, &outgoing.transaction, &outgoing.purpose)
						.unwrap_or((outgoing.transaction, outgoing.purpose));
				let transaction = transaction.refixed(vault.fee, max_time);
				let hash = transaction.hash(&vault.network_id);
				let fee = vault.fee;
				OutgoingPayments::<T>::insert(
					id,
					OutgoingPayment {
						transaction,
						hash,
						purpose,
						signatures: Default::default(),
						reports: Default::default(),
					},
				);
				Self::deposit_event(Event::PaymentReissued { id, hash, max_time, fee });
			},
		}
		Ok(())
	}

	pub(crate) fn do_retry_refund(id: u64, destination: AccountKey) -> DispatchResult {
		let refund =
			QuarantinedRefunds::<T>::get(id).ok_or(Error::<T>::UnknownQuarantinedRefund)?;
		let PaymentPurpose::Refund { deposit } = refund.purpose else {
			return Err(Error::<T>::UnknownQuarantinedRefund.into());
		};
		let amount = refund.amount();
		let payment = Self::queue_payment(
			PaymentPurpose::Refund { deposit },
			destination,
			amount,
			Memo::Return(deposit),
		)?;
		QuarantinedRefunds::<T>::remove(id);
		Self::deposit_event(Event::RefundRetried { quarantined: id, payment, to: destination });
		Ok(())
	}
}
