//! The off-chain worker against scripted ZOS replies: the HTTP requests it must make (byte for
//! byte) and the reports it submits. The end-to-end tests run it against zos-sim.

use crate::{mock::*, offchain::*, *};
use codec::Decode;
use frame_support::{assert_ok, traits::Hooks};
use sp_core::offchain::{
	testing::{self, OffchainState, PendingRequest, PoolState},
	OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
};
use std::sync::Arc;
use zos_client::{commands, error::code, rmb::Envelope, ResultState, WorkloadResult};

type Shared<T> = Arc<parking_lot::RwLock<T>>;

const ENDPOINT: &str = "http://127.0.0.1:8080";
/// The twin the worker sends as: the farm owner's (Bob, twin 2).
const FARM_TWIN: u32 = 2;

struct Worker {
	http: Shared<OffchainState>,
	pool: Shared<PoolState>,
	/// Requests made by the current action's client, for their references.
	sequence: u64,
}

/// A chain with the operator's key (Ferdie's, under `zos!`) in the keystore, and scripted HTTP.
fn with_worker(test: impl FnOnce(&mut Worker)) {
	let mut ext = new_test_ext();
	let (offchain, http) = testing::TestOffchainExt::new();
	let (pool, pool_state) = testing::TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.execute_with(|| {
		sp_io::crypto::sr25519_generate(ZOS_KEY_TYPE, Some(b"//Ferdie".to_vec()));
		test(&mut Worker { http, pool: pool_state, sequence: 0 });
		SmartContract::do_try_state().expect("invariants hold");
	});
}

impl Worker {
	/// Moves to block `block` (at `block` × 6 s); expectations set next are for its run.
	fn at(&mut self, block: u64) {
		self.sequence = 0;
		System::set_block_number(block);
		self.http.write().timestamp = sp_core::offchain::Timestamp::from_unix_millis(block * 6_000);
	}

	/// Runs the worker after the current block.
	fn run(&mut self) {
		SmartContract::offchain_worker(System::block_number());
	}

	/// Moves to `block` and runs the worker there.
	fn run_at(&mut self, block: u64) {
		self.at(block);
		self.run();
	}

	fn now_secs(&self) -> u64 {
		self.http.read().timestamp.unix_millis() / 1000
	}

	/// The worker will make a new action's requests: references start again.
	fn next_action(&mut self) {
		self.sequence = 0;
	}

	/// Expects the worker to send `request` and answers with the body `reply` or an error.
	fn expect<R: serde::de::DeserializeOwned>(
		&mut self,
		request: &commands::Request<R>,
		reply: Result<serde_json::Value, (u32, &str)>,
	) {
		self.sequence += 1;
		let now = self.now_secs();
		let (_, body) = request.envelope(FARM_TWIN, 0, now, self.sequence);
		let envelope = Envelope::from_bytes(&body).unwrap();
		let answer = match reply {
			Ok(value) => envelope.reply_ok(0, now, &serde_json::to_vec(&value).unwrap()),
			Err((code, message)) => envelope.reply_err(0, now, code, message.into()),
		};
		self.http.write().expect_request(PendingRequest {
			method: "POST".into(),
			uri: ENDPOINT.into(),
			headers: vec![("Content-Type".into(), "application/json".into())],
			body,
			response: Some(answer.to_bytes()),
			sent: true,
			..Default::default()
		});
	}

	/// Expects the worker to find that the node lacks agreement `id`'s deployment and to send
	/// it, answered with `reply`.
	fn expect_new_deployment(
		&mut self,
		id: ContractId,
		reply: Result<serde_json::Value, (u32, &str)>,
	) {
		let contract = Contracts::<Test>::get(id).unwrap();
		let deployment = SmartContract::zos_deployment_of(id, &contract).unwrap();
		self.expect(&commands::get(id), Err((code::NOT_FOUND, "deployment not found")));
		self.expect(&commands::deploy(&deployment), reply);
	}

