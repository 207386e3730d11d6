//! Unit tests: every call, every error, every transition, the attacks the issue names, and
//! the money invariants. Every test ends by checking both pallets' invariants and that billing
//! did not change total issuance.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold, Mutate},
	BoundedVec,
};
use gridchain_primitives::grid::{PricingPolicy, GIB};
use pallet_registry::{Member, Nodes};
use sp_core::Pair;
use sp_runtime::{DispatchError, Perbill};

type Origin = RuntimeOrigin;

/// Runs `test` in a fresh chain, then checks the invariants and the total issuance.
pub(crate) fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		let issuance = Balances::total_issuance();
		test();
		check_invariants();
		assert_eq!(Balances::total_issuance(), issuance, "billing changed the total issuance");
	});
}

/// Both pallets' `try_state`, and no storage-deposit hold on an account without agreements.
pub(crate) fn check_invariants() {
	SmartContract::do_try_state(System::block_number()).expect("invariants hold");
	pallet_registry::Pallet::<Test>::do_try_state().expect("registry invariants hold");
	for account in [alice(), bob(), charlie(), dave(), operator()] {
		if !Contracts::<Test>::iter_values().any(|c| c.owner == account) {
			assert_eq!(deposit_held(&account), 0, "a deposit hold without agreements");
		}
	}
}

pub(crate) fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::SmartContract(event) => Some(event),
			_ => None,
		})
		.collect()
}

fn free(account: &AccountId) -> Balance {
	Balances::balance(account)
}

/// Free and held: what an account owns.
fn owned(account: &AccountId) -> Balance {
	free(account) + deposit_held(account)
}

fn deposit_held(account: &AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::AgreementDeposit.into(), account)
}

/// The pallet's account: escrows, earnings not paid out, kept payments.
fn pot() -> Balance {
	free(&SmartContract::account_id())
}

fn escrow_of(id: ContractId) -> Balance {
	SmartContract::escrow_view(id).expect("contract exists").escrow
}

fn deploy(contract_id: ContractId) {
	report(contract_id, DeploymentOutcome::Deployed);
}

fn report(contract_id: ContractId, outcome: DeploymentOutcome<FailureReasonOf<Test>>) {
	assert_ok!(SmartContract::report_deployment(Origin::signed(operator()), contract_id, outcome));
}

fn state(contract_id: ContractId) -> ContractState<Test> {
	Contracts::<Test>::get(contract_id).expect("contract exists").state
}

/// Pays farm 1 and returns what its payee (Bob) received.
fn pay_bob() -> Balance {
	let before = free(&bob());
	assert_ok!(SmartContract::pay_farm(Origin::signed(charlie()), 1));
	free(&bob()) - before
}

/// The storage deposit of an agreement, from its record.
fn storage_deposit_of(id: ContractId) -> Balance {
	Contracts::<Test>::get(id).unwrap().storage_deposit
}

// ---- create_node_contract ----

#[test]
fn create_stores_the_agreement_with_the_zos_challenge_hash() {
	run(|| {
		let pot_before = pot();
		let id = create_volume(100 * TFT);
		let contract = Contracts::<Test>::get(id).unwrap();
		let terms = ContractTerms::<Test>::get(id).unwrap();
		assert_eq!(contract.state, ContractState::Created);
		assert_eq!(contract.twin_id, 1);
		assert_eq!(escrow_of(id), 100 * TFT);
		assert_eq!(terms.resources.sru, 10 * GIB);
		// The escrow moved into the pallet's account; the storage deposit is held.
		assert_eq!(pot() - pot_before, 100 * TFT);
		let storage_deposit = contract.storage_deposit;
		assert!(storage_deposit > DepositPerAgreement::get());
		assert_eq!(deposit_held(&alice()), storage_deposit);
		assert_eq!(owned(&alice()), ENDOWMENT - 100 * TFT);
		assert_eq!(Nodes::<Test>::get(1).unwrap().reserved.sru, 10 * GIB);

		// The stored hash is the one zos-client computes for the equivalent ZOS deployment.
		let deployment = zos_client::Deployment {
			version: 0,
			twin_id: 1,
			contract_id: 0,
			metadata: "deployment-meta".into(),
			description: "deployment-desc".into(),
			expiration: 0,
			signature_requirement: zos_client::SignatureRequirement {
				requests: vec![zos_client::SignatureRequest {
					twin_id: 1,
					required: false,
					weight: 1,
				}],
				weight_required: 1,
				signatures: vec![],
				signature_style: zos_client::SignatureStyle::Raw,
			},
			workloads: vec![zos_client::Workload {
				version: 0,
				name: "vol".into(),
				data: zos_client::WorkloadData::Volume { size: 10 * GIB },
				metadata: "{\"v\":1}".into(),
				description: "a volume".into(),
				result: Default::default(),
			}],
		};
		assert_eq!(terms.deployment_hash, deployment.challenge_hash().to_hex());
		assert!(events().contains(&Event::ContractCreated {
			contract_id: id,
			twin_id: 1,
			node_id: 1,
			deployment_hash: terms.deployment_hash,
			deposit: 100 * TFT,
			cost_per_hour: 10 * TFT,
			storage_deposit,
		}));
	});
}

#[test]
fn create_accepts_the_polka_wallet_signature_style() {
	run(|| {
		let workloads = vec![volume("vol", 1)];
		let signature = sign(&alice(), 1, &workloads, SignatureStyle::PolkaWallet);
		assert_ok!(create_as_alice(
			workloads.clone(),
			DeploymentSignature { signature, style: SignatureStyle::PolkaWallet },
			10 * TFT
		));
		// A raw-style signature does not pass as a polka-wallet one.
		let raw = sign(&alice(), 1, &workloads, SignatureStyle::Raw);
		assert_noop!(
			create_as_alice(
				workloads,
				DeploymentSignature { signature: raw, style: SignatureStyle::PolkaWallet },
				10 * TFT
			),
			Error::<Test>::InvalidSignature
		);
	});
}

/// The arguments of a valid create call by Alice.
struct CreateArgs {
	who: AccountId,
	node: u32,
	workloads: Vec<Workload<Test>>,
	signature: [u8; 64],
	deposit: Balance,
}

impl CreateArgs {
	/// Signs the current workloads again as Alice.
	fn resign(&mut self) {
		self.signature = sign(&alice(), 1, &self.workloads, SignatureStyle::Raw);
	}
}

/// Calls create with everything valid except what `change` alters.
fn create_changed(change: impl FnOnce(&mut CreateArgs)) -> sp_runtime::DispatchResult {
	let workloads = vec![volume("vol", 10)];
	let mut args = CreateArgs {
		who: alice(),
		node: 1,
		signature: sign(&alice(), 1, &workloads, SignatureStyle::Raw),
		workloads,
		deposit: 100 * TFT,
	};
	change(&mut args);
	SmartContract::create_node_contract(
		Origin::signed(args.who),
		args.node,
		args.workloads,
		text("deployment-meta"),
		text("deployment-desc"),
		DeploymentSignature { signature: args.signature, style: SignatureStyle::Raw },
		args.deposit,
	)
}

