//! The pallet as pallet-session's session manager and pallet-authorship's event handler: the
//! approved set handed over at session boundaries, each block's author noted, and validators
//! that authored nothing for [`Config::OfflineSessions`] sessions dropped.

use crate::{pallet::*, SessionIndex};
use alloc::vec::Vec;
use frame_support::{
	traits::{EstimateNextSessionRotation, Get, ValidatorRegistration},
	weights::Weight,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{One, Saturating},
	Permill,
};

impl<T: Config> Pallet<T> {
	/// The approved validators that have session keys, when the approved set changed and they
	/// are at least the minimum; `None` keeps the set as it is.
	fn plan(from_session: SessionIndex) -> Option<Vec<T::AccountId>> {
		if !SetChanged::<T>::get() {
			return None;
		}
		let validators: Vec<T::AccountId> =
			Approved::<T>::get().into_iter().filter(T::KeysRegistered::is_registered).collect();
		if (validators.len() as u32) < Self::minimum_validators() {
			// Keep the current authorities rather than hand GRANDPA a set too small (or empty);
			// the change is planned again at the next boundary.
			log::warn!(
				target: "runtime::validators",
				"only {} approved validators have session keys: the set stays as it is",
				validators.len()
			);
			return None;
		}
		SetChanged::<T>::put(false);
		Self::deposit_event(Event::NewSetPlanned {
			from_session,
			validators: validators.len() as u32,
		});
		Some(validators)
	}

	/// Drops the validators that authored nothing in the last [`Config::OfflineSessions`]
	/// sessions up to `ended`, while the set stays at the minimum or above.
	fn drop_offline(ended: SessionIndex) {
		let window = T::OfflineSessions::get().max(1);
		let mut validators = Approved::<T>::get();
		let before = validators.len();
		let minimum = Self::minimum_validators() as usize;
		let mut dropped = Vec::new();
		validators.retain(|who| {
			let last = LastAuthored::<T>::get(who);
			let idle = ended.saturating_sub(last);
			if idle >= window && before.saturating_sub(dropped.len()) > minimum {
				dropped.push((who.clone(), last));
				false
			} else {
				true
			}
		});
		if dropped.is_empty() {
			return;
		}
		Approved::<T>::put(validators);
		SetChanged::<T>::put(true);
		for (who, last_authored) in dropped {
			LastAuthored::<T>::remove(&who);
			Self::deposit_event(Event::ValidatorDroppedOffline {
				who,
				last_authored,
				sessions: window,
			});
		}
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		Self::plan(new_index)
	}

	fn new_session_genesis(_: SessionIndex) -> Option<Vec<T::AccountId>> {
		// The genesis validators, as given (pallet-session pairs them with their genesis keys).
		let validators = Approved::<T>::get().into_inner();
		(!validators.is_empty()).then_some(validators)
	}

	fn end_session(end_index: SessionIndex) {
		Self::drop_offline(end_index);
	}

	fn start_session(start_index: SessionIndex) {
		CurrentSession::<T>::put(start_index);
		SessionStart::<T>::put(frame_system::Pallet::<T>::block_number());
	}
}

impl<T: Config> Pallet<T> {
	/// The block the session under way ends at: [`SessionLength`] blocks after it started.
	fn session_end() -> BlockNumberFor<T> {
		SessionStart::<T>::get().saturating_add(SessionLength::<T>::get().max(One::one()))
	}
}

impl<T: Config> pallet_session::ShouldEndSession<BlockNumberFor<T>> for Pallet<T> {
	fn should_end_session(now: BlockNumberFor<T>) -> bool {
		now >= Self::session_end()
	}
}

impl<T: Config> EstimateNextSessionRotation<BlockNumberFor<T>> for Pallet<T> {
	fn average_session_length() -> BlockNumberFor<T> {
		SessionLength::<T>::get()
	}

	fn estimate_current_session_progress(now: BlockNumberFor<T>) -> (Option<Permill>, Weight) {
		let length = SessionLength::<T>::get().max(One::one());
		// The current block counts as elapsed, as pallet-session's periodic sessions count it.
		let elapsed = now.saturating_sub(SessionStart::<T>::get()).saturating_add(One::one());
		(Some(Permill::from_rational(elapsed.min(length), length)), T::DbWeight::get().reads(2))
	}

	fn estimate_next_session_rotation(
		now: BlockNumberFor<T>,
	) -> (Option<BlockNumberFor<T>>, Weight) {
		// A session whose end is past (the length was shortened) ends at the first block
		// pallet-session looks.
		(Some(Self::session_end().max(now)), T::DbWeight::get().reads(2))
	}
}

impl<T: Config, BlockNumber> pallet_authorship::EventHandler<T::AccountId, BlockNumber>
	for Pallet<T>
{
	fn note_author(author: T::AccountId) {
		if LastAuthored::<T>::contains_key(&author) || Self::is_validator(&author) {
			LastAuthored::<T>::insert(&author, CurrentSession::<T>::get());
		}
	}
}
