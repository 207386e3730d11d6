//! The pallet's invariants, checked by `try_state` after every block in tests and by
//! try-runtime against live state.

use crate::{billing::blocks_between, pallet::*, types::*};
use alloc::collections::btree_map::BTreeMap;
use frame_support::{
	ensure,
	traits::fungible::{Inspect, InspectHold},
};
use frame_system::pallet_prelude::BlockNumberFor;
use gridchain_primitives::grid::{FarmId, GridRegistry, NodeId, Resources};
use sp_runtime::{
	traits::{Saturating, Zero},
	SaturatedConversion, TryRuntimeError,
};

impl<T: Config> Pallet<T> {
	/// Checks, at block `now`:
	/// - every agreement has its terms, and every terms record its agreement;
	/// - each agreement's pending action fits its state (created: deploy; cancelled: delete;
	///   deployed: none or resume; grace: none or pause), and every pending action belongs to
	///   a live agreement of that farm;
	/// - escrow is zero in grace and after cancellation; debt is zero outside grace;
	/// - what an agreement was charged is exactly its rate times its billed blocks:
	///   paid in = escrow now + rate × billed blocks − debt now;
	/// - every agreement that can change by itself is in the depletion index where it says,
	///   and the index lists no other (no stale ids), in pages within the block's count;
	/// - each farm ledger's rate is the sum of its deployed agreements' rates;
	/// - each owner's storage-deposit hold is the sum of its agreements' deposits;
	/// - each node's reservation and agreement count is the sum over its agreements;
	/// - the pallet account holds exactly the escrows, the farms' accrued earnings, the
	///   payments kept for payees and its existential deposit (in fine units, to the unit);
	/// - each indebted twin's debt count matches its debts, and no debt is zero.
	pub fn do_try_state(now: BlockNumberFor<T>) -> Result<(), TryRuntimeError> {
		let unit = Self::fine_units_per_unit();
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut reserved: BTreeMap<NodeId, (Resources, u32)> = BTreeMap::new();
		let mut farm_rates: BTreeMap<FarmId, u128> = BTreeMap::new();
		// Fine units the pallet account must hold; signed, as an agreement the hooks have not
		// looked at yet may be past its escrow.
		let mut owed: i128 = 0;
		let fine = |value: u128| -> Result<i128, TryRuntimeError> {
			i128::try_from(value).map_err(|_| "an amount does not fit the check".into())
		};

		for (contract_id, contract) in Contracts::<T>::iter() {
			let terms = ContractTerms::<T>::get(contract_id).ok_or("an agreement has no terms")?;
			let deposit = deposits.entry(contract.owner.clone()).or_default();
			*deposit = deposit.saturating_add(contract.storage_deposit);
			let (node_reserved, count) = reserved.entry(contract.node_id).or_default();
			*node_reserved =
				node_reserved.checked_add(&terms.resources).ok_or("reservations overflow")?;
			*count += 1;

			let pending = PendingActions::<T>::get(contract.farm_id, contract_id);
			let fits = match contract.state {
				ContractState::Created => pending == Some(PendingAction::Deploy),
				ContractState::Cancelled { .. } => pending == Some(PendingAction::Delete),
				ContractState::Deployed => {
					pending.is_none() || pending == Some(PendingAction::Resume)
				},
				ContractState::GracePeriod { .. } => {
					pending.is_none() || pending == Some(PendingAction::Pause)
				},
			};
			ensure!(fits, "an agreement's pending action does not fit its state");

			let in_grace = matches!(contract.state, ContractState::GracePeriod { .. });
			let holds_escrow = contract.state.is_open() && !in_grace;
			ensure!(contract.escrow == 0 || holds_escrow, "escrow in grace or after cancellation");
			ensure!(contract.debt == 0 || in_grace, "debt outside the grace period");

			if contract.state.is_open() {
				let billed_now = match contract.state {
					ContractState::Deployed | ContractState::GracePeriod { .. } => {
						blocks_between(contract.since, now)
					},
					_ => 0,
				};
				let billed = u128::from(contract.billed_blocks).saturating_add(billed_now);
				let cost = fine(contract.rate.saturating_mul(billed))?;
				let escrow_now = match contract.state {
					ContractState::Deployed => {
						fine(contract.escrow)? - fine(contract.rate.saturating_mul(billed_now))?
					},
					_ => fine(contract.escrow)?,
				};
				let debt_now = fine(Self::debt_at(&contract, now))?;
				ensure!(
					fine(contract.paid_in)? == escrow_now + cost - debt_now,
					"an agreement was charged other than its rate times its billed blocks"
				);
				// Negative for an agreement past its escrow that the hooks have not looked at
				// yet: its farm's ledger counted it until now.
				owed += escrow_now;
			}
			if contract.state == ContractState::Deployed {
				let rate = farm_rates.entry(contract.farm_id).or_default();
				*rate = rate.saturating_add(contract.rate);
			}

			match (contract.state.is_open(), contract.next_check) {
				(true, Some(slot)) => ensure!(
					CheckPages::<T>::get(slot.at, slot.page)
						.is_some_and(|ids| ids.contains(&contract_id)),
					"an agreement is missing from the depletion index"
				),
				(true, None) => {
					return Err("an open agreement is not in the depletion index".into())
				},
				(false, Some(_)) => {
					return Err("an ended agreement is in the depletion index".into())
				},
				(false, None) => {},
			}
		}

		for (at, page, ids) in CheckPages::<T>::iter() {
			ensure!(page < CheckPageCount::<T>::get(at), "a page beyond its block's count");
			ensure!(!ids.is_empty(), "an empty page is kept");
			for contract_id in ids {
				ensure!(
					Contracts::<T>::get(contract_id)
						.is_some_and(|c| c.next_check == Some(CheckSlot { at, page })),
					"the depletion index holds a stale id"
				);
			}
		}
		for (terms_id, _) in ContractTerms::<T>::iter() {
			ensure!(Contracts::<T>::contains_key(terms_id), "terms without an agreement");
		}
		for (farm_id, contract_id, _) in PendingActions::<T>::iter() {
			ensure!(
				Contracts::<T>::get(contract_id).is_some_and(|c| c.farm_id == farm_id),
				"a pending action for an agreement that is gone or of another farm"
			);
		}

		for (farm_id, ledger) in FarmLedgers::<T>::iter() {
			ensure!(
				farm_rates.remove(&farm_id).unwrap_or_default() == ledger.rate,
				"a farm's rate differs from its deployed agreements'"
			);
			let accrued = ledger
				.accrued
				.saturating_add(ledger.rate.saturating_mul(blocks_between(ledger.updated_at, now)));
			owed += fine(accrued)?;
		}
		ensure!(
			farm_rates.values().all(|rate| rate.is_zero()),
			"deployed agreements of a farm without a ledger"
		);

		for (owner, deposit) in deposits {
			ensure!(
				<T as Config>::Currency::balance_on_hold(
					&HoldReason::AgreementDeposit.into(),
					&owner
				) == deposit,
				"an owner's storage-deposit hold differs from its agreements'"
			);
		}

		for (node_id, node_reserved, count) in T::Registry::reservations() {
			let (expected, expected_count) = reserved.remove(&node_id).unwrap_or_default();
			ensure!(node_reserved == expected, "a node's reservation differs from its agreements'");
			ensure!(count == expected_count, "a node's agreement count is wrong");
		}
		ensure!(reserved.is_empty(), "an agreement reserves on a missing node");

		let mut debtors: BTreeMap<gridchain_primitives::grid::TwinId, u32> = BTreeMap::new();
		for (twin_id, _, amount) in TwinDebts::<T>::iter() {
			ensure!(!amount.is_zero(), "a zero debt is kept");
			*debtors.entry(twin_id).or_default() += 1;
		}
		for (twin_id, count) in TwinDebtCount::<T>::iter() {
			ensure!(debtors.remove(&twin_id) == Some(count), "a twin's debt count is wrong");
		}
		ensure!(debtors.is_empty(), "a debtor without a debt count");

		let unclaimed = UnclaimedEarnings::<T>::iter_values()
			.fold(BalanceOf::<T>::zero(), |sum, amount| sum.saturating_add(amount));
		let kept = unclaimed
			.saturating_add(<T as Config>::Currency::minimum_balance())
			.saturated_into::<u128>()
			.saturating_mul(unit);
		owed += fine(kept)?;
		let held = <T as Config>::Currency::balance(&Self::account_id())
			.saturated_into::<u128>()
			.saturating_mul(unit);
		ensure!(
			fine(held)? == owed,
			"the pallet account does not hold exactly the escrows, earnings and kept payments"
		);
		Ok(())
	}
}
