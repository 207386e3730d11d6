//! The vault's signers: the chain records them as Stellar has them, and makes them follow the
//! bridge circle through a set-options transaction the vault's current signers sign.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use frame_support::pallet_prelude::*;
use gridchain_primitives::{
	circles::Circles,
	stellar::{Memo, SetSigners, VaultTransaction},
};

/// The memo of a change of the vault's signers, so that it reads as one in the vault's history.
const SIGNERS_MEMO: &[u8] = b"vault_signers";

impl<T: Config> Pallet<T> {
	/// The vault of the council's `settings`, each checked.
	pub(crate) fn checked_vault(settings: VaultSettings) -> Result<Vault, Error<T>> {
		ensure!(
			(crate::MIN_PAYMENT_LIFETIME..=crate::MAX_PAYMENT_LIFETIME)
				.contains(&settings.payment_lifetime),
			Error::<T>::PaymentLifetimeOutOfRange
		);
		ensure!(settings.fee >= crate::MIN_STELLAR_FEE, Error::<T>::FeeTooLow);
		ensure!(settings.sequence >= 0, Error::<T>::InvalidVault);
		let signers = Self::checked_signers(settings.signers, settings.threshold)?;
		let passphrase = core::str::from_utf8(&settings.network_passphrase)
			.map_err(|_| Error::<T>::InvalidVault)?;
		let asset =
			gridchain_primitives::stellar::Asset::new(&settings.asset_code, settings.asset_issuer)
				.ok_or(Error::<T>::InvalidVault)?;
		Ok(Vault {
			account: settings.account,
			network_id: gridchain_primitives::stellar::network_id(passphrase),
			asset,
			fee: settings.fee,
			payment_lifetime: settings.payment_lifetime,
			sequence: settings.sequence,
			signers,
			threshold: settings.threshold,
		})
	}

	/// `signers` sorted, each once, with a threshold they can reach (1 to their number).
	fn checked_signers(signers: VaultSigners, threshold: u8) -> Result<VaultSigners, Error<T>> {
		let mut sorted = signers.into_inner();
		sorted.sort();
		let count = sorted.len();
		sorted.dedup();
		ensure!(sorted.len() == count, Error::<T>::InvalidVault);
		ensure!(threshold >= 1 && usize::from(threshold) <= count, Error::<T>::InvalidVault);
		// A payment keeps at most `MaxSigners` signatures: a higher threshold is never reached.
		ensure!(u32::from(threshold) <= T::MaxSigners::get(), Error::<T>::ThresholdAboveSigners);
		// As many as before: within the bound.
		Ok(VaultSigners::truncate_from(sorted))
	}

	/// The signers and threshold the vault should have: the circle's members' Stellar keys
	/// (`keys`), each once, and its threshold. The vault's own key is never one (Stellar
	/// refuses an account as its own signer: the change would never apply).
	fn circles_signers(
		circle: CircleId,
		vault: &Vault,
		mut keys: Vec<AccountKey>,
	) -> Result<(VaultSigners, u8), DispatchError> {
		let threshold = T::Circles::threshold(circle).ok_or(Error::<T>::UnknownCircle)?;
		keys.retain(|key| *key != vault.account);
		keys.sort();
		keys.dedup();
		ensure!(keys.len() as u32 >= threshold, Error::<T>::TooFewStellarKeys);
		let signers = VaultSigners::try_from(keys).map_err(|_| Error::<T>::TooManyStellarKeys)?;
		// A payment keeps at most `MaxSigners` signatures: a higher threshold is never reached.
		ensure!(threshold <= T::MaxSigners::get(), Error::<T>::ThresholdAboveSigners);
		// At most 20 signers, so a threshold they reach fits.
		let threshold = u8::try_from(threshold).map_err(|_| Error::<T>::TooManyStellarKeys)?;
		Ok((signers, threshold))
	}

