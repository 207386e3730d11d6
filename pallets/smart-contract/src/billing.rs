//! Billing: escrows, the farms' earnings ledgers, payouts, grace periods and debts.
//!
//! ## Where the money is
//!
//! An agreement's escrow is moved into the pallet's account when it is funded. Nothing moves
//! while the agreement runs: its escrow at block `now` is computed from its record
//! (`escrow − rate × (now − since)`), and its farm's [`FarmLedger`] accrues the sum of the
//! rates of the farm's deployed agreements per block. A payout ([`Pallet::pay_out_farm`]) moves
//! the whole units of what the farm accrued to its payee in one transfer, whatever the number
//! of agreements. The ledger's rate changes only when an agreement is deployed, runs out, is
//! restored or is cancelled, and each of those is one write.
//!
//! So at every block, exactly (checked by `try_state`):
//!
//! ```text
//! balance(pallet account) × F = (existential deposit + Σ unclaimed payments) × F
//!                             + Σ escrow now of agreements not in grace or ended
//!                             + Σ farm ledgers' accrued now
//! ```
//!
//! where `F` ([`Pallet::fine_units_per_unit`]) is bytes per GiB × blocks per hour: a price per
//! GiB-hour is then a whole number of fine units per byte-block and nothing rounds while
//! agreements run.
//!
//! ## Where rounding goes
//!
//! Fine units become currency units in four places, and the rounding remainder always goes to
//! the farm (the party that delivered), never lost or created:
//! - a payout pays the farm's whole units and keeps the fraction in its ledger for the next
//!   one (so a fraction of a unit may go to the next payee after a payee change);
//! - a cancellation refunds the whole units of the escrow left and credits the fraction to the
//!   farm's ledger;
//! - a debt recorded at cancellation is rounded up; when paid, all of it goes to the farm;
//! - escrows, debts and costs shown to users are rounded down (escrow, cost) or up (debt).
//!
//! ## Grace
//!
//! An agreement runs out at the first block its cost exceeds its escrow. It then leaves its
//! farm's rate (the farm got exactly the escrow), its workloads are paused on ZOS, and its debt
//! grows at its rate (the node's capacity stays reserved for it). A top-up that pays the debt
//! and one more hour restores it (the debt goes to the farm); at the end of grace, or when the
//! owner cancels in grace, the debt is recorded against the twin, which makes no new agreement
//! until it has paid ([`Pallet::do_pay_debt`]).

use crate::{pallet::*, types::*, weights::WeightInfo};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Mutate, MutateHold},
		tokens::{Precision, Preservation},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use gridchain_primitives::grid::{
	FarmId, FarmPayouts, GridRegistry, NodeInfo, PricingPolicy, Resources, TwinId, GIB,
};
use sp_runtime::{
	traits::{Saturating, UniqueSaturatedInto, Zero},
	SaturatedConversion,
};

/// The most agreements of one farm the payout is benchmarked with; its work does not depend
/// on them, and it is charged at this end of the range.
pub const PAYOUT_BENCHMARKED_AGREEMENTS: u32 = 100_000;

/// Blocks between `from` and `to` (zero if `to` is earlier).
pub(crate) fn blocks_between<N: Saturating + UniqueSaturatedInto<u128> + Copy>(
	from: N,
	to: N,
) -> u128 {
	to.saturating_sub(from).unique_saturated_into()
}

impl<T: Config> Pallet<T> {
	/// Fine units in one currency unit: bytes per GiB × blocks per hour.
	pub fn fine_units_per_unit() -> u128 {
		u128::from(GIB).saturating_mul(u128::from(T::BlocksPerHour::get().max(1)))
	}

	/// `amount` in fine units, or [`Error::PriceOverflow`].
	pub(crate) fn to_fine(amount: BalanceOf<T>) -> Result<u128, DispatchError> {
		let amount: u128 = amount.saturated_into();
		amount.checked_mul(Self::fine_units_per_unit()).ok_or(Error::<T>::PriceOverflow.into())
	}

	/// Whole units in `fine`, rounded down.
	pub(crate) fn units_down(fine: u128) -> BalanceOf<T> {
		(fine / Self::fine_units_per_unit()).saturated_into()
	}