#[test]
fn create_errors_change_nothing() {
	run(|| {
		assert_noop!(create_changed(|a| a.who = charlie()), Error::<Test>::NoTwin);
		assert_noop!(create_changed(|a| a.node = 9), Error::<Test>::NodeNotFound);
		assert_noop!(create_changed(|a| a.workloads.clear()), Error::<Test>::NoWorkloads);
		assert_noop!(
			create_changed(|a| a.workloads = (0..9).map(|i| volume(&format!("v{i}"), 1)).collect()),
			Error::<Test>::TooManyWorkloads
		);
		assert_noop!(
			create_changed(|a| a.workloads = vec![volume("bad-name", 1)]),
			Error::<Test>::InvalidWorkloadName
		);
		assert_noop!(
			create_changed(|a| a.workloads = vec![volume("", 1)]),
			Error::<Test>::InvalidWorkloadName
		);
		assert_noop!(
			create_changed(|a| a.workloads = vec![volume("a", 1), volume("a", 2)]),
			Error::<Test>::DuplicateWorkloadName
		);
		assert_noop!(
			create_changed(|a| a.workloads = vec![volume("a", 0)]),
			Error::<Test>::ZeroSizeVolume
		);
		assert_noop!(
			create_changed(
				|a| a.workloads[0].metadata = BoundedVec::try_from(vec![0xff, 0xfe]).unwrap()
			),
			Error::<Test>::InvalidText
		);
		assert_noop!(create_changed(|a| a.signature[0] ^= 1), Error::<Test>::InvalidSignature);
		// Signed by another key than the twin's.
		assert_noop!(
			create_changed(|a| a.signature = sign(&bob(), 1, &a.workloads, SignatureStyle::Raw)),
			Error::<Test>::InvalidSignature
		);
		// Signed for other workloads than submitted.
		assert_noop!(
			create_changed(|a| a.workloads[0].kind = WorkloadKind::Volume { size: 11 * GIB }),
			Error::<Test>::InvalidSignature
		);
		assert_noop!(
			create_changed(|a| {
				a.workloads = vec![volume("huge", 1025)];
				a.resign();
			}),
			Error::<Test>::InsufficientCapacity
		);
		assert_noop!(
			create_changed(|a| a.deposit = 10 * TFT - 1),
			Error::<Test>::DepositBelowOneHour
		);
		assert_noop!(create_changed(|a| a.deposit = ENDOWMENT), Error::<Test>::InsufficientFunds);
		assert_noop!(
			SmartContract::create_node_contract(
				Origin::root(),
				1,
				vec![volume("vol", 1)],
				text(""),
				text(""),
				DeploymentSignature { signature: [0; 64], style: SignatureStyle::Raw },
				10 * TFT
			),
			DispatchError::BadOrigin
		);
		assert_eq!(deposit_held(&alice()), 0);
		assert_eq!(free(&alice()), ENDOWMENT);
		assert_eq!(Nodes::<Test>::get(1).unwrap().reserved.sru, 0);
	});
}

#[test]
fn capacity_is_shared_between_agreements() {
	run(|| {
		create_with(vec![volume("a", 1000)], 1000 * TFT);
		assert_noop!(
			create_changed(|a| {
				a.workloads = vec![volume("b", 25)];
				a.resign();
			}),
			Error::<Test>::InsufficientCapacity
		);
		create_with(vec![volume("b", 24)], 24 * TFT);
		assert_eq!(Nodes::<Test>::get(1).unwrap().reserved.sru, 1024 * GIB);
	});
}

#[test]
fn a_price_that_does_not_fit_is_refused() {
	run(|| {
		let mut pricing = farm_pricing();
		pricing.sru_per_gib_hour = Balance::MAX;
		assert_ok!(pallet_registry::Pallet::<Test>::set_pricing_policy(
			Origin::signed(bob()),
			1,
			pricing
		));
		assert_noop!(create_changed(|_| {}), Error::<Test>::PriceOverflow);
		assert_eq!(
			SmartContract::quote_cost_per_hour(1, vec![WorkloadKind::Volume { size: GIB }]),
			Err(Error::<Test>::PriceOverflow.into())
		);
	});
}

#[test]
fn agreement_ids_are_never_reused_and_exhaustion_is_an_error() {
	run(|| {
		NextContractId::<Test>::put(ContractId::MAX);
		assert_noop!(create_changed(|_| {}), Error::<Test>::IdsExhausted);
	});
}

// ---- report_deployment and operators ----