	/// What a change of signers (`transaction`, `purpose`) that expired unapplied becomes at
	/// its sequence: the circle's keys and threshold as they are now (keys rotated or members
	/// gone meanwhile), or, when they are the vault's already, the thresholds alone (the
	/// sequence must still be used). `None` for a payment, or when the circle's keys could not
	/// be the vault's signers now (the change stays as it was).
	pub(crate) fn signer_change_now(
		vault: &Vault,
		transaction: &VaultTransaction,
		purpose: &PaymentPurpose<T::AccountId>,
	) -> Option<(VaultTransaction, PaymentPurpose<T::AccountId>)> {
		let VaultTransaction::SetSigners(old) = transaction else { return None };
		let circle = BridgeCircle::<T>::get()?;
		let (signers, threshold) =
			Self::circles_signers(circle, vault, T::Circles::stellar_keys(circle)).ok()?;
		let change = SetSigners {
			signers: Self::signer_changes(&vault.signers, &signers),
			threshold,
			..old.clone()
		};
		let purpose = match purpose {
			PaymentPurpose::VaultSigners { .. } => {
				PaymentPurpose::VaultSigners { signers, threshold }
			},
			_ => return None,
		};
		Some((VaultTransaction::SetSigners(change), purpose))
	}

	/// The operations that make `from` the signers `to`: the keys leaving (weight 0) first,
	/// then those joining (weight 1).
	fn signer_changes(
		from: &VaultSigners,
		to: &VaultSigners,
	) -> BoundedVec<(AccountKey, u8), ConstU32<{ gridchain_primitives::stellar::MAX_SIGNER_CHANGES }>>
	{
		let changes: Vec<(AccountKey, u8)> = from
			.iter()
			.filter(|key| to.binary_search(key).is_err())
			.map(|key| (*key, 0))
			.chain(to.iter().filter(|key| from.binary_search(key).is_err()).map(|key| (*key, 1)))
			.collect();
		// At most 20 out and 20 in.
		BoundedVec::truncate_from(changes)
	}

	pub(crate) fn do_update_vault_signers(member: T::AccountId) -> DispatchResult {
		let circle = BridgeCircle::<T>::get().ok_or(Error::<T>::NoBridgeCircle)?;
		ensure!(T::Circles::is_member(circle, &member), Error::<T>::NotBridgeMember);
		let vault = VaultOf::<T>::get().ok_or(Error::<T>::NoVault)?;
		ensure!(!VaultSignersChange::<T>::exists(), Error::<T>::VaultSignersChangePending);
		let member_keys = T::Circles::stellar_keys(circle);
		let (signers, threshold) = Self::circles_signers(circle, &vault, member_keys.clone())?;
		ensure!(
			(&signers, threshold) != (&vault.signers, vault.threshold),
			Error::<T>::VaultSignersUpToDate
		);
		// Stellar takes the change only with the signatures of the vault's current signers:
		// current members must still hold enough of them, or it would wait for ever.
		let held = vault.signers.iter().filter(|key| member_keys.contains(key)).count();
		ensure!(held >= usize::from(vault.threshold), Error::<T>::VaultSignersUnreachable);
		let changes = Self::signer_changes(&vault.signers, &signers);
		let purpose = PaymentPurpose::VaultSigners { signers: signers.clone(), threshold };
		let id = Self::queue_transaction(purpose, 0, |vault, sequence| {
			let change = SetSigners {
				source: vault.account,
				fee: 0,
				sequence,
				min_time: 0,
				max_time: Self::max_time_from_now(vault),
				memo: Memo::Text(BoundedVec::truncate_from(SIGNERS_MEMO.to_vec())),
				signers: changes,
				threshold,
			};
			VaultTransaction::SetSigners(SetSigners { fee: change.fee_at(vault.fee), ..change })
		})?;
		VaultSignersChange::<T>::put(id);
		Self::deposit_event(Event::VaultSignersChangeQueued { id, signers, threshold });
		Ok(())
	}

	/// The change of the vault's signers was applied on Stellar.
	pub(crate) fn vault_signers_changed(signers: VaultSigners, threshold: u8) -> DispatchResult {
		VaultOf::<T>::try_mutate(|vault| {
			let vault = vault.as_mut().ok_or(Error::<T>::NoVault)?;
			vault.signers = signers.clone();
			vault.threshold = threshold;
			Ok::<_, Error<T>>(())
		})?;
		VaultSignersChange::<T>::kill();
		Self::deposit_event(Event::VaultSignersChanged { signers, threshold });
		Ok(())
	}
}
