//! Outgoing payments: withdrawals burned on chain and deposits paid back, each a Stellar
//! payment the chain fixes (sequence, fee, memo) and hashes before any validator signs, and
//! whose signatures it checks against the validators' registered Stellar keys.

use crate::{pallet::*, types::*};
use alloc::format;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::Mutate,
		tokens::{Fortitude, Precision, Preservation},
	},
};
use gridchain_primitives::{
	circles::Circles,
	stellar::{verify, DecoratedSignature, Memo, Payment},
};

impl<T: Config> Pallet<T> {
	/// Fixes a payment of `amount` from the vault to `destination` with `memo`, at the vault's
	/// next sequence number; returns its id.
	pub(crate) fn queue_payment(
		purpose: PaymentPurpose<T::AccountId>,
		destination: AccountKey,
		amount: Balance,
		memo: Memo,
	) -> Result<u64, DispatchError> {
		let mut vault = VaultOf::<T>::get().ok_or(Error::<T>::NoVault)?;
		let stellar_amount = i64::try_from(amount).map_err(|_| Error::<T>::InvalidAmount)?;
		let id = NextPaymentId::<T>::get();
		let next_id = id.checked_add(1).ok_or(sp_runtime::ArithmeticError::Overflow)?;
		let sequence =
			vault.sequence.checked_add(1).ok_or(sp_runtime::ArithmeticError::Overflow)?;
		let payment = Payment {
			source: vault.account,
			fee: vault.fee,
			sequence,
			// No time bounds: the sequence number alone keeps it from being applied twice,
			// and a payment that waits for signatures never expires into a race.
			min_time: 0,
			max_time: 0,
			memo,
			destination,
			asset: vault.asset.clone(),
			amount: stellar_amount,
		};
		let hash = payment.hash(&vault.network_id);
		vault.sequence = sequence;
		VaultOf::<T>::put(vault);
		NextPaymentId::<T>::put(next_id);
		OutgoingPayments::<T>::insert(
			id,
			OutgoingPayment {
				payment,
				hash,
				purpose: purpose.clone(),
				signatures: Default::default(),
				signers: Default::default(),
			},
		);
		Self::deposit_event(Event::PaymentQueued { id, hash, sequence, purpose, amount });
		Ok(id)
	}

	pub(crate) fn do_withdraw(
		who: T::AccountId,
		destination: AccountKey,
		amount: Balance,
	) -> DispatchResult {
		let circle = BridgeCircle::<T>::get().ok_or(Error::<T>::NoBridgeCircle)?;
		let fee = T::WithdrawalFee::get();
		ensure!(amount > fee, Error::<T>::InvalidAmount);
		let payout = amount - fee;
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
		ensure!(!outgoing.signers.contains(&signer), Error::<T>::AlreadySigned);
		ensure!(verify(&key, &outgoing.hash, &signature), Error::<T>::BadSignature);
		outgoing
			.signatures
			.try_push(DecoratedSignature::new(&key, signature))
			.map_err(|_| Error::<T>::TooManySignatures)?;
		outgoing.signers.try_push(signer.clone()).map_err(|_| Error::<T>::TooManySignatures)?;
		let signatures = outgoing.signatures.len() as u32;
		OutgoingPayments::<T>::insert(id, outgoing);
		Self::deposit_event(Event::PaymentSigned { id, signer, signatures });
		if Some(signatures) == T::Circles::threshold(circle) {
			Self::deposit_event(Event::PaymentReady { id });
		}
		Ok(())
	}
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_report_payment(
		reporter: T::AccountId,
		id: u64,
		result: PaymentResult,
	) -> DispatchResult {
		let circle = BridgeCircle::<T>::get().ok_or(Error::<T>::NoBridgeCircle)?;
		ensure!(T::Circles::is_member(circle, &reporter), Error::<T>::NotBridgeMember);
		let outgoing = OutgoingPayments::<T>::get(id).ok_or(Error::<T>::UnknownPayment)?;
		let threshold = T::Circles::threshold(circle).unwrap_or(u32::MAX);
		ensure!(outgoing.signatures.len() as u32 >= threshold, Error::<T>::PaymentNotReady);
		match PaymentReports::<T>::get(id, &reporter) {
			Some(earlier) if earlier == result => return Ok(()),
			Some(_) => return Err(Error::<T>::ConflictingReport.into()),
			None => {},
		}
		PaymentReports::<T>::insert(id, &reporter, result);
		// At most one report per member: counting them is bounded by the circle's size.
		let reports =
			PaymentReports::<T>::iter_prefix_values(id).filter(|r| *r == result).count() as u32;
		Self::deposit_event(Event::PaymentReported { id, reporter, result, reports });
		if reports >= threshold {
			Self::settle_payment(id, outgoing, result)?;
		}
		Ok(())
	}

	/// The threshold agreed on the payment's result: it takes effect, once.
	fn settle_payment(
		id: u64,
		outgoing: OutgoingPayment<T>,
		result: PaymentResult,
	) -> DispatchResult {
		let amount =
			Balance::try_from(outgoing.payment.amount).map_err(|_| Error::<T>::InvalidAmount)?;
		match (result, &outgoing.purpose) {
			(PaymentResult::Paid, purpose) => {
				if let PaymentPurpose::Withdrawal { .. } = purpose {
					ConfirmedWithdrawals::<T>::mutate(|sum| *sum = sum.saturating_add(amount));
				}
				Self::deposit_event(Event::PaymentConfirmed { id });
			},
			(PaymentResult::Failed, PaymentPurpose::Withdrawal { who }) => {
				// Nothing left the vault: the withdrawal comes back as it was burned.
				T::Currency::mint_into(who, amount)?;
				BridgedSupply::<T>::mutate(|supply| *supply = supply.saturating_add(amount));
				Self::deposit_event(Event::WithdrawalReturned { id, who: who.clone(), amount });
			},
			(PaymentResult::Failed, PaymentPurpose::Refund { deposit }) => {
				Self::deposit_event(Event::RefundQuarantined { id, deposit: *deposit });
				QuarantinedRefunds::<T>::insert(id, outgoing.clone());
			},
		}
		OutgoingPayments::<T>::remove(id);
		let _ = PaymentReports::<T>::clear_prefix(id, u32::MAX, None);
		Ok(())
	}
}