	/// The reports submitted so far, in order.
	fn reports(&self) -> Vec<(ContractId, DeploymentOutcome<FailureReasonOf<Test>>)> {
		self.pool
			.read()
			.transactions
			.iter()
			.map(|bytes| {
				let extrinsic = Extrinsic::decode(&mut &bytes[..]).expect("an extrinsic");
				match extrinsic.function {
					RuntimeCall::SmartContract(Call::report_deployment {
						contract_id,
						outcome,
					}) => (contract_id, outcome),
					other => panic!("unexpected transaction {other:?}"),
				}
			})
			.collect()
	}
}

/// The deployment of agreement `id` as the node reports it, its workloads in `state`.
fn on_node(id: ContractId, state: ResultState, message: &str) -> serde_json::Value {
	let contract = Contracts::<Test>::get(id).unwrap();
	let mut deployment = SmartContract::zos_deployment_of(id, &contract).unwrap();
	for workload in &mut deployment.workloads {
		workload.result = WorkloadResult { state, message: message.into(), ..Default::default() };
	}
	serde_json::to_value(deployment).unwrap()
}

fn apply(id: ContractId, outcome: DeploymentOutcome<FailureReasonOf<Test>>) {
	assert_ok!(SmartContract::report_deployment(RuntimeOrigin::signed(operator()), id, outcome));
}

#[test]
fn a_new_agreement_is_deployed_on_its_node_and_reported_deployed() {
	with_worker(|worker| {
		let id = create_volume(100 * TFT);
		worker.at(2);
		worker.expect_new_deployment(id, Ok(serde_json::Value::Null));
		worker.expect(&commands::get(id), Ok(on_node(id, ResultState::Ok, "")));
		worker.run();
		assert_eq!(worker.reports(), vec![(id, DeploymentOutcome::Deployed)]);
		// The report, applied, ends the action.
		apply(id, DeploymentOutcome::Deployed);
		assert_eq!(PendingActions::<Test>::get(1, id), None);
	});
}

#[test]
fn a_deployment_the_node_has_already_is_reported_not_deployed_again() {
	with_worker(|worker| {
		let id = create_volume(100 * TFT);
		worker.at(2);
		worker.expect(&commands::get(id), Ok(on_node(id, ResultState::Ok, "")));
		worker.run();
		assert_eq!(worker.reports(), vec![(id, DeploymentOutcome::Deployed)]);
	});
}

#[test]
fn a_refused_or_failed_deployment_is_reported_failed_with_the_nodes_message() {
	with_worker(|worker| {
		let refused = create_volume(100 * TFT);
		let failed = create_volume(100 * TFT);
		worker.at(2);
		worker.expect_new_deployment(
			refused,
			Err((code::REFUSED, "not enough capacity: 10737418240 bytes of SSD wanted, 0 free")),
		);
		worker.next_action();
		worker
			.expect(&commands::get(failed), Ok(on_node(failed, ResultState::Error, "disk broke")));
		worker.run();
		assert_eq!(
			worker.reports(),
			vec![
				(
					refused,
					DeploymentOutcome::Failed(text(
						"not enough capacity: 10737418240 bytes of SSD wanted, 0 free"
					))
				),
				(failed, DeploymentOutcome::Failed(text("vol: disk broke"))),
			]
		);
	});
}

#[test]
fn a_deployment_still_initialising_is_looked_at_again_next_block() {
	with_worker(|worker| {
		let id = create_volume(100 * TFT);
		worker.at(2);
		worker.expect(&commands::get(id), Ok(on_node(id, ResultState::Init, "")));
		worker.run();
		assert!(worker.reports().is_empty());
		worker.at(3);
		worker.expect(&commands::get(id), Ok(on_node(id, ResultState::Ok, "")));
		worker.run();
		assert_eq!(worker.reports(), vec![(id, DeploymentOutcome::Deployed)]);
	});
}

