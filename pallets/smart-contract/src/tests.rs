//! Unit tests: every call, every error, every transition, and the money invariants. Every test
//! ends by checking the pallet's invariants and that billing did not change total issuance.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use pallet_registry::{Member, Nodes, PricingPolicy, GIB};
use sp_runtime::{DispatchError, Perbill};

type Origin = RuntimeOrigin;

/// Runs `test` in a fresh chain, then checks the invariants and the total issuance.
fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		let issuance = Balances::total_issuance();
		test();
		SmartContract::do_try_state().expect("invariants hold");
		pallet_registry::Pallet::<Test>::do_try_state().expect("registry invariants hold");
		assert_eq!(Balances::total_issuance(), issuance, "billing changed the total issuance");
	});
}

fn events() -> Vec<Event<Test>> {
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

fn held(account: &AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::AgreementEscrow.into(), account)
}

fn deploy(contract_id: ContractId) {
	assert_ok!(SmartContract::report_deployment(
		Origin::signed(operator()),
		contract_id,
		DeploymentOutcome::Deployed
	));
}

fn state(contract_id: ContractId) -> ContractState<Test> {
	Contracts::<Test>::get(contract_id).expect("contract exists").state
}

// ---- create_node_contract ----

#[test]
fn create_stores_the_agreement_with_the_zos_challenge_hash() {
	run(|| {
		let id = create_volume(100 * TFT);
		let contract = Contracts::<Test>::get(id).unwrap();
		assert_eq!(contract.state, ContractState::Created);
		assert_eq!(contract.twin_id, 1);
		assert_eq!(contract.escrow, 100 * TFT);
		assert_eq!(contract.resources.sru, 10 * GIB);
		assert_eq!(held(&alice()), 100 * TFT);
		assert_eq!(free(&alice()), ENDOWMENT - 100 * TFT);
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
		assert_eq!(contract.deployment_hash, deployment.challenge_hash().to_hex());
		assert!(events().contains(&Event::ContractCreated {
			contract_id: id,
			twin_id: 1,
			node_id: 1,
			deployment_hash: contract.deployment_hash,
			deposit: 100 * TFT,
			cost_per_hour: 10 * TFT,
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
		assert_eq!(held(&alice()), 0);
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

// ---- report_deployment ----

#[test]
fn only_the_farm_operator_reports() {
	run(|| {
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
	});
}

#[test]
fn deployment_starts_billing_at_its_block() {
	run(|| {
		let id = create_volume(100 * TFT);
		run_to_block(50);
		// Created: nothing is billed however long it waits.
		assert_ok!(SmartContract::settle(Origin::signed(charlie()), id));
		assert_eq!(Contracts::<Test>::get(id).unwrap().escrow, 100 * TFT);
		deploy(id);
		assert_eq!(state(id), ContractState::Deployed);
		assert_eq!(Contracts::<Test>::get(id).unwrap().billing_since, Some(50));
		assert!(events().contains(&Event::ContractDeployed { contract_id: id }));
		assert_noop!(
			SmartContract::report_deployment(
				Origin::signed(operator()),
				id,
				DeploymentOutcome::Deployed
			),
			Error::<Test>::InvalidStateTransition
		);
		assert_noop!(
			SmartContract::report_deployment(
				Origin::signed(operator()),
				id,
				DeploymentOutcome::Deleted
			),
			Error::<Test>::InvalidStateTransition
		);
	});
}

#[test]
fn a_failed_deployment_refunds_everything_and_releases_capacity() {
	run(|| {
		let id = create_volume(100 * TFT);
		run_to_block(20);
		let reason: FailureReasonOf<Test> = text("volume: no space left on device");
		assert_ok!(SmartContract::report_deployment(
			Origin::signed(operator()),
			id,
			DeploymentOutcome::Failed(reason.clone())
		));
		assert!(Contracts::<Test>::get(id).is_none());
		assert_eq!(free(&alice()), ENDOWMENT);
		assert_eq!(held(&alice()), 0);
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
fn deletion_is_accepted_only_after_cancellation_and_releases_capacity() {
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
		// Capacity stays reserved until ZOS confirms the removal.
		assert_eq!(Nodes::<Test>::get(1).unwrap().reserved.sru, 10 * GIB);
		assert_noop!(
			SmartContract::report_deployment(
				Origin::signed(operator()),
				id,
				DeploymentOutcome::Failed(text("late"))
			),
			Error::<Test>::InvalidStateTransition
		);
		assert_ok!(SmartContract::report_deployment(
			Origin::signed(operator()),
			id,
			DeploymentOutcome::Deleted
		));
		assert!(Contracts::<Test>::get(id).is_none());
		assert_eq!(Nodes::<Test>::get(1).unwrap().reserved.sru, 0);
		assert!(events().contains(&Event::ContractDeleted { contract_id: id }));
	});
}

#[test]
fn a_deployment_is_refused_while_the_index_around_its_check_is_full() {
	run(|| {
		MaxChecksPerBlock::set(1);
		let id = create_volume(20 * TFT);
		// Its escrow runs out at block 1202: fill every block the index may use instead.
		for at in (1202 - 16)..=(1202 + 16) {
			Checks::<Test>::insert(at, BoundedVec::try_from(vec![999]).unwrap());
		}
		assert_noop!(
			SmartContract::report_deployment(
				Origin::signed(operator()),
				id,
				DeploymentOutcome::Deployed
			),
			Error::<Test>::ChecksFull
		);
		// A free slot a few blocks early is used instead: the check then only comes early.
		Checks::<Test>::remove(1199);
		deploy(id);
		assert_eq!(Contracts::<Test>::get(id).unwrap().next_check, Some(1199));
		for at in (1202 - 16)..=(1202 + 16) {
			Checks::<Test>::mutate_exists(at, |ids| {
				if ids.as_ref().is_some_and(|ids| ids.as_slice() == [999]) {
					*ids = None;
				}
			});
		}
		MaxChecksPerBlock::set(32);
	});
}

#[test]
fn an_early_check_reschedules_to_the_real_depletion_block() {
	run(|| {
		let id = create_volume(20 * TFT);
		deploy(id);
		// Move the check earlier, as a full index entry would.
		let mut contract = Contracts::<Test>::get(id).unwrap();
		SmartContract::unschedule(id, &mut contract);
		contract.next_check = Some(600);
		Checks::<Test>::insert(600, BoundedVec::try_from(vec![id]).unwrap());
		Contracts::<Test>::insert(id, contract);
		run_to_block(600);
		assert_eq!(state(id), ContractState::Deployed);
		assert_eq!(Contracts::<Test>::get(id).unwrap().next_check, Some(1202));
		run_to_block(1202);
		assert!(matches!(state(id), ContractState::GracePeriod { .. }));
	});
}

// ---- billing ----

#[test]
fn the_farm_is_paid_exactly_the_rate_for_the_blocks_deployed() {
	run(|| {
		let id = create_volume(100 * TFT);
		deploy(id); // at block 1
		let bob_before = free(&bob());
		run_to_block(1 + 600); // one hour: 10 TFT
		assert_ok!(SmartContract::settle(Origin::signed(charlie()), id));
		assert_eq!(free(&bob()) - bob_before, 10 * TFT);
		assert_eq!(Contracts::<Test>::get(id).unwrap().escrow, 90 * TFT);
		assert_eq!(held(&alice()), 90 * TFT);
		assert!(events().contains(&Event::FarmPaid {
			contract_id: id,
			farm_id: 1,
			amount: 10 * TFT
		}));
	});
}

#[test]
fn settle_is_open_to_anyone_and_checks_the_contract() {
	run(|| {
		assert_noop!(
			SmartContract::settle(Origin::signed(charlie()), 5),
			Error::<Test>::ContractNotFound
		);
		assert_noop!(SmartContract::settle(Origin::none(), 5), DispatchError::BadOrigin);
	});
}

#[test]
fn rounding_over_a_million_blocks_loses_and_creates_nothing() {
	run(|| {
		// 7 bytes of SSD and one odd-priced core: a rate that never divides evenly.
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
		let deposit = 5_000 * TFT;
		let id = create_with(workloads, deposit);
		deploy(id);
		let rate = Contracts::<Test>::get(id).unwrap().rate;
		let bob_before = free(&bob());
		// Settle at irregular intervals for a million blocks.
		let mut block = 1u64;
		let mut step = 1u64;
		while block < 1_000_001 {
			block = (block + step).min(1_000_001);
			step = step % 997 + 13;
			System::set_block_number(block);
			assert_ok!(SmartContract::settle(Origin::signed(charlie()), id));
		}
		let paid = free(&bob()) - bob_before;
		// Exactly the cost of the whole period, computed in one step.
		assert_eq!(paid, rate.cost_of(1_000_000));
		assert_eq!(paid + Contracts::<Test>::get(id).unwrap().escrow, deposit);
	});
}

/// What the farm was paid for an agreement, from its events.
fn farm_paid_for(id: ContractId) -> Balance {
	events()
		.into_iter()
		.filter_map(|event| match event {
			Event::FarmPaid { contract_id, amount, .. } if contract_id == id => Some(amount),
			_ => None,
		})
		.sum()
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
		let bob_before = free(&bob());
		run_to_block(1 + 600);
		assert_ok!(SmartContract::settle(Origin::signed(charlie()), old));
		assert_ok!(SmartContract::settle(Origin::signed(charlie()), new));
		assert_eq!(farm_paid_for(old), 10 * TFT);
		assert_eq!(farm_paid_for(new), 50 * TFT);
		assert_eq!(free(&bob()) - bob_before, 60 * TFT);
	});
}

#[test]
fn a_cooperative_farm_pays_the_cooperative_whose_members_draw_by_share() {
	run(|| {
		use pallet_registry::Pallet as Reg;
		// Three members with shares that do not divide 10 TFT evenly.
		assert_ok!(Reg::<Test>::create_cooperative(
			Origin::signed(charlie()),
			BoundedVec::try_from(b"coop".to_vec()).unwrap(),
			vec![
				Member { account: charlie(), share: Perbill::from_parts(333_333_333) },
				Member { account: dave(), share: Perbill::from_parts(333_333_333) },
				Member { account: bob(), share: Perbill::from_parts(333_333_334) },
			]
		));
		assert_ok!(Reg::<Test>::request_cooperative_membership(Origin::signed(bob()), 1, 1));
		assert_ok!(Reg::<Test>::approve_cooperative_membership(Origin::signed(charlie()), 1, 1));
		let cooperative = Reg::<Test>::cooperative_account(1);
		let id = create_volume(100 * TFT);
		deploy(id);
		let before = free(&cooperative);
		run_to_block(1 + 600);
		assert_ok!(SmartContract::settle(Origin::signed(alice()), id));
		// One payment, to the cooperative's account, whatever the number of members.
		assert_eq!(free(&cooperative) - before, 10 * TFT);
		assert!(events().contains(&Event::PayeePaid {
			contract_id: id,
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
		// The rounding remainder (under a unit per member) stays for the next sharing.
		assert_eq!(free(&cooperative) - before, 10 * TFT - 2 * third - rest);
		assert!(10 * TFT - 2 * third - rest < 3);
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
		assert_ok!(Reg::<Test>::register_node(
			Origin::signed(newcomer.clone()),
			2,
			pallet_registry::Resources { sru: 1024 * GIB, ..Default::default() },
			BoundedVec::try_from(b"http://127.0.0.1:8081".to_vec()).unwrap(),
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
		assert_ok!(SmartContract::settle(Origin::signed(alice()), id));
		// 10 units, below the existential deposit of a new account.
		assert_eq!(free(&newcomer), 0);
		assert_eq!(UnclaimedEarnings::<Test>::get(&newcomer), 10);
		assert!(events().contains(&Event::PaymentKeptForPayee {
			contract_id: id,
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
	});
}

// ---- out of funds: grace, top-up, cancellation ----

#[test]
fn the_depletion_index_starts_grace_when_the_escrow_runs_out() {
	run(|| {
		// 20 TFT at 10 TFT/hour: two hours, 1200 blocks.
		let id = create_volume(20 * TFT);
		deploy(id);
		let runs_out_at = 1 + 1200 + 1; // the first block whose cost exceeds the escrow
		assert_eq!(Contracts::<Test>::get(id).unwrap().next_check, Some(runs_out_at));
		run_to_block(runs_out_at - 1);
		assert_eq!(state(id), ContractState::Deployed);
		run_to_block(runs_out_at);
		assert_eq!(state(id), ContractState::GracePeriod { ends_at: runs_out_at + GRACE_PERIOD });
		let contract = Contracts::<Test>::get(id).unwrap();
		assert_eq!(contract.escrow, 0);
		assert!(contract.debt > 0);
		assert_eq!(held(&alice()), 0);
	});
}

#[test]
fn a_top_up_that_covers_the_debt_restores_the_agreement() {
	run(|| {
		let id = create_volume(20 * TFT);
		deploy(id);
		run_to_block(1202 + 10);
		assert!(matches!(state(id), ContractState::GracePeriod { .. }));
		let debt = Contracts::<Test>::get(id).unwrap().debt;
		// Not enough: still in grace.
		assert_ok!(SmartContract::top_up(Origin::signed(alice()), id, (debt / 2) as Balance));
		assert!(matches!(state(id), ContractState::GracePeriod { .. }));
		assert_ok!(SmartContract::top_up(Origin::signed(alice()), id, 50 * TFT));
		assert_eq!(state(id), ContractState::Deployed);
		assert!(events().contains(&Event::ContractRestored { contract_id: id }));
		assert_eq!(Contracts::<Test>::get(id).unwrap().debt, 0);
		// Still billed, and checked again when the new escrow runs out.
		run_to_block(1212 + 600);
		assert_eq!(state(id), ContractState::Deployed);
	});
}

#[test]
fn grace_without_top_up_ends_in_cancellation_for_lack_of_funds() {
	run(|| {
		let id = create_volume(20 * TFT);
		deploy(id);
		run_to_block(1202 + GRACE_PERIOD);
		assert_eq!(state(id), ContractState::Cancelled { cause: CancelCause::OutOfFunds });
		let cancelled = events().into_iter().find_map(|event| match event {
			Event::ContractCancelled { contract_id, cause, refunded, unpaid_debt }
				if contract_id == id =>
			{
				Some((cause, refunded, unpaid_debt))
			},
			_ => None,
		});
		let (cause, refunded, unpaid_debt) = cancelled.expect("cancelled event");
		assert_eq!(cause, CancelCause::OutOfFunds);
		assert_eq!(refunded, 0);
		assert!(unpaid_debt > 0);
		// The farm got exactly the escrow.
		assert_eq!(free(&bob()), ENDOWMENT + 20 * TFT);
		assert_noop!(
			SmartContract::top_up(Origin::signed(alice()), id, TFT),
			Error::<Test>::ContractEnded
		);
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
		assert_ok!(SmartContract::top_up(Origin::signed(alice()), id, 5 * TFT));
		assert_eq!(held(&alice()), 25 * TFT);
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
		run_to_block(300);
		assert_ok!(SmartContract::cancel_contract(Origin::signed(alice()), id));
		assert_eq!(free(&alice()), ENDOWMENT);
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
		assert_eq!(free(&bob()), ENDOWMENT + 75 * TFT / 10);
		assert_eq!(free(&alice()), ENDOWMENT - 75 * TFT / 10);
		assert_eq!(held(&alice()), 0);
		// Nothing more accrues after cancellation.
		run_to_block(5000);
		assert_eq!(free(&bob()), ENDOWMENT + 75 * TFT / 10);
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
fn the_sweep_pays_farms_without_any_transaction() {
	run(|| {
		let ids: Vec<_> =
			(0..15).map(|i| create_with(vec![volume(&format!("v{i}"), 1)], 100 * TFT)).collect();
		for id in &ids {
			deploy(*id);
		}
		let bob_before = free(&bob());
		// 15 agreements, 10 settled per block: within two blocks every one has been paid.
		run_to_block(601);
		run_to_block(603);
		let paid = free(&bob()) - bob_before;
		// Each paid for at least its first hour (1 TFT per GiB-hour).
		assert!(paid >= 15 * TFT, "paid only {paid}");
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

// ---- scale ----

/// Fills the chain with `live` deployed agreements whose escrow runs out far in the future,
/// spread over the depletion index as real ones would be, then runs the hooks of a block in
/// which none runs out. Returns the weight the hooks report and the wall time they took.
fn hook_work_with_live_agreements(
	live: u64,
) -> (frame_support::weights::Weight, std::time::Duration) {
	use frame_support::traits::Hooks;
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		let template = {
			let id = create_volume(1_000 * TFT);
			deploy(id);
			Contracts::<Test>::take(id).unwrap()
		};
		let _ = Checks::<Test>::clear(u32::MAX, None);
		let per_block = MaxChecksPerBlock::get() as u64;
		for id in 1..=live {
			// Checks from block 1_000_000 on, as full as the index allows.
			let at = 1_000_000 + id / per_block;
			let mut contract = template.clone();
			contract.next_check = Some(at);
			Contracts::<Test>::insert(id, contract);
			Checks::<Test>::mutate(at, |ids| ids.try_push(id).unwrap());
		}
		SweepCursor::<Test>::kill();
	});
	// Commit the agreements to the backend, as a real chain's state would be.
	ext.commit_all().unwrap();
	ext.execute_with(|| {
		let block = 5_000; // nothing runs out here; every agreement is due a sweep settlement
		System::set_block_number(block);
		let start = std::time::Instant::now();
		let weight = SmartContract::on_initialize(block);
		(weight, start.elapsed())
	})
}

#[test]
fn hook_work_does_not_grow_with_the_number_of_live_agreements() {
	let (few, few_time) = hook_work_with_live_agreements(10);
	let (many, many_time) = hook_work_with_live_agreements(100_000);
	println!("hook weight with 10 live agreements: {few:?}, took {few_time:?}");
	println!("hook weight with 100,000 live agreements: {many:?}, took {many_time:?}");
	assert!(few.ref_time() > 0, "the hooks report no work: are the weights benchmarked?");
	let within_10_percent = |a: u64, b: u64| a.abs_diff(b) * 10 <= a.max(b);
	assert!(within_10_percent(few.ref_time(), many.ref_time()), "{few:?} vs {many:?}");
	assert!(within_10_percent(few.proof_size(), many.proof_size()), "{few:?} vs {many:?}");
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
		assert_ok!(SmartContract::report_deployment(
			Origin::signed(operator()),
			deployed,
			DeploymentOutcome::Deleted
		));
		assert_eq!(action(deployed), None);

		let failed = create_volume(100 * TFT);
		assert_ok!(SmartContract::report_deployment(
			Origin::signed(operator()),
			failed,
			DeploymentOutcome::Failed(text("no"))
		));
		assert_eq!(action(failed), None);

		// Cancelled before the worker got to it: the deploy becomes a delete.
		let early = create_volume(100 * TFT);
		assert_ok!(SmartContract::cancel_contract(Origin::signed(alice()), early));
		assert_eq!(action(early), Some(PendingAction::Delete));

		// Cancelled by the chain for lack of funds: a delete too, without any transaction.
		let starved = create_volume(20 * TFT);
		deploy(starved);
		run_to_block(1202 + GRACE_PERIOD);
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
			let contract = Contracts::<Test>::get(id).unwrap();
			let deployment = SmartContract::zos_deployment_of(id, &contract).unwrap();
			assert_eq!(deployment.contract_id, id);
			let hash = deployment.challenge_hash();
			assert_eq!(hash.to_hex(), contract.deployment_hash);
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
		assert_eq!(view.deployment_hash, Contracts::<Test>::get(id).unwrap().deployment_hash);
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
