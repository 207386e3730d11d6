//! The depletion index: when each agreement must be looked at without anyone asking.
//!
//! An agreement changes state by itself at a block it knows in advance: its escrow runs out
//! (deployed), its grace period ends, or its deployment wait ends (created). The index lists it
//! under that block, so a block's hook looks only at the agreements whose block it is, never
//! at all agreements.
//!
//! - **It never fills up.** A block's list is split in pages of [`Config::CheckPageSize`]; a
//!   block can have any number of pages, so no agreement is ever refused or moved because many
//!   others end at the same block.
//! - **A block's work is bounded.** A hook works through at most
//!   [`Config::CheckPagesPerBlock`] pages. What a burst leaves over is done in the next blocks,
//!   in block order, each agreement as of its own block (an agreement that ran out two blocks
//!   ago enters grace as of then). Until the hooks have caught up ([`CheckCursor`] past the
//!   current block), farm payouts wait ([`Error::ChecksBehind`]), because a farm's earnings
//!   are exact only once every agreement that ran out has left its rate. Any touch of an
//!   agreement (a top-up, a cancellation, `settle`) brings that one up to date at once.
//! - **Far-off ends are parked.** An agreement whose escrow lasts longer than
//!   [`Config::CheckHorizon`] is listed at the horizon instead and listed again further on
//!   when looked at, so they spread over the blocks they were made in rather than collecting
//!   at the end of time.

use crate::{pallet::*, types::*, weights::WeightInfo};
use frame_support::{pallet_prelude::*, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating};

/// The most blocks without checks a hook steps over, besides its pages: bounds the catch-up
/// after the chain stood still.
pub const MAX_EMPTY_BLOCKS_PER_HOOK: u32 = 64;

impl<T: Config> Pallet<T> {
	/// The block at which the agreement must be looked at next, if any.
	fn next_check_block(
		contract: &Contract<T>,
		now: BlockNumberFor<T>,
	) -> Option<BlockNumberFor<T>> {
		match contract.state {
			ContractState::Created => {
				Some(contract.since.saturating_add(T::DeploymentTimeout::get()))
			},
			ContractState::Deployed => {
				let horizon = now.saturating_add(T::CheckHorizon::get());
				Some(Self::runs_out_at(contract).min(horizon))
			},
			ContractState::GracePeriod { ends_at } => Some(ends_at),
			ContractState::Cancelled { .. } => None,
		}
	}

	/// Lists the agreement where it must be looked at next (never in the current block or
	/// earlier: this block's checks have run), or nowhere once it ended.
	pub(crate) fn reschedule(
		contract_id: ContractId,
		contract: &mut Contract<T>,
		now: BlockNumberFor<T>,
	) {
		let Some(at) = Self::next_check_block(contract, now) else {
			Self::unschedule(contract_id, contract);
			return;
		};
		let at = at.max(now.saturating_add(One::one()));
		if contract.next_check.is_some_and(|slot| slot.at == at) {
			return;
		}
		Self::unschedule(contract_id, contract);
		Self::list_at(contract_id, contract, at);
	}

	/// Lists an agreement (listed nowhere) under block `at`: in the block's last page, or a
	/// new page when that one is full.
	pub(crate) fn list_at(
		contract_id: ContractId,
		contract: &mut Contract<T>,
		at: BlockNumberFor<T>,
	) {
		let pages = CheckPageCount::<T>::get(at);
		let last = pages.checked_sub(1);
		let placed_in_last = last.is_some_and(|page| {
			CheckPages::<T>::mutate(at, page, |ids| {
				ids.as_mut().is_some_and(|ids| ids.try_push(contract_id).is_ok())
			})
		});
		let page = match (placed_in_last, last) {
			(true, Some(page)) => page,
			_ => {
				// A new page holds one id: the page size is at least one.
				let ids = BoundedVec::truncate_from(alloc::vec![contract_id]);
				CheckPages::<T>::insert(at, pages, ids);
				CheckPageCount::<T>::insert(at, pages.saturating_add(1));
				pages
			},
		};
		contract.next_check = Some(CheckSlot { at, page });
	}

	/// Takes the agreement out of the depletion index.
	pub(crate) fn unschedule(contract_id: ContractId, contract: &mut Contract<T>) {
		let Some(CheckSlot { at, page }) = contract.next_check.take() else { return };
		let emptied = CheckPages::<T>::mutate_exists(at, page, |ids| {
			let Some(list) = ids else { return false };
			list.retain(|id| *id != contract_id);
			let empty = list.is_empty();
			if empty {
				*ids = None;
			}
			empty
		});
		if emptied {
			// Only a block's last page is dropped from its count; an emptied page in the middle
			// costs its hook one read.
			CheckPageCount::<T>::mutate_exists(at, |count| {
				if *count == Some(page.saturating_add(1)) {
					*count = (page > 0).then_some(page);
				}
			});
		}
	}

	/// Whether every agreement that had to be looked at up to `now` has been.
	pub fn checks_up_to_date(now: BlockNumberFor<T>) -> bool {
		CheckCursor::<T>::get().is_none_or(|cursor| cursor > now)
	}

	/// The block hook: works through the depletion index from the first block not done, in
	/// block order, up to [`Config::CheckPagesPerBlock`] pages. Returns its weight.
	pub(crate) fn run_checks(now: BlockNumberFor<T>) -> Weight {
		let mut block = CheckCursor::<T>::get().unwrap_or(now);
		let mut pages_left = T::CheckPagesPerBlock::get();
		let mut empty_steps = 0u32;
		let mut looked_at = 0u32;
		let mut pages_read = 0u32;
		while block <= now {
			let pages = CheckPageCount::<T>::get(block);
			if pages == 0 {
				if empty_steps == MAX_EMPTY_BLOCKS_PER_HOOK {
					break;
				}
				empty_steps += 1;
				block = block.saturating_add(One::one());
				continue;
			}
			if pages_left == 0 {
				break;
			}
			pages_left -= 1;
			pages_read += 1;
			let page = pages - 1;
			let ids = CheckPages::<T>::take(block, page).unwrap_or_default();
			if page == 0 {
				CheckPageCount::<T>::remove(block);
			} else {
				CheckPageCount::<T>::insert(block, page);
			}
			for contract_id in ids {
				let Some(mut contract) = Contracts::<T>::get(contract_id) else { continue };
				if contract.next_check != Some(CheckSlot { at: block, page }) {
					continue;
				}
				looked_at += 1;
				contract.next_check = None;
				Self::advance(contract_id, &mut contract, now);
				// Not due yet (parked at the horizon, or listed early): listed again.
				if contract.next_check.is_none() {
					Self::reschedule(contract_id, &mut contract, now);
				}
				Contracts::<T>::insert(contract_id, contract);
			}
		}
		CheckCursor::<T>::put(block);
		Self::checks_weight(looked_at).saturating_add(
			<T as Config>::WeightInfo::on_initialize_pages(pages_read.saturating_add(empty_steps)),
		)
	}

	/// The weight of looking at `n` agreements in a hook: each is charged as the costliest of
	/// what can happen to it (its escrow runs out, its grace ends, it expires undeployed).
	pub(crate) fn checks_weight(n: u32) -> Weight {
		let weights = <T as Config>::WeightInfo::on_initialize_runouts(n);
		weights
			.max(<T as Config>::WeightInfo::on_initialize_grace_ends(n))
			.max(<T as Config>::WeightInfo::on_initialize_expiries(n))
	}
}
