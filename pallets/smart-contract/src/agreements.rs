//! Making an agreement and taking in the farm's reports about it.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		tokens::{Fortitude, Preservation},
	},
};
use gridchain_primitives::grid::{GridRegistry, NodeId};
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	/// [`Pallet::create_node_contract`] for `owner`: every check first, then the writes.
	pub(crate) fn do_create(
		owner: T::AccountId,
		node_id: NodeId,
		workloads: Vec<Workload<T>>,
		metadata: TextOf<T>,
		description: TextOf<T>,
		signature: DeploymentSignature,
		deposit: BalanceOf<T>,
	) -> DispatchResult {
		let twin_id = T::Registry::twin_of(&owner).ok_or(Error::<T>::NoTwin)?;
		ensure!(TwinDebtCount::<T>::get(twin_id) == 0, Error::<T>::TwinHasDebt);
		let node = T::Registry::node(node_id).ok_or(Error::<T>::NodeNotFound)?;
		ensure!(!node.suspended, Error::<T>::NodeSuspended);
		let pricing = T::Registry::farm_pricing(node.farm_id).ok_or(Error::<T>::FarmNotFound)?;
		ensure!(T::Registry::farm_operator(node.farm_id).is_some(), Error::<T>::FarmHasNoOperator);
		let workloads = Self::checked_workloads(workloads)?;
		let hash =
			Self::deployment_hash(twin_id, &workloads, &metadata, &description, signature.style)?;
		let message = zos_client::signed_message(&hash, signature.style.into());
		ensure!(
			sp_io::crypto::sr25519_verify(
				&sp_core::sr25519::Signature::from_raw(signature.signature),
				&message,
				&sp_core::sr25519::Public::from_raw(owner.clone().into()),
			),
			Error::<T>::InvalidSignature
		);
		// Capacity is checked here, before the price and the deposit, so an oversized request
		// is told so; `reserve_capacity` below checks again as it writes.
		let (resources, rate) =
			Self::price_on(&node, &pricing, workloads.iter().map(|workload| &workload.kind))?;
		ensure!(
			node.live_agreements < T::Registry::max_agreements_per_node(),
			Error::<T>::NodeAgreementLimitReached
		);
		let escrow = Self::to_fine(deposit)?;
		ensure!(escrow >= Self::hour_at(rate) && escrow > 0, Error::<T>::DepositBelowOneHour);
		let terms = Terms::<T> {
			workloads,
			metadata,
			description,
			deployment_hash: hash.to_hex(),
			signature,
			resources,
		};
		let storage_deposit = Self::storage_deposit(terms.encoded_size());
		let spendable = <T as Config>::Currency::reducible_balance(
			&owner,
			Preservation::Preserve,
			Fortitude::Polite,
		);
		ensure!(
			spendable >= deposit.saturating_add(storage_deposit),
			Error::<T>::InsufficientFunds
		);
		let contract_id = NextContractId::<T>::get();
		let next_id = contract_id.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;

		// Checks are done; from here on every step succeeds or the call reverts whole.
		T::Registry::reserve_capacity(node_id, &resources)?;
		<T as Config>::Currency::transfer(
			&owner,
			&Self::account_id(),
			deposit,
			Preservation::Preserve,
		)
		.map_err(|_| Error::<T>::InsufficientFunds)?;
		<T as Config>::Currency::hold(
			&HoldReason::AgreementDeposit.into(),
			&owner,
			storage_deposit,
		)
		.map_err(|_| Error::<T>::InsufficientFunds)?;
		NextContractId::<T>::put(next_id);
		let now = frame_system::Pallet::<T>::block_number();
		let mut contract = Contract::<T> {
			owner,
			twin_id,
			node_id,
			farm_id: node.farm_id,
			rate,
			state: ContractState::Created,
			escrow,
			debt: 0,
			since: now,
			billed_blocks: 0,
			paid_in: escrow,
			storage_deposit,
			next_check: None,
		};
		// Listed at the end of its deployment wait.
		Self::reschedule(contract_id, &mut contract, now);
		PendingActions::<T>::insert(node.farm_id, contract_id, PendingAction::Deploy);
		Self::deposit_event(Event::ContractCreated {
			contract_id,
			twin_id,
			node_id,
			deployment_hash: terms.deployment_hash,
			deposit,
			cost_per_hour: Self::units_down(Self::hour_at(rate)),
			storage_deposit,
		});
		Contracts::<T>::insert(contract_id, contract);
		ContractTerms::<T>::insert(contract_id, terms);
		Ok(())
	}

	/// [`Pallet::report_deployment`] from the farm's operator (already checked).
	pub(crate) fn do_report(
		contract_id: ContractId,
		mut contract: Contract<T>,
		outcome: DeploymentOutcome<FailureReasonOf<T>>,
	) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		Self::advance(contract_id, &mut contract, now);
		let farm_id = contract.farm_id;
		let pending = PendingActions::<T>::get(farm_id, contract_id);
		match (&contract.state, outcome) {
			(ContractState::Created, DeploymentOutcome::Deployed) => {
				let rate = contract.rate;
				Self::change_farm_ledger(farm_id, now, |ledger| {
					ledger.rate = ledger.rate.saturating_add(rate)
				});
				contract.state = ContractState::Deployed;
				contract.since = now;
				Self::reschedule(contract_id, &mut contract, now);
				Contracts::<T>::insert(contract_id, contract);
				Self::deposit_event(Event::ContractDeployed { contract_id });
			},
			(ContractState::Created, DeploymentOutcome::Failed(reason)) => {
				let refunded = Self::units_down(contract.escrow);
				Self::refund(&contract.owner, refunded);
				Self::unschedule(contract_id, &mut contract);
				Self::remove_contract(contract_id, &contract);
				Self::deposit_event(Event::ContractFailed { contract_id, reason, refunded });
			},
			(ContractState::GracePeriod { .. }, DeploymentOutcome::Paused)
				if pending == Some(PendingAction::Pause) =>
			{
				Self::deposit_event(Event::WorkloadsPaused { contract_id });
			},
			(ContractState::Deployed, DeploymentOutcome::Resumed)
				if pending == Some(PendingAction::Resume) =>
			{
				Self::deposit_event(Event::WorkloadsResumed { contract_id });
			},
			(ContractState::Cancelled { .. }, DeploymentOutcome::Deleted) => {
				Self::remove_contract(contract_id, &contract);
				Self::deposit_event(Event::ContractDeleted { contract_id });
			},
			_ => return Err(Error::<T>::InvalidStateTransition.into()),
		}
		// The farm's off-chain worker is done with this agreement until its next change.
		PendingActions::<T>::remove(farm_id, contract_id);
		Ok(())
	}

	/// Removes an agreement whose workloads are gone from the node: releases its capacity and
	/// its storage deposit.
	fn remove_contract(contract_id: ContractId, contract: &Contract<T>) {
		if let Some(terms) = ContractTerms::<T>::take(contract_id) {
			T::Registry::release_capacity(contract.node_id, &terms.resources);
		}
		Self::release_storage_deposit(contract);
		Contracts::<T>::remove(contract_id);
	}
}