	/// Whole units in `fine`, rounded up.
	pub(crate) fn units_up(fine: u128) -> BalanceOf<T> {
		fine.div_ceil(Self::fine_units_per_unit()).saturated_into()
	}

	/// The rate (fine units per block) of `resources` at `pricing`, at least
	/// [`Config::MinimumCostPerHour`]. `None` if it overflows.
	pub fn rate_of(resources: &Resources, pricing: &PricingPolicy<BalanceOf<T>>) -> Option<u128> {
		// A price per GiB-hour times bytes is fine units per block: F = GiB × blocks per hour.
		let gib = u128::from(GIB);
		let part = |amount: u64, price: BalanceOf<T>| {
			u128::from(amount).checked_mul(price.saturated_into::<u128>())
		};
		let rate = part(resources.cru, pricing.cru_per_core_hour)?
			.checked_mul(gib)?
			.checked_add(part(resources.mru, pricing.mru_per_gib_hour)?)?
			.checked_add(part(resources.sru, pricing.sru_per_gib_hour)?)?
			.checked_add(part(resources.hru, pricing.hru_per_gib_hour)?)?;
		let floor = T::MinimumCostPerHour::get().saturated_into::<u128>().checked_mul(gib)?;
		Some(rate.max(floor))
	}

	/// What an hour costs at `rate`, in fine units.
	pub(crate) fn hour_at(rate: u128) -> u128 {
		rate.saturating_mul(u128::from(T::BlocksPerHour::get()))
	}

