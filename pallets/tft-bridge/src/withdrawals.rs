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
