//! Circles and their members: making a circle, its treasury account, member slots,
//! deposits, and what the runtime API tells about a circle.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{InspectHold, MutateHold},
		tokens::Precision,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{AccountIdConversion, Zero};

impl<T: Config> Pallet<T> {
	/// A circle's treasury account: derived from its id alone.
	pub fn treasury_account(circle_id: CircleId) -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating(circle_id)
	}

	/// The lowest free member slot.
	pub(crate) fn free_slot(slots: SlotSet) -> Option<u8> {
		let slot = (!slots).trailing_zeros();
		(slot < T::MaxMembers::get()).then_some(slot as u8)
	}

	pub(crate) fn ensure_valid_periods(
		voting_period: BlockNumberFor<T>,
		execution_delay: BlockNumberFor<T>,
	) -> DispatchResult {
		ensure!(
			voting_period >= T::MinVotingPeriod::get()
				&& voting_period <= T::MaxVotingPeriod::get(),
			Error::<T>::InvalidVotingPeriod
		);
		ensure!(execution_delay <= T::MaxVotingPeriod::get(), Error::<T>::InvalidExecutionDelay);
		Ok(())
	}

	/// Makes a circle; `creator` holds its deposit (none for a genesis circle).
	pub(crate) fn do_create_circle(
		creator: Option<T::AccountId>,
		name: NameOf<T>,
		members: MembersOf<T>,
		threshold: u32,
		voting_period: BlockNumberFor<T>,
		execution_delay: BlockNumberFor<T>,
	) -> Result<CircleId, DispatchError> {
		let member_count = members.len() as u32;
		ensure!(member_count >= T::MinMembers::get(), Error::<T>::TooFewMembers);
		ensure!(member_count <= T::MaxMembers::get(), Error::<T>::TooManyMembers);
		let mut sorted = members.to_vec();
		sorted.sort();
		sorted.dedup();
		ensure!(sorted.len() == members.len(), Error::<T>::DuplicateMember);
		ensure!(threshold >= 1 && threshold <= member_count, Error::<T>::InvalidThreshold);
		Self::ensure_valid_periods(voting_period, execution_delay)?;
		let circle_id = NextCircleId::<T>::get();
		let next = circle_id.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
		let treasury = Self::treasury_account(circle_id);
		let (depositor, deposit) = match &creator {
			Some(creator) => {
				let deposit = T::CircleDeposit::get();
				Self::hold(&HoldReason::CircleDeposit, creator, deposit)?;
				(creator.clone(), deposit)
			},
			None => (treasury.clone(), Zero::zero()),
		};
		let slots =
			if member_count == SlotSet::BITS { SlotSet::MAX } else { (1 << member_count) - 1 };
		for (slot, member) in members.iter().enumerate() {
			Members::<T>::insert(
				circle_id,
				member,
				CircleMember { slot: slot as u8, keys: Default::default() },
			);
		}
		Circles::<T>::insert(
			circle_id,
			Circle {
				name,
				threshold,
				member_count,
				slots,
				voting_period,
				execution_delay,
				open_proposals: 0,
				next_proposal: 0,
				depositor,
				deposit,
			},
		);
		NextCircleId::<T>::put(next);
		Self::deposit_event(Event::CircleCreated {
			circle_id,
			creator,
			treasury,
			member_count,
			threshold,
		});
		Ok(circle_id)
	}

	/// Holds `amount` from `who` for `reason`; nothing when zero.
	pub(crate) fn hold(
		reason: &HoldReason,
		who: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		T::Currency::hold(&(*reason).into(), who, amount)
			.map_err(|_| Error::<T>::CannotPayDeposit.into())
	}

	/// Releases what [`Self::hold`] held.
	pub(crate) fn release(reason: &HoldReason, who: &T::AccountId, amount: BalanceOf<T>) {
		if amount.is_zero() {
			return;
		}
		let released = T::Currency::release(&(*reason).into(), who, amount, Precision::BestEffort);
		if released != Ok(amount) {
			log::error!(target: "runtime::guardian", "a deposit of {who:?} was not held whole");
		}
	}

	/// What the runtime API tells about a circle.
	pub fn circle_view(circle_id: CircleId) -> Option<CircleView<T::AccountId, BlockNumberFor<T>>> {
		let circle = Circles::<T>::get(circle_id)?;
		let mut members: Vec<_> = Members::<T>::iter_prefix(circle_id)
			.map(|(account, member)| (member.slot, account, member.keys.into_inner()))
			.collect();
		members.sort_by_key(|(slot, _, _)| *slot);
		Some(CircleView {
			name: circle.name.into_inner(),
			threshold: circle.threshold,
			members: members.into_iter().map(|(_, account, keys)| (account, keys)).collect(),
			treasury: Self::treasury_account(circle_id),
			voting_period: circle.voting_period,
			execution_delay: circle.execution_delay,
			open_proposals: circle.open_proposals,
		})
	}

	/// How much is held from `who` for `reason`.
	pub fn held(reason: &HoldReason, who: &T::AccountId) -> BalanceOf<T> {
		T::Currency::balance_on_hold(&(*reason).into(), who)
	}
}

impl<T: Config> gridchain_primitives::circles::Circles<T::AccountId> for Pallet<T> {
	fn exists(circle_id: CircleId) -> bool {
		Circles::<T>::contains_key(circle_id)
	}

	fn is_member(circle_id: CircleId, who: &T::AccountId) -> bool {
		Members::<T>::contains_key(circle_id, who)
	}

	fn stellar_key(circle_id: CircleId, who: &T::AccountId) -> Option<[u8; 32]> {
		let member = Members::<T>::get(circle_id, who)?;
		member.keys.iter().find(|(kind, _)| *kind == KeyKind::StellarEd25519).map(|(_, key)| *key)
	}

	fn stellar_keys(circle_id: CircleId) -> Vec<[u8; 32]> {
		Members::<T>::iter_prefix_values(circle_id)
			.filter_map(|member| {
				member
					.keys
					.iter()
					.find(|(kind, _)| *kind == KeyKind::StellarEd25519)
					.map(|(_, key)| *key)
			})
			.collect()
	}

	fn threshold(circle_id: CircleId) -> Option<u32> {
		Circles::<T>::get(circle_id).map(|circle| circle.threshold)
	}

	fn treasury(circle_id: CircleId) -> T::AccountId {
		Self::treasury_account(circle_id)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_circle(member: &T::AccountId) -> CircleId {
		crate::benchmarking::circle_with_member::<T>(member)
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_stellar_circle(members: &[(T::AccountId, [u8; 32])], threshold: u32) -> CircleId {
		crate::benchmarking::stellar_circle::<T>(members, threshold)
	}
}