	/// What workloads of these kinds reserve on `node` and their rate at `pricing`.
	/// Errors: [`Error::InsufficientCapacity`] (also for sizes that overflow),
	/// [`Error::PriceOverflow`].
	pub(crate) fn price_on<'a>(
		node: &NodeInfo,
		pricing: &PricingPolicy<BalanceOf<T>>,
		mut kinds: impl Iterator<Item = &'a WorkloadKind>,
	) -> Result<(Resources, u128), DispatchError> {
		let resources = kinds
			.try_fold(Resources::default(), |sum, kind| sum.checked_add(&kind.resources()))
			.ok_or(Error::<T>::InsufficientCapacity)?;
		ensure!(resources.fits_within(&node.free_capacity()), Error::<T>::InsufficientCapacity);
		let rate = Self::rate_of(&resources, pricing).ok_or(Error::<T>::PriceOverflow)?;
		Ok((resources, rate))
	}

	/// The cost per hour of `workloads` on `node_id` at its farm's current prices.
	pub fn quote_cost_per_hour(
		node_id: gridchain_primitives::grid::NodeId,
		workloads: alloc::vec::Vec<WorkloadKind>,
	) -> Result<BalanceOf<T>, DispatchError> {
		let node = T::Registry::node(node_id).ok_or(Error::<T>::NodeNotFound)?;
		ensure!(!node.suspended, Error::<T>::NodeSuspended);
		let pricing = T::Registry::farm_pricing(node.farm_id).ok_or(Error::<T>::FarmNotFound)?;
		ensure!(!workloads.is_empty(), Error::<T>::NoWorkloads);
		let (_, rate) = Self::price_on(&node, &pricing, workloads.iter())?;
		Ok(Self::units_down(Self::hour_at(rate)))
	}

	/// The storage deposit of an agreement whose terms encode to `terms_len` bytes.
	pub(crate) fn storage_deposit(terms_len: usize) -> BalanceOf<T> {
		let bytes = u32::try_from(terms_len.saturating_add(Contract::<T>::max_encoded_len()))
			.unwrap_or(u32::MAX);
		T::DepositPerAgreement::get()
			.saturating_add(T::DepositPerByte::get().saturating_mul(bytes.into()))
	}

	/// A farm's ledger brought up to `now`.
	pub(crate) fn farm_ledger(
		farm_id: FarmId,
		now: BlockNumberFor<T>,
	) -> FarmLedger<BlockNumberFor<T>> {
		let mut ledger = FarmLedgers::<T>::get(farm_id);
		let elapsed = blocks_between(ledger.updated_at, now);
		ledger.accrued = ledger.accrued.saturating_add(ledger.rate.saturating_mul(elapsed));
		ledger.updated_at = now;
		ledger
	}

	/// Changes a farm's ledger at `now`.
	pub(crate) fn change_farm_ledger(
		farm_id: FarmId,
		now: BlockNumberFor<T>,
		change: impl FnOnce(&mut FarmLedger<BlockNumberFor<T>>),
	) {
		let mut ledger = Self::farm_ledger(farm_id, now);
		change(&mut ledger);
		if ledger.rate.is_zero() && ledger.accrued.is_zero() {
			FarmLedgers::<T>::remove(farm_id);
		} else {
			FarmLedgers::<T>::insert(farm_id, ledger);
		}
	}

	/// Brings an agreement up to `now`: an escrow that ran out starts the grace period at the
	/// block it ran out, a grace period that ended cancels the agreement at its end, and an
	/// agreement not deployed in time is cancelled and refunded. Writes nothing while none of
	/// these happened: a running agreement's escrow is computed, not updated.
	pub(crate) fn advance(
		contract_id: ContractId,
		contract: &mut Contract<T>,
		now: BlockNumberFor<T>,
	) {
		match contract.state {
			ContractState::Created => {
				let expires_at = contract.since.saturating_add(T::DeploymentTimeout::get());
				if now >= expires_at {
					Self::end_contract(contract_id, contract, CancelCause::NotDeployed, now);
				}
			},
			ContractState::Deployed => {
				let cost = contract.rate.saturating_mul(blocks_between(contract.since, now));
				if cost > contract.escrow {
					Self::enter_grace(contract_id, contract, now);
					// The grace period may be over too.
					Self::advance(contract_id, contract, now);
				}
			},
			ContractState::GracePeriod { ends_at } => {
				if now >= ends_at {
					Self::end_contract(contract_id, contract, CancelCause::OutOfFunds, now);
				}
			},
			ContractState::Cancelled { .. } => {},
		}
	}

	/// The first block at which a deployed agreement's cost exceeds its escrow.
	pub(crate) fn runs_out_at(contract: &Contract<T>) -> BlockNumberFor<T> {
		let blocks = match contract.rate {
			0 => u128::MAX,
			rate => (contract.escrow / rate).saturating_add(1),
		};
		contract.since.saturating_add(blocks.saturated_into())
	}

	/// A deployed agreement whose escrow ran out (at a block up to `now`) enters its grace
	/// period as of that block: its farm keeps exactly the escrow, its rate leaves the farm's,
	/// and a `Pause` action goes to the farm's worker.
	fn enter_grace(contract_id: ContractId, contract: &mut Contract<T>, now: BlockNumberFor<T>) {
		let at = Self::runs_out_at(contract).min(now);
		let counted_until_now = contract.rate.saturating_mul(blocks_between(contract.since, now));
		let rate = contract.rate;
		Self::change_farm_ledger(contract.farm_id, now, |ledger| {
			// The ledger counted the agreement until now; it earns only the escrow.
			ledger.accrued =
				ledger.accrued.saturating_sub(counted_until_now.saturating_sub(contract.escrow));
			ledger.rate = ledger.rate.saturating_sub(rate);
		});
		let billed = blocks_between(contract.since, at);
		contract.debt = rate.saturating_mul(billed).saturating_sub(contract.escrow);
		contract.escrow = 0;
		contract.billed_blocks =
			contract.billed_blocks.saturating_add(billed.saturated_into::<u64>());
		contract.since = at;
		let ends_at = at.saturating_add(T::GracePeriod::get());
		contract.state = ContractState::GracePeriod { ends_at };
		PendingActions::<T>::insert(contract.farm_id, contract_id, PendingAction::Pause);
		Self::deposit_event(Event::ContractInGracePeriod {
			contract_id,
			at,
			debt: Self::units_up(contract.debt),
			ends_at,
		});
		Self::reschedule(contract_id, contract, now);
	}

	/// The debt of an agreement in grace at block `at`, in fine units.
	pub(crate) fn debt_at(contract: &Contract<T>, at: BlockNumberFor<T>) -> u128 {
		match contract.state {
			ContractState::GracePeriod { .. } => contract
				.debt
				.saturating_add(contract.rate.saturating_mul(blocks_between(contract.since, at))),
			_ => 0,
		}
	}

	/// The escrow of an agreement at block `at`, in fine units (zero once it ran out).
	pub(crate) fn escrow_at(contract: &Contract<T>, at: BlockNumberFor<T>) -> u128 {
		match contract.state {
			ContractState::Created => contract.escrow,
			ContractState::Deployed => contract
				.escrow
				.saturating_sub(contract.rate.saturating_mul(blocks_between(contract.since, at))),
			_ => 0,
		}
	}

	/// Ends an agreement that [`Pallet::advance`] brought up to `now`: what it cost is the
	/// farm's, the escrow left is refunded (its fraction of a unit to the farm), a debt is
	/// recorded against the twin, the agreement leaves the depletion index, and a `Delete`
	/// action goes to the farm's worker. Its capacity stays reserved until ZOS confirms the
	/// removal. A grace period or a deployment wait ends at its own end block, not later.
	pub(crate) fn end_contract(
		contract_id: ContractId,
		contract: &mut Contract<T>,
		cause: CancelCause,
		now: BlockNumberFor<T>,
	) {
		let mut refunded = BalanceOf::<T>::zero();
		let mut unpaid_debt = BalanceOf::<T>::zero();
		let mut ended_at = now;
		match contract.state {
			ContractState::Created => {
				refunded = Self::units_down(contract.escrow);
				ended_at = now.min(contract.since.saturating_add(T::DeploymentTimeout::get()));
			},
			ContractState::Deployed => {
				let left = Self::escrow_at(contract, now);
				let unit = Self::fine_units_per_unit();
				refunded = Self::units_down(left);
				let rate = contract.rate;
				Self::change_farm_ledger(contract.farm_id, now, |ledger| {
					ledger.accrued = ledger.accrued.saturating_add(left % unit);
					ledger.rate = ledger.rate.saturating_sub(rate);
				});
			},
			ContractState::GracePeriod { ends_at } => {
				ended_at = now.min(ends_at);
				unpaid_debt = Self::units_up(Self::debt_at(contract, ended_at));
				Self::record_debt(contract.twin_id, contract.farm_id, unpaid_debt);
			},
			ContractState::Cancelled { .. } => return,
		}
		if contract.state.is_billed() {
			let billed = blocks_between(contract.since, ended_at).saturated_into::<u64>();
			contract.billed_blocks = contract.billed_blocks.saturating_add(billed);
		}
		Self::refund(&contract.owner, refunded);
		contract.escrow = 0;
		contract.debt = 0;
		contract.since = ended_at;
		contract.state = ContractState::Cancelled { cause };
		Self::unschedule(contract_id, contract);
		// Whatever the node has (a deployment, or one still being made), it must go.
		PendingActions::<T>::insert(contract.farm_id, contract_id, PendingAction::Delete);
		Self::deposit_event(Event::ContractCancelled { contract_id, cause, refunded, unpaid_debt });
	}

	/// Adds `amount` (already checked non-zero) to an agreement's escrow, paid by its owner or
	/// newly bridged (`source`); in grace, pays the debt and restores the agreement.
	pub(crate) fn do_top_up(
		contract_id: ContractId,
		mut contract: Contract<T>,
		amount: BalanceOf<T>,
		source: TopUpSource,
	) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		Self::advance(contract_id, &mut contract, now);
		ensure!(contract.state.is_open(), Error::<T>::ContractEnded);
		let amount_fine = Self::to_fine(amount)?;
		let debt = Self::debt_at(&contract, now);
		if let ContractState::GracePeriod { .. } = contract.state {
			let needed = debt.saturating_add(Self::hour_at(contract.rate));
			ensure!(amount_fine >= needed, Error::<T>::TopUpDoesNotCoverDebt);
		}
		let paid_in = contract.paid_in.checked_add(amount_fine).ok_or(Error::<T>::PriceOverflow)?;
		let escrow = contract.escrow.checked_add(amount_fine).ok_or(Error::<T>::PriceOverflow)?;
		match source {
			TopUpSource::Owner => <T as Config>::Currency::transfer(
				&contract.owner,
				&Self::account_id(),
				amount,
				Preservation::Preserve,
			)
			.map(|_| ())
			.map_err(|_| Error::<T>::InsufficientFunds)?,
			TopUpSource::Bridged => {
				<T as Config>::Currency::mint_into(&Self::account_id(), amount).map(|_| ())?
			},
		}
		contract.paid_in = paid_in;
		if let ContractState::GracePeriod { .. } = contract.state {
			let rate = contract.rate;
			Self::change_farm_ledger(contract.farm_id, now, |ledger| {
				ledger.accrued = ledger.accrued.saturating_add(debt);
				ledger.rate = ledger.rate.saturating_add(rate);
			});
			let billed = blocks_between(contract.since, now).saturated_into::<u64>();
			contract.billed_blocks = contract.billed_blocks.saturating_add(billed);
			contract.since = now;
			contract.debt = 0;
			contract.escrow = amount_fine.saturating_sub(debt);
			contract.state = ContractState::Deployed;
			PendingActions::<T>::insert(contract.farm_id, contract_id, PendingAction::Resume);
			Self::deposit_event(Event::ContractRestored {
				contract_id,
				debt_paid: Self::units_up(debt),
			});
		} else {
			contract.escrow = escrow;
		}
		Self::deposit_event(Event::ContractToppedUp {
			contract_id,
			amount,
			escrow: Self::units_down(Self::escrow_at(&contract, now)),
		});
		Self::reschedule(contract_id, &mut contract, now);
		Contracts::<T>::insert(contract_id, contract);
		Ok(())
	}

	/// Pays a farm the whole units it earned up to now; the fraction stays for the next payout.
	pub fn pay_out_farm(farm_id: FarmId) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(Self::checks_up_to_date(now), Error::<T>::ChecksBehind);
		let mut ledger = Self::farm_ledger(farm_id, now);
		let amount = Self::units_down(ledger.accrued);
		if amount.is_zero() {
			return Ok(());
		}
		// A farm that no longer has a payee keeps its earnings until it has one.
		let Some(payee) = T::Registry::payee(farm_id) else { return Ok(()) };
		ledger.accrued =
			ledger.accrued.saturating_sub(Self::to_fine(amount).unwrap_or(ledger.accrued));
		if Self::pay_or_keep(&payee.account, amount) {
			if let Some(cooperative_id) = payee.cooperative {
				T::Registry::record_cooperative_earnings(cooperative_id, amount);
			}
			Self::deposit_event(Event::FarmPaid { farm_id, payee: payee.account, amount });
		} else {
			Self::deposit_event(Event::PaymentKeptForPayee {
				farm_id,
				payee: payee.account,
				amount,
			});
		}
		if ledger.rate.is_zero() && ledger.accrued.is_zero() {
			FarmLedgers::<T>::remove(farm_id);
		} else {
			FarmLedgers::<T>::insert(farm_id, ledger);
		}
		Ok(())
	}

	/// The weight of a farm's payout, whatever the number of its agreements.
	pub fn pay_farm_weight() -> Weight {
		<T as Config>::WeightInfo::pay_farm(PAYOUT_BENCHMARKED_AGREEMENTS)
	}

	/// What a payout of the farm would pay now.
	pub fn farm_earnings(farm_id: FarmId) -> BalanceOf<T> {
		let now = frame_system::Pallet::<T>::block_number();
		Self::units_down(Self::farm_ledger(farm_id, now).accrued)
	}

	/// Pays `amount` from the pallet's account to `to`; an amount `to` cannot receive (a new
	/// account below the existential deposit) is kept for it to claim. Returns whether it was
	/// paid.
	pub(crate) fn pay_or_keep(to: &T::AccountId, amount: BalanceOf<T>) -> bool {
		if amount.is_zero() {
			return true;
		}
		let paid = <T as Config>::Currency::transfer(
			&Self::account_id(),
			to,
			amount,
			Preservation::Preserve,
		);
		if paid.is_ok() {
			return true;
		}
		UnclaimedEarnings::<T>::mutate(to, |kept| *kept = kept.saturating_add(amount));
		false
	}

	/// Returns escrow to an agreement's owner (kept for it to claim if it cannot receive it).
	pub(crate) fn refund(owner: &T::AccountId, amount: BalanceOf<T>) {
		Self::pay_or_keep(owner, amount);
	}

	/// Records that `twin_id` owes `farm_id` `amount` more.
	fn record_debt(twin_id: TwinId, farm_id: FarmId, amount: BalanceOf<T>) {
		if amount.is_zero() {
			return;
		}
		TwinDebts::<T>::mutate(twin_id, farm_id, |owed| {
			if owed.is_zero() {
				TwinDebtCount::<T>::mutate(twin_id, |count| *count = count.saturating_add(1));
			}
			*owed = owed.saturating_add(amount);
		});
	}

	/// Pays what `twin_id` (whose account is `who`) owes `farm_id` into the farm's earnings.
	pub(crate) fn do_pay_debt(
		who: &T::AccountId,
		twin_id: TwinId,
		farm_id: FarmId,
	) -> DispatchResult {
		let amount = TwinDebts::<T>::get(twin_id, farm_id);
		ensure!(!amount.is_zero(), Error::<T>::NoDebt);
		let amount_fine = Self::to_fine(amount)?;
		<T as Config>::Currency::transfer(who, &Self::account_id(), amount, Preservation::Preserve)
			.map_err(|_| Error::<T>::InsufficientFunds)?;
		let now = frame_system::Pallet::<T>::block_number();
		Self::change_farm_ledger(farm_id, now, |ledger| {
			ledger.accrued = ledger.accrued.saturating_add(amount_fine)
		});
		TwinDebts::<T>::remove(twin_id, farm_id);
		TwinDebtCount::<T>::mutate_exists(twin_id, |count| {
			let left = count.unwrap_or_default().saturating_sub(1);
			*count = (left > 0).then_some(left);
		});
		Self::deposit_event(Event::DebtPaid { twin_id, farm_id, amount });
		Ok(())
	}

	/// Releases an agreement's storage deposit.
	pub(crate) fn release_storage_deposit(contract: &Contract<T>) {
		// The hold covers it (checked in `try_state`).
		let _ = <T as Config>::Currency::release(
			&HoldReason::AgreementDeposit.into(),
			&contract.owner,
			contract.storage_deposit,
			Precision::BestEffort,
		);
	}

	/// What an agreement's money looks like now.
	pub fn escrow_view(
		contract_id: ContractId,
	) -> Option<EscrowView<BalanceOf<T>, BlockNumberFor<T>>> {
		let now = frame_system::Pallet::<T>::block_number();
		let mut contract = Contracts::<T>::get(contract_id)?;
		// A view, never written: bring a copy up to date.
		let _ = frame_support::storage::transactional::with_transaction_opaque_err(|| {
			Self::advance(contract_id, &mut contract, now);
			sp_runtime::TransactionOutcome::Rollback(Ok::<(), ()>(()))
		});
		let billed_now = match contract.state {
			ContractState::Deployed | ContractState::GracePeriod { .. } => {
				blocks_between(contract.since, now).saturated_into::<u64>()
			},
			_ => 0,
		};
		let billed = contract.billed_blocks.saturating_add(billed_now);
		Some(EscrowView {
			escrow: Self::units_down(Self::escrow_at(&contract, now)),
			debt: Self::units_up(Self::debt_at(&contract, now)),
			cost_so_far: Self::units_down(contract.rate.saturating_mul(billed.into())),
			cost_per_hour: Self::units_down(Self::hour_at(contract.rate)),
			runs_out_at: (contract.state == ContractState::Deployed)
				.then(|| Self::runs_out_at(&contract)),
		})
	}
}

impl<T: Config> FarmPayouts for Pallet<T> {
	fn pay_out(farm_id: FarmId) -> DispatchResult {
		Self::pay_out_farm(farm_id)
	}

	fn pay_out_weight() -> Weight {
		Self::pay_farm_weight()
	}
}

/// Where a top-up's funds come from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum TopUpSource {
	/// The agreement's owner pays.
	Owner,
	/// The Stellar bridge mints them for a `contract_<id>` deposit.
	Bridged,
}

impl<T: Config> gridchain_primitives::grid::AgreementFunding<BalanceOf<T>> for Pallet<T> {
	fn fund(contract_id: u64, amount: BalanceOf<T>) -> DispatchResult {
		let contract = Contracts::<T>::get(contract_id).ok_or(Error::<T>::ContractNotFound)?;
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		Self::do_top_up(contract_id, contract, amount, TopUpSource::Bridged)
	}
}
