//! Billing: settling what agreements owe, paying farms, the depletion index and the sweep.

use crate::{pallet::*, types::*};
use frame_support::{pallet_prelude::*, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_registry::{BalanceOf, Payees};
use sp_runtime::{
	traits::{Saturating, Zero},
	SaturatedConversion,
};

/// How far from its ideal block an agreement's check may move when that block is full.
const CHECK_SPREAD: u32 = 16;

impl<T: Config> Pallet<T> {
	/// Charges what accrued up to `now` and pays it from the escrow; what the escrow cannot
	/// cover becomes debt. Does nothing for an agreement that is not billed.
	pub(crate) fn accrue_and_pay(
		contract_id: ContractId,
		contract: &mut Contract<T>,
		now: BlockNumberFor<T>,
	) {
		let Some(since) = contract.billing_since else { return };
		if !contract.state.is_billed() {
			return;
		}
		let Ok(payees) = pallet_registry::Pallet::<T>::payees(contract.farm_id) else {
			// Farms are never removed; without payees nothing is charged, so nothing is lost.
			return;
		};
		contract.last_settled = now;
		let elapsed: u128 = now.saturating_sub(since).saturated_into();
		let cumulative = contract.rate.cost_of(elapsed);
		let owed = contract.debt.saturating_add(cumulative.saturating_sub(contract.charged));
		contract.charged = contract.charged.max(cumulative);
		let available: u128 = contract.escrow.saturated_into();
		let paid = owed.min(available);
		contract.debt = owed.saturating_sub(paid);
		// `paid` is at most the escrow, which is a balance.
		let paid: BalanceOf<T> = paid.saturated_into();
		if paid.is_zero() {
			return;
		}
		contract.escrow = contract.escrow.saturating_sub(paid);
		match payees {
			Payees::Owner(account) => {
				Self::pay(contract_id, &contract.owner, &account, paid);
			},
			Payees::Cooperative { cooperative_id, account } => {
				// The cooperative's account always exists (its admin funded it), so the payment
				// reaches it; its members draw their shares from there.
				if Self::pay(contract_id, &contract.owner, &account, paid) {
					pallet_registry::Pallet::<T>::record_cooperative_earnings(cooperative_id, paid);
				}
			},
		}
		Self::deposit_event(Event::FarmPaid {
			contract_id,
			farm_id: contract.farm_id,
			amount: paid,
		});
	}

	/// Settles an agreement and applies what follows: an exhausted escrow starts the grace
	/// period, a covered debt ends it, a grace period past its end cancels the agreement. Then
	/// puts the agreement in the depletion index where it must be looked at next.
	pub(crate) fn settle_and_reschedule(
		contract_id: ContractId,
		contract: &mut Contract<T>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		Self::accrue_and_pay(contract_id, contract, now);
		match contract.state {
			ContractState::Deployed if contract.debt > 0 => {
				let ends_at = now.saturating_add(T::GracePeriod::get());
				contract.state = ContractState::GracePeriod { ends_at };
				Self::deposit_event(Event::ContractInGracePeriod {
					contract_id,
					debt: contract.debt.saturated_into(),
					ends_at,
				});
			},
			ContractState::GracePeriod { .. } if contract.debt == 0 => {
				contract.state = ContractState::Deployed;
				Self::deposit_event(Event::ContractRestored { contract_id });
			},
			ContractState::GracePeriod { ends_at } if now >= ends_at => {
				Self::end_contract(contract_id, contract, CancelCause::OutOfFunds, now);
				return Ok(());
			},
			_ => {},
		}
		Self::reschedule(contract_id, contract, now)
	}

	/// Ends an agreement: settles it, writes off any debt, refunds the escrow, takes it out of
	/// the depletion index, and leaves a `Delete` action for the farm's off-chain worker. Its
	/// capacity stays reserved until ZOS confirms the removal.
	pub(crate) fn end_contract(
		contract_id: ContractId,
		contract: &mut Contract<T>,
		cause: CancelCause,
		now: BlockNumberFor<T>,
	) {
		Self::accrue_and_pay(contract_id, contract, now);
		let unpaid_debt: BalanceOf<T> = core::mem::take(&mut contract.debt).saturated_into();
		let refunded = Self::refund_escrow(contract);
		Self::unschedule(contract_id, contract);
		contract.state = ContractState::Cancelled { cause };
		// Whatever the node has (a deployment, or one still being made), it must go.
		PendingActions::<T>::insert(contract.farm_id, contract_id, PendingAction::Delete);
		Self::deposit_event(Event::ContractCancelled { contract_id, cause, refunded, unpaid_debt });
	}

	/// The block at which the agreement must be looked at next, if any: when its escrow runs
	/// out (billed and not free), or when its grace period ends.
	fn next_check_block(contract: &Contract<T>) -> Option<BlockNumberFor<T>> {
		match contract.state {
			ContractState::Deployed => {
				let since = contract.billing_since?;
				let escrow: u128 = contract.escrow.saturated_into();
				let blocks = contract
					.rate
					.blocks_until_cost_exceeds(contract.charged.saturating_add(escrow))?;
				let blocks: BlockNumberFor<T> = blocks.saturated_into();
				Some(since.saturating_add(blocks))
			},
			ContractState::GracePeriod { ends_at } => Some(ends_at),
			_ => None,
		}
	}

	/// Moves the agreement's entry in the depletion index to where it belongs now. If that
	/// block's entry is full, a nearby block is used: earlier first, which only makes the
	/// check early, then later.
	pub(crate) fn reschedule(
		contract_id: ContractId,
		contract: &mut Contract<T>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		let Some(ideal) = Self::next_check_block(contract) else {
			Self::unschedule(contract_id, contract);
			return Ok(());
		};
		// Never in the past or the current block: this block's checks have run.
		let ideal = ideal.max(now.saturating_add(1u32.into()));
		if contract.next_check == Some(ideal) {
			return Ok(());
		}
		Self::unschedule(contract_id, contract);
		let earliest = now.saturating_add(1u32.into());
		let earlier = (0..=CHECK_SPREAD)
			.map(|back| ideal.saturating_sub(back.into()))
			.filter(|at| *at >= earliest);
		let later = (1..=CHECK_SPREAD).map(|ahead| ideal.saturating_add(ahead.into()));
		for at in earlier.chain(later) {
			let placed = Checks::<T>::mutate(at, |ids| ids.try_push(contract_id).is_ok());
			if placed {
				contract.next_check = Some(at);
				return Ok(());
			}
		}
		Err(Error::<T>::ChecksFull.into())
	}

	/// Takes the agreement out of the depletion index.
	pub(crate) fn unschedule(contract_id: ContractId, contract: &mut Contract<T>) {
		if let Some(at) = contract.next_check.take() {
			Checks::<T>::mutate_exists(at, |ids| {
				if let Some(list) = ids {
					list.retain(|id| *id != contract_id);
					if list.is_empty() {
						*ids = None;
					}
				}
			});
		}
	}

	/// Looks at the agreements the depletion index lists for `now`. Returns how many.
	pub(crate) fn run_checks(now: BlockNumberFor<T>) -> u32 {
		let due = Checks::<T>::take(now);
		for contract_id in &due {
			let Some(mut contract) = Contracts::<T>::get(contract_id) else { continue };
			if contract.next_check != Some(now) {
				continue;
			}
			contract.next_check = None;
			if let Err(error) = Self::settle_and_reschedule(*contract_id, &mut contract, now) {
				log::error!(
					target: "runtime::smart-contract",
					"contract {contract_id} could not be rescheduled: {error:?}; the sweep will settle it"
				);
			}
			Contracts::<T>::insert(contract_id, contract);
		}
		due.len() as u32
	}

	/// Looks at the next `SweepPerBlock` agreements in storage order, continuing where the
	/// last block stopped, and settles those billed and not settled within the last hour, so
	/// every farm is paid at least about hourly without any transaction, in amounts large
	/// enough that splitting them by share loses nobody more than a unit. Returns how many
	/// agreements it looked at.
	pub(crate) fn sweep() -> u32 {
		let now = frame_system::Pallet::<T>::block_number();
		let interval: BlockNumberFor<T> = T::BlocksPerHour::get().into();
		let mut contracts = match SweepCursor::<T>::get() {
			Some(after) => Contracts::<T>::iter_from(Contracts::<T>::hashed_key_for(after)),
			None => Contracts::<T>::iter(),
		};
		let mut visited = 0;
		let mut cursor = None;
		while visited < T::SweepPerBlock::get() {
			let Some((contract_id, mut contract)) = contracts.next() else {
				cursor = None;
				break;
			};
			visited += 1;
			cursor = Some(contract_id);
			if contract.state.is_billed() && now.saturating_sub(contract.last_settled) >= interval {
				if let Err(error) = Self::settle_and_reschedule(contract_id, &mut contract, now) {
					log::error!(
						target: "runtime::smart-contract",
						"contract {contract_id} could not be rescheduled: {error:?}"
					);
				}
				Contracts::<T>::insert(contract_id, contract);
			}
		}
		SweepCursor::<T>::set(cursor);
		visited
	}
}