#[test]
fn a_busy_node_is_retried_with_back_off_and_a_deployment_fails_after_the_limit() {
	with_worker(|worker| {
		let id = create_volume(100 * TFT);
		let progress = || {
			sp_runtime::offchain::storage::StorageValueRef::persistent(&progress_key(
				id,
				PendingAction::Deploy,
			))
			.get::<ActionProgress>()
			.unwrap()
			.unwrap_or_default()
		};
		let busy = Err((code::UNAVAILABLE, "cannot reach the chain"));
		worker.at(2);
		worker.expect(&commands::get(id), busy.clone());
		worker.run();
		assert_eq!(progress(), ActionProgress { unreachable_attempts: 1, not_before: 3 });
		worker.at(3);
		worker.expect(&commands::get(id), busy.clone());
		worker.run();
		assert_eq!(progress(), ActionProgress { unreachable_attempts: 2, not_before: 5 });
		// Block 4 is within the back-off: no request (an unexpected one would fail the test).
		worker.run_at(4);
		assert!(worker.reports().is_empty());

		// The last allowed attempt fails too: the deployment is reported failed.
		sp_runtime::offchain::storage::StorageValueRef::persistent(&progress_key(
			id,
			PendingAction::Deploy,
		))
		.set(&ActionProgress {
			unreachable_attempts: UNREACHABLE_ATTEMPTS_LIMIT - 1,
			not_before: 5,
		});
		worker.at(5);
		worker.expect(&commands::get(id), busy);
		worker.run();
		let reports = worker.reports();
		assert_eq!(reports.len(), 1);
		let DeploymentOutcome::Failed(reason) = &reports[0].1 else { panic!("{reports:?}") };
		assert!(
			reason.starts_with(b"ZOS node unreachable after 20 attempts"),
			"{}",
			String::from_utf8_lossy(reason)
		);
		assert_eq!(progress(), ActionProgress::default());
	});
}

#[test]
fn a_cancelled_agreement_is_deleted_on_its_node_and_reported_deleted() {
	with_worker(|worker| {
		let deployed = create_volume(100 * TFT);
		apply(deployed, DeploymentOutcome::Deployed);
		let never_deployed = create_volume(100 * TFT);
		assert_ok!(SmartContract::cancel_contract(RuntimeOrigin::signed(alice()), deployed));
		assert_ok!(SmartContract::cancel_contract(RuntimeOrigin::signed(alice()), never_deployed));
		worker.at(2);
		worker.expect(&commands::delete(deployed), Ok(serde_json::Value::Null));
		worker.next_action();
		worker.expect(
			&commands::delete(never_deployed),
			Err((code::NOT_FOUND, "deployment not found")),
		);
		worker.run();
		assert_eq!(
			worker.reports(),
			vec![
				(deployed, DeploymentOutcome::Deleted),
				(never_deployed, DeploymentOutcome::Deleted)
			]
		);
		apply(deployed, DeploymentOutcome::Deleted);
		assert!(Contracts::<Test>::get(deployed).is_none());
	});
}

#[test]
fn a_report_in_flight_is_not_sent_again_until_it_had_time_to_land() {
	with_worker(|worker| {
		let id = create_volume(100 * TFT);
		worker.at(2);
		worker.expect(&commands::get(id), Ok(on_node(id, ResultState::Ok, "")));
		worker.run();
		// The report is not applied yet; the next runs leave the action alone.
		for block in 3..=(2 + u64::from(REPORT_WAIT_BLOCKS)) {
			worker.run_at(block);
		}
		assert_eq!(worker.reports().len(), 1);
		// Still pending once the wait is over: the report was lost, so the action is redone.
		worker.at(3 + u64::from(REPORT_WAIT_BLOCKS));
		worker.expect(&commands::get(id), Ok(on_node(id, ResultState::Ok, "")));
		worker.run();
		assert_eq!(worker.reports().len(), 2);
	});
}