#[test]
fn only_the_farm_operator_that_accepted_reports() {
	run(|| {
		use pallet_registry::Pallet as Reg;
		let id = create_volume(100 * TFT);
		for intruder in [alice(), bob(), charlie()] {
			assert_noop!(
				SmartContract::report_deployment(
					Origin::signed(intruder),
					id,
					DeploymentOutcome::Deployed
				),
				Error::<Test>::NotFarmOperator
			);
		}
		assert_noop!(
			SmartContract::report_deployment(
				Origin::signed(operator()),
				99,
				DeploymentOutcome::Deployed
			),
			Error::<Test>::ContractNotFound
		);
		// The owner names Charlie: until Charlie accepts, Ferdie still serves and Charlie's
		// reports count for nothing.
		assert_ok!(Reg::<Test>::set_farm_operator(Origin::signed(bob()), 1, charlie()));
		assert_noop!(
			SmartContract::report_deployment(
				Origin::signed(charlie()),
				id,
				DeploymentOutcome::Deployed
			),
			Error::<Test>::NotFarmOperator
		);
		// Only the named account can accept.
		assert_noop!(
			Reg::<Test>::accept_farm_operator(Origin::signed(dave()), 1),
			pallet_registry::Error::<Test>::NoOperatorOffer
		);
		assert_ok!(Reg::<Test>::accept_farm_operator(Origin::signed(charlie()), 1));
		assert_noop!(
			SmartContract::report_deployment(
				Origin::signed(operator()),
				id,
				DeploymentOutcome::Deployed
			),
			Error::<Test>::NotFarmOperator
		);
		assert_ok!(SmartContract::report_deployment(
			Origin::signed(charlie()),
			id,
			DeploymentOutcome::Deployed
		));
		// An operator can drop the farm; then nobody reports and no new agreement is made.
		assert_noop!(
			Reg::<Test>::resign_farm_operator(Origin::signed(dave()), 1),
			pallet_registry::Error::<Test>::NotFarmOperator
		);
		assert_ok!(Reg::<Test>::resign_farm_operator(Origin::signed(charlie()), 1));
		assert_noop!(create_changed(|_| {}), Error::<Test>::FarmHasNoOperator);
		assert_eq!(pallet_registry::FarmsByOperator::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_farm_cannot_make_an_account_its_operator_without_consent() {
	run(|| {
		use pallet_registry::Pallet as Reg;
		// Dave creates a farm naming Ferdie (who serves Bob's farm) as operator: Ferdie's
		// worker must not start working for Dave.
		assert_ok!(Reg::<Test>::register_twin(Origin::signed(dave())));
		assert_ok!(Reg::<Test>::create_farm(
			Origin::signed(dave()),
			BoundedVec::try_from(b"daves-farm".to_vec()).unwrap(),
			farm_pricing(),
			operator(),
		));
		assert_eq!(pallet_registry::Farms::<Test>::get(2).unwrap().operator, None);
		assert!(!pallet_registry::FarmsByOperator::<Test>::contains_key(operator(), 2));
		// Naming its own account is consent.
		assert_ok!(Reg::<Test>::set_farm_operator(Origin::signed(dave()), 2, dave()));
		assert_eq!(pallet_registry::Farms::<Test>::get(2).unwrap().operator, Some(dave()));
	});
}

#[test]
fn deployment_starts_billing_at_its_block() {
	run(|| {
		let id = create_volume(100 * TFT);
		run_to_block(40);
		// Created: nothing is billed however long it waits.
		assert_eq!(escrow_of(id), 100 * TFT);
		deploy(id);
		assert_eq!(state(id), ContractState::Deployed);
		assert_eq!(Contracts::<Test>::get(id).unwrap().since, 40);
		assert!(events().contains(&Event::ContractDeployed { contract_id: id }));
		for outcome in
			[DeploymentOutcome::Deployed, DeploymentOutcome::Deleted, DeploymentOutcome::Paused]
		{
			assert_noop!(
				SmartContract::report_deployment(Origin::signed(operator()), id, outcome),
				Error::<Test>::InvalidStateTransition
			);
		}
		run_to_block(40 + 600);
		assert_eq!(escrow_of(id), 90 * TFT);
	});
}

#[test]
fn a_failed_deployment_refunds_everything_and_releases_capacity_and_deposit() {
	run(|| {
		let id = create_volume(100 * TFT);
		run_to_block(20);
		let reason: FailureReasonOf<Test> = text("volume: no space left on device");
		report(id, DeploymentOutcome::Failed(reason.clone()));
		assert!(Contracts::<Test>::get(id).is_none());
		assert!(ContractTerms::<Test>::get(id).is_none());
		assert_eq!(free(&alice()), ENDOWMENT);
		assert_eq!(deposit_held(&alice()), 0);
		assert_eq!(Nodes::<Test>::get(1).unwrap().reserved.sru, 0);
		assert_eq!(Nodes::<Test>::get(1).unwrap().live_agreements, 0);
		assert!(events().contains(&Event::ContractFailed {
			contract_id: id,
			reason,
			refunded: 100 * TFT
		}));
	});
}

#[test]
fn deletion_is_accepted_only_after_cancellation_and_releases_capacity_and_deposit() {
	run(|| {
		let id = create_volume(100 * TFT);
		deploy(id);
		assert_noop!(
			SmartContract::report_deployment(
				Origin::signed(operator()),
				id,
				DeploymentOutcome::Deleted
			),
			Error::<Test>::InvalidStateTransition
		);
		assert_ok!(SmartContract::cancel_contract(Origin::signed(alice()), id));
		// Capacity and the storage deposit stay until ZOS confirms the removal.
		assert_eq!(Nodes::<Test>::get(1).unwrap().reserved.sru, 10 * GIB);
		assert_eq!(deposit_held(&alice()), storage_deposit_of(id));
		assert_noop!(
			SmartContract::report_deployment(
				Origin::signed(operator()),
				id,
				DeploymentOutcome::Failed(text("late"))
			),
			Error::<Test>::InvalidStateTransition
		);
		report(id, DeploymentOutcome::Deleted);
		assert!(Contracts::<Test>::get(id).is_none());
		assert_eq!(Nodes::<Test>::get(1).unwrap().reserved.sru, 0);
		assert_eq!(deposit_held(&alice()), 0);
		assert!(events().contains(&Event::ContractDeleted { contract_id: id }));
	});
}

#[test]
fn the_storage_deposit_is_proportional_to_the_bytes_stored() {
	run(|| {
		let short = create_with(vec![volume("a", 1)], 10 * TFT);
		let long = create_with(vec![volume("a", 1), volume("b", 1), volume("c", 1)], 10 * TFT);
		let (short, long) = (storage_deposit_of(short), storage_deposit_of(long));
		let extra_bytes = (long - short) / DepositPerByte::get();
		// Two more workloads of about 30 bytes each.
		assert!((40..=120).contains(&extra_bytes), "{extra_bytes} bytes");
		assert_eq!(deposit_held(&alice()), short + long);
	});
}

#[test]
fn an_agreement_never_deployed_expires_and_is_refunded_in_full() {
	run(|| {
		let id = create_volume(100 * TFT);
		let storage_deposit = storage_deposit_of(id);
		run_to_block(1 + DEPLOYMENT_TIMEOUT - 1);
		assert_eq!(state(id), ContractState::Created);
		run_to_block(1 + DEPLOYMENT_TIMEOUT);
		assert_eq!(state(id), ContractState::Cancelled { cause: CancelCause::NotDeployed });
		assert_eq!(owned(&alice()), ENDOWMENT);
		assert_eq!(deposit_held(&alice()), storage_deposit);
		assert!(events().contains(&Event::ContractCancelled {
			contract_id: id,
			cause: CancelCause::NotDeployed,
			refunded: 100 * TFT,
			unpaid_debt: 0
		}));
		// The node may have it after all: the worker must delete it.
		assert_eq!(PendingActions::<Test>::get(1, id), Some(PendingAction::Delete));
		// A deployment report that comes too late is refused.
		assert_noop!(
			SmartContract::report_deployment(
				Origin::signed(operator()),
				id,
				DeploymentOutcome::Deployed
			),
			Error::<Test>::InvalidStateTransition
		);
		report(id, DeploymentOutcome::Deleted);
		assert_eq!(deposit_held(&alice()), 0);
	});
}

// ---- no agreement is free; the depletion index never fills ----

#[test]
fn an_agreement_on_a_free_farm_still_costs_the_minimum_and_runs_out() {
	run(|| {
		assert_ok!(pallet_registry::Pallet::<Test>::set_pricing_policy(
			Origin::signed(bob()),
			1,
			PricingPolicy::default()
		));
		assert_eq!(
			SmartContract::quote_cost_per_hour(1, vec![WorkloadKind::Volume { size: GIB }]),
			Ok(MIN_COST_PER_HOUR)
		);
		assert_noop!(
			create_changed(|a| a.deposit = MIN_COST_PER_HOUR - 1),
			Error::<Test>::DepositBelowOneHour
		);
		let id = create_with(vec![volume("vol", 10)], 2 * MIN_COST_PER_HOUR);
		deploy(id);
		// Two hours of the minimum.
		let runs_out = SmartContract::escrow_view(id).unwrap().runs_out_at.unwrap();
		assert_eq!(runs_out, 1 + 2 * BLOCKS_PER_HOUR as u64 + 1);
		run_to_block(runs_out);
		assert!(matches!(state(id), ContractState::GracePeriod { .. }));
	});
}

/// Makes `count` agreements of 1 GiB (1 TFT/hour) deployed at the current block with
/// `deposit` each; returns their ids.
fn deployed_agreements(count: u32, deposit: Balance) -> Vec<ContractId> {
	(0..count)
		.map(|i| {
			let id = create_with(vec![volume(&format!("v{i}"), 1)], deposit);
			deploy(id);
			id
		})
		.collect()
}

#[test]
fn a_burst_running_out_in_one_block_never_fills_the_index_and_stays_exact() {
	run(|| {
		// 40 agreements run out in the same block; pages hold 4, a hook works through 2: the
		// burst takes 5 blocks to look at, and nothing can fail or be lost meanwhile.
		CheckPagesPerBlock::set(2);
		let ids = deployed_agreements(40, TFT);
		let runs_out = 1 + BLOCKS_PER_HOUR as u64 + 1;
		assert_eq!(CheckPageCount::<Test>::get(runs_out), 10);
		// More agreements around that block are still made and listed.
		let late = deployed_agreements(3, TFT);
		assert_eq!(CheckPageCount::<Test>::get(runs_out), 11);
		run_to_block(runs_out);
		let in_grace = |ids: &[ContractId]| {
			ids.iter().filter(|id| matches!(state(**id), ContractState::GracePeriod { .. })).count()
		};
		// Pages are worked through last first: the 3 late ones and 4 more.
		assert_eq!(in_grace(&ids) + in_grace(&late), 7);
		// Payouts wait until the hooks caught up: the farm's earnings are not exact yet.
		assert_noop!(
			SmartContract::pay_farm(Origin::signed(charlie()), 1),
			Error::<Test>::ChecksBehind
		);
		check_invariants();
		// An agreement touched meanwhile is brought up to date as of its own block.
		let touched = *ids.iter().find(|id| state(**id) == ContractState::Deployed).unwrap();
		assert_ok!(SmartContract::settle(Origin::signed(charlie()), touched));
		assert_eq!(state(touched), ContractState::GracePeriod { ends_at: runs_out + GRACE_PERIOD });
		run_to_block(runs_out + 5);
		assert_eq!(in_grace(&ids) + in_grace(&late), 43);
		assert!(SmartContract::checks_up_to_date(runs_out + 5));
		// Each farm was paid exactly the escrows: 43 TFT.
		assert_eq!(pay_bob(), 43 * TFT);
		CheckPagesPerBlock::set(8);
	});
}

#[test]
fn escrow_beyond_the_horizon_is_parked_and_looked_at_again() {
	run(|| {
		CheckHorizon::set(1_000);
		// 1 TFT/hour with 10 TFT: runs out after 6,000 blocks, beyond the horizon.
		let id = deployed_agreements(1, 10 * TFT)[0];
		let slot = Contracts::<Test>::get(id).unwrap().next_check.unwrap();
		assert_eq!(slot.at, 1 + 1_000);
		run_to_block(1 + 1_000);
		assert_eq!(Contracts::<Test>::get(id).unwrap().next_check.unwrap().at, 1 + 2_000);
		run_to_block(1 + 6_000);
		assert_eq!(state(id), ContractState::Deployed);
		run_to_block(1 + 6_001);
		assert!(matches!(state(id), ContractState::GracePeriod { .. }));
		CheckHorizon::set(10_000);
	});
}

// ---- billing and payouts ----

#[test]
fn the_farm_is_paid_exactly_the_rate_for_the_blocks_deployed_in_one_call() {
	run(|| {
		let ids = deployed_agreements(5, 10 * TFT);
		run_to_block(1 + 600); // one hour: 5 × 1 TFT
		assert_eq!(SmartContract::farm_earnings(1), 5 * TFT);
		assert_eq!(pay_bob(), 5 * TFT);
		assert!(events().contains(&Event::FarmPaid { farm_id: 1, payee: bob(), amount: 5 * TFT }));
		for id in ids {
			assert_eq!(escrow_of(id), 9 * TFT);
		}
		// Nothing more is due in the same block.
		assert_eq!(pay_bob(), 0);
	});
}

#[test]
fn pay_farm_is_open_to_anyone_and_needs_a_signature() {
	run(|| {
		assert_noop!(SmartContract::pay_farm(Origin::none(), 1), DispatchError::BadOrigin);
		// A farm with nothing earned: nothing happens.
		assert_ok!(SmartContract::pay_farm(Origin::signed(charlie()), 7));
		assert_noop!(
			SmartContract::settle(Origin::signed(charlie()), 5),
			Error::<Test>::ContractNotFound
		);
	});
}

#[test]
fn rounding_over_a_million_blocks_loses_and_creates_nothing() {
	run(|| {
		// 3 GiB + 7 bytes of SSD at an odd price: a rate that never divides evenly.
		assert_ok!(pallet_registry::Pallet::<Test>::set_pricing_policy(
			Origin::signed(bob()),
			1,
			PricingPolicy {
				cru_per_core_hour: 3,
				mru_per_gib_hour: 0,
				sru_per_gib_hour: 7_777_777,
				hru_per_gib_hour: 0
			}
		));
		let workloads =
			vec![Workload { kind: WorkloadKind::Volume { size: 3 * GIB + 7 }, ..volume("odd", 1) }];
		let deposit = 50_000 * TFT;
		let id = create_with(workloads, deposit);
		deploy(id);
		let rate = Contracts::<Test>::get(id).unwrap().rate;
		let alice_before = free(&alice());
		let mut paid = 0;
		// Pay the farm at irregular intervals for a million blocks, then cancel.
		let mut block = 1u64;
		let mut step = 1u64;
		while block < 1_000_001 {
			block = (block + step).min(1_000_001);
			step = step % 997 + 13;
			System::set_block_number(block);
			CheckCursor::<Test>::put(block + 1);
			paid += pay_bob();
		}
		assert_ok!(SmartContract::cancel_contract(Origin::signed(alice()), id));
		paid += pay_bob();
		let refunded = free(&alice()) - alice_before;
		// Every unit of the deposit went to the farm or back to Alice.
		assert_eq!(paid + refunded, deposit);
		// The farm got the exact cost of the million blocks, rounded up to the unit.
		let unit = SmartContract::fine_units_per_unit();
		assert_eq!(paid, (rate * 1_000_000).div_ceil(unit));
	});
}

#[test]
fn a_pricing_change_does_not_affect_existing_agreements() {
	run(|| {
		let old = create_volume(100 * TFT);
		deploy(old);
		let mut pricing = farm_pricing();
		pricing.sru_per_gib_hour = 5 * TFT;
		assert_ok!(pallet_registry::Pallet::<Test>::set_pricing_policy(
			Origin::signed(bob()),
			1,
			pricing
		));
		let new = create_volume(100 * TFT);
		deploy(new);
		run_to_block(1 + 600);
		assert_eq!(escrow_of(old), 90 * TFT);
		assert_eq!(escrow_of(new), 50 * TFT);
		assert_eq!(pay_bob(), 60 * TFT);
	});
}

/// Charlie's cooperative of Charlie, Dave and Bob with shares that do not divide evenly.
fn cooperative_of_three() -> AccountId {
	use pallet_registry::Pallet as Reg;
	assert_ok!(Reg::<Test>::create_cooperative(
		Origin::signed(charlie()),
		BoundedVec::try_from(b"coop".to_vec()).unwrap(),
		vec![
			Member { account: charlie(), share: Perbill::from_parts(333_333_333) },
			Member { account: dave(), share: Perbill::from_parts(333_333_333) },
			Member { account: bob(), share: Perbill::from_parts(333_333_334) },
		]
	));
	Reg::<Test>::cooperative_account(1)
}

fn join_cooperative() {
	use pallet_registry::Pallet as Reg;
	assert_ok!(Reg::<Test>::request_cooperative_membership(Origin::signed(bob()), 1, 1));
	assert_ok!(Reg::<Test>::approve_cooperative_membership(Origin::signed(charlie()), 1, 1));
}

#[test]
fn a_cooperative_farm_pays_the_cooperative_whose_members_draw_by_share() {
	run(|| {
		use pallet_registry::Pallet as Reg;
		let cooperative = cooperative_of_three();
		join_cooperative();
		let id = create_volume(100 * TFT);
		deploy(id);
		let before = free(&cooperative);
		run_to_block(1 + 600);
		assert_ok!(SmartContract::pay_farm(Origin::signed(alice()), 1));
		// One payment, to the cooperative's account, whatever the number of members.
		assert_eq!(free(&cooperative) - before, 10 * TFT);
		assert!(events().contains(&Event::FarmPaid {
			farm_id: 1,
			payee: cooperative.clone(),
			amount: 10 * TFT
		}));
		let gained: Vec<Balance> = [charlie(), dave(), bob()]
			.iter()
			.map(|member| {
				let before = free(member);
				assert_ok!(Reg::<Test>::claim_cooperative_earnings(
					Origin::signed(member.clone()),
					1
				));
				free(member) - before
			})
			.collect();
		let third = Perbill::from_parts(333_333_333).mul_floor(10 * TFT);
		let rest = Perbill::from_parts(333_333_334).mul_floor(10 * TFT);
		assert_eq!(gained, vec![third, third, rest]);
	});
}

#[test]
fn earnings_go_to_whoever_was_the_payee_when_they_accrued() {
	run(|| {
		use pallet_registry::Pallet as Reg;
		let cooperative = cooperative_of_three();
		let id = create_volume(100 * TFT);
		deploy(id);
		// Half an hour as Bob's own farm; then the cooperative's admin approves the farm's
		// request: the half hour is Bob's, paid to Bob before the farm joins.
		run_to_block(1 + 300);
		assert_ok!(Reg::<Test>::request_cooperative_membership(Origin::signed(bob()), 1, 1));
		let bob_before = free(&bob());
		assert_ok!(Reg::<Test>::approve_cooperative_membership(Origin::signed(charlie()), 1, 1));
		assert_eq!(free(&bob()) - bob_before, 5 * TFT);
		// Half an hour in the cooperative, then the admin changes the members to only
		// itself: what accrued so far is paid in and owed to the old members by their shares.
		run_to_block(1 + 600);
		let coop_before = free(&cooperative);
		assert_ok!(Reg::<Test>::set_cooperative_members(
			Origin::signed(charlie()),
			1,
			vec![Member { account: charlie(), share: Perbill::one() }]
		));
		assert_eq!(free(&cooperative) - coop_before, 5 * TFT);
		let dave_owed = Reg::<Test>::cooperative_earnings_of(1, &dave());
		assert_eq!(dave_owed, Perbill::from_parts(333_333_333).mul_floor(5 * TFT));
		// Another half hour, then the admin takes the farm out: that half hour is the
		// cooperative's (now Charlie's alone), not Bob's.
		run_to_block(1 + 900);
		let bob_before = free(&bob());
		assert_ok!(Reg::<Test>::leave_cooperative(Origin::signed(charlie()), 1));
		assert_eq!(free(&bob()), bob_before);
		assert_eq!(Reg::<Test>::cooperative_earnings_of(1, &dave()), dave_owed);
		let charlie_owed = Reg::<Test>::cooperative_earnings_of(1, &charlie());
		let third = Perbill::from_parts(333_333_333).mul_floor(5 * TFT);
		let bobs = Perbill::from_parts(333_333_334).mul_floor(5 * TFT);
		// Charlie's third of the first half hour, and all of the second with the remainder
		// of the first sharing (2 units).
		assert_eq!(charlie_owed, third + 5 * TFT + (5 * TFT - 2 * third - bobs));
		// From now on Bob's again.
		run_to_block(1 + 1_200);
		assert_eq!(pay_bob(), 5 * TFT);
	});
}

#[test]
fn a_payee_change_waits_while_earnings_are_not_exact() {
	run(|| {
		use pallet_registry::Pallet as Reg;
		cooperative_of_three();
		assert_ok!(Reg::<Test>::request_cooperative_membership(Origin::signed(bob()), 1, 1));
		CheckCursor::<Test>::put(0);
		assert_noop!(
			Reg::<Test>::approve_cooperative_membership(Origin::signed(charlie()), 1, 1),
			Error::<Test>::ChecksBehind
		);
		CheckCursor::<Test>::put(2);
	});
}

#[test]
fn a_payment_a_new_account_cannot_receive_is_kept_and_claimable() {
	run(|| {
		use pallet_registry::Pallet as Reg;
		// A farm owned by an account with no balance, whose prices earn it 10 units an hour.
		let newcomer = AccountId::new([7; 32]);
		assert_ok!(Reg::<Test>::register_twin(Origin::signed(newcomer.clone())));
		assert_ok!(Reg::<Test>::create_farm(
			Origin::signed(newcomer.clone()),
			BoundedVec::try_from(b"new-farm".to_vec()).unwrap(),
			PricingPolicy { sru_per_gib_hour: 1, ..farm_pricing() },
			operator(),
		));
		assert_ok!(Reg::<Test>::accept_farm_operator(Origin::signed(operator()), 2));
		MinimumCostPerHour::set(1);
		assert_ok!(Reg::<Test>::register_node(
			Origin::signed(newcomer.clone()),
			2,
			gridchain_primitives::grid::Resources { sru: 1024 * GIB, ..Default::default() },
			BoundedVec::try_from(b"http://127.0.0.1:8081".to_vec()).unwrap(),
			node_pair().public().0,
		));
		let workloads = vec![volume("vol", 10)];
		let signature = sign(&alice(), 1, &workloads, SignatureStyle::Raw);
		assert_ok!(SmartContract::create_node_contract(
			Origin::signed(alice()),
			2,
			workloads,
			text("deployment-meta"),
			text("deployment-desc"),
			DeploymentSignature { signature, style: SignatureStyle::Raw },
			TFT,
		));
		let id = NextContractId::<Test>::get() - 1;
		deploy(id);
		run_to_block(1 + 600);
		assert_ok!(SmartContract::pay_farm(Origin::signed(alice()), 2));
		// 10 units, below the existential deposit of a new account.
		assert_eq!(free(&newcomer), 0);
		assert_eq!(UnclaimedEarnings::<Test>::get(&newcomer), 10);
		assert!(events().contains(&Event::PaymentKeptForPayee {
			farm_id: 2,
			payee: newcomer.clone(),
			amount: 10
		}));
		assert_noop!(
			SmartContract::claim_earnings(Origin::signed(charlie())),
			Error::<Test>::NothingToClaim
		);
		// Still too little for a new account: the claim fails and keeps the amount.
		assert!(SmartContract::claim_earnings(Origin::signed(newcomer.clone())).is_err());
		assert_eq!(UnclaimedEarnings::<Test>::get(&newcomer), 10);
		// Once the account exists it can claim.
		assert_ok!(Balances::transfer_keep_alive(Origin::signed(dave()), newcomer.clone(), TFT));
		assert_ok!(SmartContract::claim_earnings(Origin::signed(newcomer.clone())));
		assert_eq!(free(&newcomer), TFT + 10);
		assert_eq!(UnclaimedEarnings::<Test>::get(&newcomer), 0);
		assert!(events().contains(&Event::EarningsClaimed { payee: newcomer, amount: 10 }));
		MinimumCostPerHour::set(MIN_COST_PER_HOUR);
	});
}

// ---- out of funds: grace (paused), top-up, debt ----

/// An agreement of 10 TFT/hour with 20 TFT deployed at block 1: runs out at block 1202.
const RUNS_OUT: u64 = 1 + 1200 + 1;

#[test]
fn the_depletion_index_starts_grace_and_pauses_the_workloads_when_the_escrow_runs_out() {
	run(|| {
		let id = create_volume(20 * TFT);
		deploy(id);
		assert_eq!(Contracts::<Test>::get(id).unwrap().next_check.unwrap().at, RUNS_OUT);
		run_to_block(RUNS_OUT - 1);
		assert_eq!(state(id), ContractState::Deployed);
		run_to_block(RUNS_OUT);
		assert_eq!(state(id), ContractState::GracePeriod { ends_at: RUNS_OUT + GRACE_PERIOD });
		assert_eq!(escrow_of(id), 0);
		assert!(SmartContract::escrow_view(id).unwrap().debt > 0);
		// Grace is not free service: the workloads are paused on ZOS.
		assert_eq!(PendingActions::<Test>::get(1, id), Some(PendingAction::Pause));
		// The farm got exactly the escrow.
		assert_eq!(pay_bob(), 20 * TFT);
		// Only the pending action can be reported.
		assert_noop!(
			SmartContract::report_deployment(
				Origin::signed(operator()),
				id,
				DeploymentOutcome::Resumed
			),
			Error::<Test>::InvalidStateTransition
		);
		report(id, DeploymentOutcome::Paused);
		assert_eq!(PendingActions::<Test>::get(1, id), None);
		assert!(events().contains(&Event::WorkloadsPaused { contract_id: id }));
		assert_noop!(
			SmartContract::report_deployment(
				Origin::signed(operator()),
				id,
				DeploymentOutcome::Paused
			),
			Error::<Test>::InvalidStateTransition
		);
	});
}

#[test]
fn a_top_up_in_grace_must_pay_the_debt_and_an_hour_and_then_resumes_the_workloads() {
	run(|| {
		let id = create_volume(20 * TFT);
		deploy(id);
		run_to_block(RUNS_OUT + 10);
		report(id, DeploymentOutcome::Paused);
		let debt = SmartContract::escrow_view(id).unwrap().debt;
		// 11 blocks of grace at 10 TFT/hour, rounded up.
		assert_eq!(debt, (10 * TFT * 11).div_ceil(600));
		// Not enough: refused, nothing changes.
		assert_noop!(
			SmartContract::top_up(Origin::signed(alice()), id, debt + 10 * TFT - 1),
			Error::<Test>::TopUpDoesNotCoverDebt
		);
		let bob_paid = pay_bob();
		assert_eq!(bob_paid, 20 * TFT);
		assert_ok!(SmartContract::top_up(Origin::signed(alice()), id, 50 * TFT));
		assert_eq!(state(id), ContractState::Deployed);
		assert!(events().iter().any(|e| matches!(e,
			Event::ContractRestored { contract_id, .. } if *contract_id == id)));
		assert_eq!(PendingActions::<Test>::get(1, id), Some(PendingAction::Resume));
		// The debt went to the farm; the rest is escrow.
		assert!(pay_bob() >= debt - 1);
		assert_eq!(escrow_of(id) + debt, 50 * TFT);
		report(id, DeploymentOutcome::Resumed);
		assert!(events().contains(&Event::WorkloadsResumed { contract_id: id }));
		// Still billed, and checked again when the new escrow runs out.
		run_to_block(RUNS_OUT + 10 + 600);
		assert_eq!(state(id), ContractState::Deployed);
	});
}

#[test]
fn grace_without_top_up_ends_in_a_debt_the_twin_must_pay_before_new_agreements() {
	run(|| {
		let id = create_volume(20 * TFT);
		deploy(id);
		run_to_block(RUNS_OUT + GRACE_PERIOD);
		assert_eq!(state(id), ContractState::Cancelled { cause: CancelCause::OutOfFunds });
		let unpaid = events().into_iter().find_map(|event| match event {
			Event::ContractCancelled { contract_id, cause, refunded, unpaid_debt }
				if contract_id == id =>
			{
				assert_eq!((cause, refunded), (CancelCause::OutOfFunds, 0));
				Some(unpaid_debt)
			},
			_ => None,
		});
		let unpaid = unpaid.expect("cancelled event");
		// The debt of the grace period: its blocks at 10 TFT/hour, plus the part of the block
		// the escrow did not cover, rounded up.
		assert!(unpaid >= (10 * TFT * GRACE_PERIOD as u128) / 600, "{unpaid}");
		assert_eq!(TwinDebts::<Test>::get(1, 1), unpaid);
		assert_eq!(SmartContract::escrow_view(id).unwrap().debt, 0);
		// The farm got exactly the escrow so far.
		assert_eq!(pay_bob(), 20 * TFT);
		assert_noop!(
			SmartContract::top_up(Origin::signed(alice()), id, TFT),
			Error::<Test>::ContractEnded
		);
		// Alice cannot make a new agreement until she pays.
		assert_noop!(create_changed(|_| {}), Error::<Test>::TwinHasDebt);
		assert_noop!(SmartContract::pay_debt(Origin::signed(alice()), 2), Error::<Test>::NoDebt);
		assert_noop!(SmartContract::pay_debt(Origin::signed(charlie()), 1), Error::<Test>::NoTwin);
		assert_ok!(SmartContract::pay_debt(Origin::signed(alice()), 1));
		assert!(events().contains(&Event::DebtPaid { twin_id: 1, farm_id: 1, amount: unpaid }));
		assert_eq!(pay_bob(), unpaid);
		assert_ok!(create_changed(|_| {}));
	});
}

#[test]
fn cancelling_in_grace_records_the_debt_too() {
	run(|| {
		let id = create_volume(20 * TFT);
		deploy(id);
		run_to_block(RUNS_OUT + 30);
		assert_ok!(SmartContract::cancel_contract(Origin::signed(alice()), id));
		assert_eq!(TwinDebts::<Test>::get(1, 1), (10 * TFT * 31).div_ceil(600));
		assert_eq!(TwinDebtCount::<Test>::get(1), 1);
		assert_eq!(PendingActions::<Test>::get(1, id), Some(PendingAction::Delete));
	});
}

#[test]
fn the_bridge_funds_an_agreement_with_newly_minted_tft() {
	use gridchain_primitives::grid::AgreementFunding;
	// Not `run`: bridged funds are new issuance, counted here.
	new_test_ext().execute_with(|| {
		let id = create_volume(20 * TFT);
		let issuance = Balances::total_issuance();
		let owner_before = Balances::free_balance(alice());
		assert_ok!(<SmartContract as AgreementFunding<Balance>>::fund(id, 5 * TFT));
		assert_eq!(escrow_of(id), 25 * TFT);
		assert_eq!(Balances::total_issuance(), issuance + 5 * TFT);
		assert_eq!(Balances::free_balance(alice()), owner_before, "the owner pays nothing");
		assert_noop!(
			<SmartContract as AgreementFunding<Balance>>::fund(9, TFT),
			Error::<Test>::ContractNotFound
		);
		assert_noop!(
			<SmartContract as AgreementFunding<Balance>>::fund(id, 0),
			Error::<Test>::ZeroAmount
		);
		assert_ok!(SmartContract::cancel_contract(Origin::signed(alice()), id));
		assert!(<SmartContract as AgreementFunding<Balance>>::fund(id, TFT).is_err());
		assert_eq!(Balances::total_issuance(), issuance + 5 * TFT);
		check_invariants();
	});
}

#[test]
fn top_up_errors() {
	run(|| {
		let id = create_volume(20 * TFT);
		assert_noop!(
			SmartContract::top_up(Origin::signed(bob()), id, TFT),
			Error::<Test>::NotContractOwner
		);
		assert_noop!(
			SmartContract::top_up(Origin::signed(alice()), 9, TFT),
			Error::<Test>::ContractNotFound
		);
		assert_noop!(
			SmartContract::top_up(Origin::signed(alice()), id, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			SmartContract::top_up(Origin::signed(alice()), id, ENDOWMENT),
			Error::<Test>::InsufficientFunds
		);
		assert_noop!(
			SmartContract::top_up(Origin::signed(alice()), id, Balance::MAX),
			Error::<Test>::PriceOverflow
		);
		assert_ok!(SmartContract::top_up(Origin::signed(alice()), id, 5 * TFT));
		assert_eq!(escrow_of(id), 25 * TFT);
		assert!(events().contains(&Event::ContractToppedUp {
			contract_id: id,
			amount: 5 * TFT,
			escrow: 25 * TFT
		}));
	});
}

#[test]
fn cancel_before_deployment_refunds_everything() {
	run(|| {
		let id = create_volume(100 * TFT);
		run_to_block(30);
		assert_ok!(SmartContract::cancel_contract(Origin::signed(alice()), id));
		assert_eq!(owned(&alice()), ENDOWMENT);
		assert_eq!(state(id), ContractState::Cancelled { cause: CancelCause::ByUser });
		assert!(events().contains(&Event::ContractCancelled {
			contract_id: id,
			cause: CancelCause::ByUser,
			refunded: 100 * TFT,
			unpaid_debt: 0
		}));
	});
}

#[test]
fn cancel_after_deployment_pays_what_is_due_and_refunds_the_rest_to_the_unit() {
	run(|| {
		let id = create_volume(100 * TFT);
		deploy(id);
		run_to_block(1 + 450); // three quarters of an hour: 7.5 TFT
		assert_ok!(SmartContract::cancel_contract(Origin::signed(alice()), id));
		assert_eq!(owned(&alice()), ENDOWMENT - 75 * TFT / 10);
		assert_eq!(pay_bob(), 75 * TFT / 10);
		// Nothing more accrues after cancellation.
		run_to_block(5000);
		assert_eq!(pay_bob(), 0);
		assert_noop!(
			SmartContract::cancel_contract(Origin::signed(alice()), id),
			Error::<Test>::ContractEnded
		);
	});
}

#[test]
fn cancel_errors() {
	run(|| {
		let id = create_volume(100 * TFT);
		assert_noop!(
			SmartContract::cancel_contract(Origin::signed(bob()), id),
			Error::<Test>::NotContractOwner
		);
		assert_noop!(
			SmartContract::cancel_contract(Origin::signed(alice()), 9),
			Error::<Test>::ContractNotFound
		);
	});
}

#[test]
fn the_quote_is_the_hourly_cost_at_current_prices() {
	run(|| {
		assert_eq!(
			SmartContract::quote_cost_per_hour(1, vec![WorkloadKind::Volume { size: 10 * GIB }]),
			Ok(10 * TFT)
		);
		assert_eq!(
			SmartContract::quote_cost_per_hour(1, vec![WorkloadKind::Volume { size: 2048 * GIB }]),
			Err(Error::<Test>::InsufficientCapacity.into())
		);
		assert_eq!(
			SmartContract::quote_cost_per_hour(7, vec![WorkloadKind::Volume { size: GIB }]),
			Err(Error::<Test>::NodeNotFound.into())
		);
		assert_eq!(
			SmartContract::quote_cost_per_hour(1, vec![]),
			Err(Error::<Test>::NoWorkloads.into())
		);
	});
}

#[test]
fn the_challenge_api_gives_what_create_verifies() {
	run(|| {
		let workloads = vec![volume("vol", 10)];
		let arguments: Vec<WorkloadArgument> = workloads
			.iter()
			.map(|w| WorkloadArgument {
				name: w.name.to_vec(),
				kind: w.kind,
				metadata: w.metadata.to_vec(),
				description: w.description.to_vec(),
			})
			.collect();
		for style in [SignatureStyle::Raw, SignatureStyle::PolkaWallet] {
			let view = SmartContract::deployment_challenge(
				1,
				arguments.clone(),
				b"deployment-meta".to_vec(),
				b"deployment-desc".to_vec(),
				style,
			)
			.unwrap();
			let hash = SmartContract::deployment_hash(
				1,
				&workloads,
				b"deployment-meta",
				b"deployment-desc",
				style,
			)
			.unwrap();
			assert_eq!(view.challenge_hash, hash.to_hex());
			assert_eq!(view.raw_message, zos_client::signed_message(&hash, style.into()));
			// Signing the message the API gave makes an agreement.
			let signature = keyring_of(&alice()).pair().sign(&view.raw_message).0;
			assert_ok!(create_as_alice(
				workloads.clone(),
				DeploymentSignature { signature, style },
				100 * TFT
			));
		}
		let mut bad = arguments.clone();
		bad[0].name = b"no spaces".to_vec();
		assert_eq!(
			SmartContract::deployment_challenge(1, bad, vec![], vec![], SignatureStyle::Raw),
			Err(Error::<Test>::InvalidWorkloadName.into())
		);
	});
}

// ---- scale ----

/// Fills the chain with `live` deployed agreements of farm 1 whose escrow runs out far in the
/// future, listed in the depletion index as real ones would be, then runs the hooks of a block
/// in which none runs out and pays the farm. Returns the weight the hooks report, and checks
/// the payout is exactly every agreement's cost.
fn work_with_live_agreements(live: u64) -> frame_support::weights::Weight {
	use frame_support::traits::Hooks;
	let mut ext = new_test_ext();
	let rate = ext.execute_with(|| {
		let template = {
			let id = create_volume(1_000 * TFT);
			deploy(id);
			let mut contract = Contracts::<Test>::get(id).unwrap();
			SmartContract::unschedule(id, &mut contract);
			contract
		};
		let terms = ContractTerms::<Test>::get(1).unwrap();
		for id in 1..=live {
			// Checks from block 1_000_000 on, spread as the index spreads them.
			let mut contract = template.clone();
			SmartContract::list_at(id, &mut contract, 1_000_000 + id / 64);
			Contracts::<Test>::insert(id, contract);
			ContractTerms::<Test>::insert(id, terms.clone());
		}
		// The farm's rate is the sum of all of them, and their escrow is in the pallet account.
		FarmLedgers::<Test>::mutate(1, |ledger| ledger.rate = template.rate * live as u128);
		assert_ok!(Balances::mint_into(&SmartContract::account_id(), live as u128 * 1_000 * TFT));
		template.rate
	});
	ext.commit_all().unwrap();
	ext.execute_with(|| {
		let block = 5_000; // nothing runs out here
		System::set_block_number(block);
		CheckCursor::<Test>::put(block);
		let weight = SmartContract::on_initialize(block);
		let unit = SmartContract::fine_units_per_unit();
		assert_eq!(pay_bob(), rate * live as u128 * (block as u128 - 1) / unit);
		weight
	})
}

#[test]
fn block_and_payout_work_do_not_grow_with_the_number_of_live_agreements() {
	let few = work_with_live_agreements(10);
	let many = work_with_live_agreements(100_000);
	println!("hook weight with 10 live agreements: {few:?}");
	println!("hook weight with 100,000 live agreements: {many:?}");
	assert!(few.ref_time() > 0, "the hooks report no work: are the weights benchmarked?");
	assert_eq!(few, many);
}

// ---- the farm's pending actions and what ZOS nodes ask the chain ----

#[test]
fn each_agreement_leaves_its_farm_exactly_the_work_its_state_needs() {
	run(|| {
		let action = |id| PendingActions::<Test>::get(1, id);
		let deployed = create_volume(100 * TFT);
		assert_eq!(action(deployed), Some(PendingAction::Deploy));
		deploy(deployed);
		assert_eq!(action(deployed), None);
		assert_ok!(SmartContract::cancel_contract(Origin::signed(alice()), deployed));
		assert_eq!(action(deployed), Some(PendingAction::Delete));
		report(deployed, DeploymentOutcome::Deleted);
		assert_eq!(action(deployed), None);

		let failed = create_volume(100 * TFT);
		report(failed, DeploymentOutcome::Failed(text("no")));
		assert_eq!(action(failed), None);

		// Cancelled before the worker got to it: the deploy becomes a delete.
		let early = create_volume(100 * TFT);
		assert_ok!(SmartContract::cancel_contract(Origin::signed(alice()), early));
		assert_eq!(action(early), Some(PendingAction::Delete));

		// Out of funds: a pause, then (no top-up) a delete, without any transaction.
		let starved = create_volume(20 * TFT);
		deploy(starved);
		run_to_block(RUNS_OUT);
		assert_eq!(action(starved), Some(PendingAction::Pause));
		run_to_block(RUNS_OUT + GRACE_PERIOD);
		assert_eq!(state(starved), ContractState::Cancelled { cause: CancelCause::OutOfFunds });
		assert_eq!(action(starved), Some(PendingAction::Delete));
		// A rejected report changes nothing.
		assert_noop!(
			SmartContract::report_deployment(
				Origin::signed(alice()),
				starved,
				DeploymentOutcome::Deleted
			),
			Error::<Test>::NotFarmOperator
		);
		assert_eq!(PendingActions::<Test>::iter_prefix(1).count(), 2);
	});
}

#[test]
fn a_node_holds_no_more_than_max_agreements_per_node() {
	run(|| {
		use frame_support::traits::Get;
		let limit = <Test as pallet_registry::Config>::MaxAgreementsPerNode::get();
		for i in 0..limit {
			create_with(vec![volume(&format!("v{i}"), 1)], 10 * TFT);
		}
		let workloads = vec![volume("one_more", 1)];
		let signature = sign(&alice(), 1, &workloads, SignatureStyle::Raw);
		assert_noop!(
			create_as_alice(
				workloads,
				DeploymentSignature { signature, style: SignatureStyle::Raw },
				10 * TFT
			),
			Error::<Test>::NodeAgreementLimitReached
		);
	});
}

#[test]
fn the_deployment_sent_to_zos_is_signed_by_the_twin_and_carries_the_agreed_hash() {
	run(|| {
		use sp_core::Pair;
		for style in [SignatureStyle::Raw, SignatureStyle::PolkaWallet] {
			let workloads = vec![volume("vol", 10)];
			let signature = sign(&alice(), 1, &workloads, style);
			assert_ok!(create_as_alice(
				workloads,
				DeploymentSignature { signature, style },
				100 * TFT
			));
			let id = NextContractId::<Test>::get() - 1;
			let terms = ContractTerms::<Test>::get(id).unwrap();
			let deployment = SmartContract::zos_deployment_of(id, 1, &terms).unwrap();
			assert_eq!(deployment.contract_id, id);
			let hash = deployment.challenge_hash();
			assert_eq!(hash.to_hex(), terms.deployment_hash);
			let sent = &deployment.signature_requirement.signatures[0];
			assert_eq!(
				(sent.twin_id, sent.signature_type),
				(1, zos_client::SignatureType::Sr25519)
			);
			let bytes: [u8; 64] = hex::decode(&sent.signature).unwrap().try_into().unwrap();
			assert!(sp_core::sr25519::Pair::verify(
				&sp_core::sr25519::Signature::from_raw(bytes),
				zos_client::signed_message(&hash, style.into()),
				&keyring_of(&alice()).public(),
			));
		}
	});
}

#[test]
fn zos_nodes_read_the_agreement_and_the_twin_key_from_the_chain() {
	run(|| {
		use zos_client::chain::AgreementStatus;
		let id = create_volume(100 * TFT);
		let view = SmartContract::agreement_view(id).unwrap();
		assert_eq!((view.contract_id, view.node_id, view.twin_id), (id, 1, 1));
		assert_eq!(view.twin_key, <[u8; 32]>::from(alice()));
		assert_eq!(view.deployment_hash, ContractTerms::<Test>::get(id).unwrap().deployment_hash);
		assert_eq!(view.status, AgreementStatus::Created);
		deploy(id);
		assert_eq!(SmartContract::agreement_view(id).unwrap().status, AgreementStatus::Deployed);
		assert_ok!(SmartContract::cancel_contract(Origin::signed(alice()), id));
		assert_eq!(SmartContract::agreement_view(id).unwrap().status, AgreementStatus::Cancelled);
		assert_eq!(SmartContract::agreement_view(99), None);
		assert_eq!(SmartContract::twin_key(1), Some(<[u8; 32]>::from(alice())));
		assert_eq!(SmartContract::twin_key(99), None);
	});
}

#[test]
fn an_agreement_is_charged_for_the_text_it_carries() {
	run(|| {
		// volume() has 7 bytes of metadata and 8 of description.
		let workloads = vec![volume("a", 1), volume("b", 1)];
		assert_eq!(SmartContract::text_length(&workloads, b"meta", b"desc!"), 4 + 5 + 2 * (7 + 8));
		use frame_support::dispatch::GetDispatchInfo;
		let weight_with = |metadata: &str| {
			let signature = DeploymentSignature { signature: [0; 64], style: SignatureStyle::Raw };
			Call::<Test>::create_node_contract {
				node_id: 1,
				workloads: workloads.clone(),
				metadata: text(metadata),
				description: text(""),
				signature,
				deposit: TFT,
			}
			.get_dispatch_info()
			.call_weight
		};
		// The test runtime's weights are the reference machine's (`()`): more text, more weight.
		assert!(weight_with("0123456789").ref_time() > weight_with("").ref_time());
	});
}

#[test]
fn a_suspended_node_takes_no_new_agreement_and_its_live_ones_keep_running() {
	run(|| {
		let live = create_volume(100 * TFT);
		assert_ok!(SmartContract::report_deployment(
			Origin::signed(operator()),
			live,
			DeploymentOutcome::Deployed
		));
		use pallet_registry::Pallet as Reg;
		assert_ok!(Reg::<Test>::set_node_suspended(Origin::root(), 1, true));
		assert_noop!(
			SmartContract::quote_cost_per_hour(1, vec![WorkloadKind::Volume { size: GIB }]),
			Error::<Test>::NodeSuspended
		);
		assert_noop!(create_changed(|_| {}), Error::<Test>::NodeSuspended);
		run_to_block(System::block_number() + 600);
		assert_ok!(SmartContract::settle(Origin::signed(bob()), live));
		assert_eq!(Contracts::<Test>::get(live).unwrap().state, ContractState::Deployed);
		assert_ok!(Reg::<Test>::set_node_suspended(Origin::root(), 1, false));
		create_volume(100 * TFT);
	});
}