#[test]
fn without_the_operator_key_nothing_is_done() {
	let mut ext = new_test_ext();
	let (offchain, http) = testing::TestOffchainExt::new();
	let (pool, pool_state) = testing::TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.execute_with(|| {
		// Another farm's operator key: not this farm's.
		sp_io::crypto::sr25519_generate(ZOS_KEY_TYPE, Some(b"//Eve".to_vec()));
		create_volume(100 * TFT);
		SmartContract::offchain_worker(2);
		assert!(http.read().requests.is_empty());
		assert!(pool_state.read().transactions.is_empty());
	});
}

#[test]
fn one_run_does_at_most_max_actions_per_run() {
	with_worker(|worker| {
		let ids: Vec<_> = (0..MAX_ACTIONS_PER_RUN + 4).map(|_| create_volume(100 * TFT)).collect();
		// Storage order is the order of the worker's walk through the farm's actions.
		let mut pending: Vec<_> =
			PendingActions::<Test>::iter_prefix(1).map(|(id, _)| id).collect();
		assert_eq!(pending.len(), ids.len());
		pending.truncate(MAX_ACTIONS_PER_RUN);
		worker.at(2);
		for id in &pending {
			worker.next_action();
			worker.expect(&commands::get(*id), Ok(on_node(*id, ResultState::Ok, "")));
		}
		worker.run();
		let reported: Vec<_> = worker.reports().into_iter().map(|(id, _)| id).collect();
		assert_eq!(reported, pending);
	});
}

#[test]
fn a_deletion_right_after_the_deployment_report_does_not_wait_for_its_lock() {
	with_worker(|worker| {
		let id = create_volume(100 * TFT);
		worker.at(2);
		worker.expect(&commands::get(id), Ok(on_node(id, ResultState::Ok, "")));
		worker.run();
		apply(id, DeploymentOutcome::Deployed);
		assert_ok!(SmartContract::cancel_contract(RuntimeOrigin::signed(alice()), id));
		worker.at(3);
		worker.expect(&commands::delete(id), Ok(serde_json::Value::Null));
		worker.run();
		assert_eq!(
			worker.reports(),
			vec![(id, DeploymentOutcome::Deployed), (id, DeploymentOutcome::Deleted)]
		);
	});
}

#[test]
fn actions_backing_off_do_not_use_up_a_run() {
	with_worker(|worker| {
		for _ in 0..MAX_ACTIONS_PER_RUN + 4 {
			create_volume(100 * TFT);
		}
		let pending: Vec<_> = PendingActions::<Test>::iter_prefix(1).map(|(id, _)| id).collect();
		// The first ones in the walk wait for an unreachable node.
		let (waiting, ready) = pending.split_at(MAX_ACTIONS_PER_RUN);
		for id in waiting {
			sp_runtime::offchain::storage::StorageValueRef::persistent(&progress_key(
				*id,
				PendingAction::Deploy,
			))
			.set(&ActionProgress { unreachable_attempts: 3, not_before: 100 });
		}
		worker.at(2);
		for id in ready {
			worker.next_action();
			worker.expect(&commands::get(*id), Ok(on_node(*id, ResultState::Ok, "")));
		}
		worker.run();
		let reported: Vec<_> = worker.reports().into_iter().map(|(id, _)| id).collect();
		assert_eq!(reported, ready);
	});
}

#[test]
fn a_deployment_the_node_got_from_an_earlier_timed_out_attempt_is_not_failed() {
	with_worker(|worker| {
		let id = create_volume(100 * TFT);
		worker.at(2);
		// Not there when asked, there when deployed: the node finished an earlier deploy.
		worker.expect_new_deployment(id, Err((code::CONFLICT, "deployment exists")));
		worker.expect(&commands::get(id), Ok(on_node(id, ResultState::Ok, "")));
		worker.run();
		assert_eq!(worker.reports(), vec![(id, DeploymentOutcome::Deployed)]);
	});
}
