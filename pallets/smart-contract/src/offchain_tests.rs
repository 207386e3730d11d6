//! The off-chain worker against scripted ZOS replies: the HTTP requests it must make (byte for
//! byte, once their operator signature is checked and taken off) and the reports it submits.
//! The end-to-end tests run it against zos-sim.

use crate::{mock::*, offchain::*, *};
use codec::Decode;
use frame_support::{assert_ok, traits::Hooks};
use sp_core::{
	offchain::{
		self as offchain_api,
		testing::{self, OffchainState, PendingRequest, PoolState},
		HttpError, HttpRequestId, HttpRequestStatus, OffchainDbExt, OffchainWorkerExt, Timestamp,
		TransactionPoolExt,
	},
	Pair,
};
use std::{collections::BTreeMap, sync::Arc};
use zos_client::{
	commands::{self, Parties},
	error::code,
	rmb::{Envelope, Signer},
	ResultState, WorkloadResult,
};

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

/// The worker's HTTP as a ZOS node receives it: every request must be an envelope signed by
/// the farm operator's key (or the test fails); the signature is checked and taken off before
/// the request is matched, byte for byte, with the scripted ones.
struct SignedRequests {
	scripted: testing::TestOffchainExt,
	operator: [u8; 32],
	bodies: BTreeMap<HttpRequestId, Vec<u8>>,
}

impl offchain_api::Externalities for SignedRequests {
	fn is_validator(&self) -> bool {
		self.scripted.is_validator()
	}
	fn network_state(&self) -> Result<offchain_api::OpaqueNetworkState, ()> {
		self.scripted.network_state()
	}
	fn timestamp(&mut self) -> Timestamp {
		self.scripted.timestamp()
	}
	fn sleep_until(&mut self, deadline: Timestamp) {
		self.scripted.sleep_until(deadline)
	}
	fn random_seed(&mut self) -> [u8; 32] {
		self.scripted.random_seed()
	}
	fn http_request_start(
		&mut self,
		method: &str,
		uri: &str,
		meta: &[u8],
	) -> Result<HttpRequestId, ()> {
		self.scripted.http_request_start(method, uri, meta)
	}
	fn http_request_add_header(
		&mut self,
		request_id: HttpRequestId,
		name: &str,
		value: &str,
	) -> Result<(), ()> {
		self.scripted.http_request_add_header(request_id, name, value)
	}
	fn http_request_write_body(
		&mut self,
		request_id: HttpRequestId,
		chunk: &[u8],
		deadline: Option<Timestamp>,
	) -> Result<(), HttpError> {
		if !chunk.is_empty() {
			self.bodies.entry(request_id).or_default().extend_from_slice(chunk);
			return Ok(());
		}
		let body = self.bodies.remove(&request_id).unwrap_or_default();
		let mut envelope = Envelope::from_bytes(&body).expect("the worker sends envelopes");
		envelope.verify(&self.operator).expect("signed with the operator's key");
		envelope.sig = None;
		self.scripted.http_request_write_body(request_id, &envelope.to_bytes(), deadline)?;
		self.scripted.http_request_write_body(request_id, &[], deadline)
	}
	fn http_response_wait(
		&mut self,
		ids: &[HttpRequestId],
		deadline: Option<Timestamp>,
	) -> Vec<HttpRequestStatus> {
		self.scripted.http_response_wait(ids, deadline)
	}
	fn http_response_headers(&mut self, request_id: HttpRequestId) -> Vec<(Vec<u8>, Vec<u8>)> {
		self.scripted.http_response_headers(request_id)
	}
	fn http_response_read_body(
		&mut self,
		request_id: HttpRequestId,
		buffer: &mut [u8],
		deadline: Option<Timestamp>,
	) -> Result<usize, HttpError> {
		self.scripted.http_response_read_body(request_id, buffer, deadline)
	}
	fn set_authorized_nodes(&mut self, nodes: Vec<sp_core::OpaquePeerId>, authorized_only: bool) {
		self.scripted.set_authorized_nodes(nodes, authorized_only)
	}
}

/// The parties of the requests the worker makes to a node of the farm owned by `farm_twin`,
/// for building the scripted (unsigned) requests: the signature is taken off before matching.
fn parties(farm_twin: u32) -> Parties<Unsigned> {
	Parties {
		signer: Unsigned,
		source_twin: farm_twin,
		node_twin: 0,
		node_key: node_pair().public().0,
	}
}

/// Builds a request as the worker does, less its signature.
struct Unsigned;

impl Signer for Unsigned {
	fn sign(&self, _: &[u8; 32]) -> Option<[u8; zos_client::rmb::SIGNATURE_LENGTH]> {
		Some([0; zos_client::rmb::SIGNATURE_LENGTH])
	}
}

/// The bytes of `request` as the node reads them once the signature is off.
fn unsigned_envelope<R: serde::de::DeserializeOwned>(
	request: &commands::Request<R>,
	farm_twin: u32,
	now: u64,
	sequence: u64,
) -> (Envelope, Vec<u8>) {
	let (_, body) = request.envelope(&parties(farm_twin), now, sequence).unwrap();
	let mut envelope = Envelope::from_bytes(&body).unwrap();
	envelope.sig = None;
	let body = envelope.to_bytes();
	(envelope, body)
}

/// A chain with the operator's key (Ferdie's, under `zos!`) in the keystore, and scripted HTTP.
fn with_worker(test: impl FnOnce(&mut Worker)) {
	let mut ext = new_test_ext();
	let (offchain, http) = testing::TestOffchainExt::new();
	let (pool, pool_state) = testing::TestTransactionPoolExt::new();
	let signed = SignedRequests {
		scripted: offchain.clone(),
		operator: operator().into(),
		bodies: BTreeMap::new(),
	};
	ext.register_extension(OffchainDbExt::new(offchain));
	ext.register_extension(OffchainWorkerExt::new(signed));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.execute_with(|| {
		sp_io::crypto::sr25519_generate(ZOS_KEY_TYPE, Some(b"//Ferdie".to_vec()));
		test(&mut Worker { http, pool: pool_state, sequence: 0 });
		SmartContract::do_try_state(System::block_number()).expect("invariants hold");
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

	/// Expects the worker to send `request` and answers with the body `reply` or an error,
	/// signed by the node.
	fn expect<R: serde::de::DeserializeOwned>(
		&mut self,
		request: &commands::Request<R>,
		reply: Result<serde_json::Value, (u32, &str)>,
	) {
		self.expect_from(ENDPOINT, FARM_TWIN, request, reply, &node_pair());
	}

	/// Expects the worker to send `request` as `farm_twin` to the node at `endpoint`, and
	/// answers with `reply` signed by `node_key`.
	fn expect_from<R: serde::de::DeserializeOwned>(
		&mut self,
		endpoint: &str,
		farm_twin: u32,
		request: &commands::Request<R>,
		reply: Result<serde_json::Value, (u32, &str)>,
		node_key: &sp_core::ed25519::Pair,
	) {
		self.sequence += 1;
		let now = self.now_secs();
		let (envelope, body) = unsigned_envelope(request, farm_twin, now, self.sequence);
		let answer = match reply {
			Ok(value) => envelope.reply_ok(0, now, &serde_json::to_vec(&value).unwrap()),
			Err((code, message)) => envelope.reply_err(0, now, code, message.into()),
		};
		self.http.write().expect_request(PendingRequest {
			method: "POST".into(),
			uri: endpoint.into(),
			headers: vec![("Content-Type".into(), "application/json".into())],
			body,
			response: Some(answer.sign(node_key).unwrap().to_bytes()),
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
		let deployment = deployment_of(id);
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

/// The deployment of agreement `id` as the worker sends it.
fn deployment_of(id: ContractId) -> zos_client::Deployment {
	let terms = ContractTerms::<Test>::get(id).unwrap();
	SmartContract::zos_deployment_of(id, 1, &terms).unwrap()
}

/// The deployment of agreement `id` as the node reports it, its workloads in `state`.
fn on_node(id: ContractId, state: ResultState, message: &str) -> serde_json::Value {
	let mut deployment = deployment_of(id);
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
		// Refused, and the node makes sure it does not have it.
		worker.expect(&commands::get(refused), Err((code::NOT_FOUND, "deployment not found")));
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
fn a_reply_not_signed_by_the_nodes_key_is_not_believed() {
	with_worker(|worker| {
		let id = create_volume(100 * TFT);
		let impostor = sp_core::ed25519::Pair::from_string("//Impostor", None).unwrap();
		// Someone else answers for the node: "deployed", or "not there" (which would make the
		// worker deploy and maybe report a failure). Neither is believed: asked again later.
		worker.at(2);
		let deployed = Ok(on_node(id, ResultState::Ok, ""));
		worker.expect_from(ENDPOINT, FARM_TWIN, &commands::get(id), deployed.clone(), &impostor);
		worker.run();
		worker.at(3);
		let absent = Err((code::NOT_FOUND, "deployment not found"));
		worker.expect_from(ENDPOINT, FARM_TWIN, &commands::get(id), absent, &impostor);
		worker.run();
		assert!(worker.reports().is_empty());
		assert_eq!(progress_of(id, PendingAction::Deploy).unreachable_attempts, 2);
		// The farmer registers the node's new key: from then on that key is the node's.
		assert_ok!(pallet_registry::Pallet::<Test>::set_node_key(
			RuntimeOrigin::signed(bob()),
			1,
			impostor.public().0
		));
		worker.at(5);
		worker.expect_from(ENDPOINT, FARM_TWIN, &commands::get(id), deployed, &node_pair());
		worker.run();
		assert!(worker.reports().is_empty(), "the old key is not believed any more");
		worker.at(9);
		let deployed = Ok(on_node(id, ResultState::Ok, ""));
		worker.expect_from(ENDPOINT, FARM_TWIN, &commands::get(id), deployed, &impostor);
		worker.run();
		assert_eq!(worker.reports(), vec![(id, DeploymentOutcome::Deployed)]);
	});
}

#[test]
fn a_deployment_of_another_agreement_is_no_answer() {
	with_worker(|worker| {
		let other = create_volume(100 * TFT);
		let id = create_volume(100 * TFT);
		apply(other, DeploymentOutcome::Deployed);
		// Asked about `id`, the node (with its own key) answers with `other`'s running
		// deployment: not taken as `id` deployed.
		worker.at(2);
		worker.expect(&commands::get(id), Ok(on_node(other, ResultState::Ok, "")));
		worker.run();
		assert!(worker.reports().is_empty());
		assert_eq!(progress_of(id, PendingAction::Deploy).unreachable_attempts, 1);
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

fn progress_of(id: ContractId, action: PendingAction) -> ActionProgress {
	sp_runtime::offchain::storage::StorageValueRef::persistent(&progress_key(id, action))
		.get::<ActionProgress>()
		.unwrap()
		.unwrap_or_default()
}

#[test]
fn a_busy_node_is_retried_with_back_off_and_a_deployment_is_never_failed_for_it() {
	with_worker(|worker| {
		let id = create_volume(100 * TFT);
		let progress = || progress_of(id, PendingAction::Deploy);
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
		// However long it lasts, the worker keeps asking, at most every MAX_BACKOFF_BLOCKS: the
		// chain, not the worker, gives up on an agreement never deployed.
		sp_runtime::offchain::storage::StorageValueRef::persistent(&progress_key(
			id,
			PendingAction::Deploy,
		))
		.set(&ActionProgress { unreachable_attempts: 1_000, not_before: 5 });
		worker.at(5);
		worker.expect(&commands::get(id), busy);
		worker.run();
		assert!(worker.reports().is_empty());
		assert_eq!(progress().not_before, 5 + MAX_BACKOFF_BLOCKS);
	});
}

#[test]
fn a_deploy_that_timed_out_is_asked_about_again_never_reported_failed() {
	with_worker(|worker| {
		let id = create_volume(100 * TFT);
		worker.at(2);
		// The node does not answer the deploy in time: it may have it.
		worker.expect_new_deployment(id, Err((code::UNAVAILABLE, "timed out")));
		worker.run();
		assert!(worker.reports().is_empty());
		// It did: the next attempt finds it running.
		worker.at(3);
		worker.expect(&commands::get(id), Ok(on_node(id, ResultState::Ok, "")));
		worker.run();
		assert_eq!(worker.reports(), vec![(id, DeploymentOutcome::Deployed)]);
	});
}

#[test]
fn a_refused_deploy_the_node_has_anyway_is_not_failed() {
	with_worker(|worker| {
		let id = create_volume(100 * TFT);
		worker.at(2);
		worker.expect_new_deployment(id, Err((code::REFUSED, "busy provisioning")));
		// The node says no, yet has it (and runs part of it): not a failure.
		let mut partly = deployment_of(id);
		partly.workloads[0].result =
			WorkloadResult { state: ResultState::Init, ..Default::default() };
		worker.expect(&commands::get(id), Ok(serde_json::to_value(partly).unwrap()));
		worker.run();
		assert!(worker.reports().is_empty());
	});
}

#[test]
fn a_deployment_with_some_workloads_running_is_never_reported_failed() {
	with_worker(|worker| {
		let workloads = vec![volume("good", 1), volume("bad", 1)];
		let id = create_with(workloads, 100 * TFT);
		let mut deployment = deployment_of(id);
		deployment.workloads[0].result =
			WorkloadResult { state: ResultState::Ok, ..Default::default() };
		deployment.workloads[1].result = WorkloadResult {
			state: ResultState::Error,
			message: "disk broke".into(),
			..Default::default()
		};
		worker.at(2);
		worker.expect(&commands::get(id), Ok(serde_json::to_value(deployment).unwrap()));
		worker.run();
		// One workload runs: no refund, no release of capacity. The agreement waits and the
		// chain cancels it after its deployment timeout, and then it is deleted.
		assert!(worker.reports().is_empty());
		assert_eq!(progress_of(id, PendingAction::Deploy).unreachable_attempts, 1);
	});
}

#[test]
fn a_paused_or_resumed_agreement_is_paused_or_resumed_on_its_node() {
	with_worker(|worker| {
		let id = create_volume(20 * TFT);
		apply(id, DeploymentOutcome::Deployed);
		run_to_block(1 + 1200 + 1);
		assert_eq!(PendingActions::<Test>::get(1, id), Some(PendingAction::Pause));
		worker.at(System::block_number());
		worker.expect(&commands::pause(id), Ok(serde_json::Value::Null));
		worker.run();
		assert_eq!(worker.reports(), vec![(id, DeploymentOutcome::Paused)]);
		apply(id, DeploymentOutcome::Paused);
		assert_ok!(SmartContract::top_up(RuntimeOrigin::signed(alice()), id, 50 * TFT));
		assert_eq!(PendingActions::<Test>::get(1, id), Some(PendingAction::Resume));
		// The node does not see the chain's change yet: asked again after a back-off.
		worker.at(System::block_number() + 1);
		worker.expect(&commands::resume(id), Err((code::REFUSED, "not deployed on chain")));
		worker.run();
		assert_eq!(worker.reports().len(), 1);
		worker.at(System::block_number() + 1);
		worker.expect(&commands::resume(id), Ok(serde_json::Value::Null));
		worker.run();
		assert_eq!(worker.reports()[1], (id, DeploymentOutcome::Resumed));
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
fn one_run_does_at_most_max_actions_per_farm_per_run() {
	with_worker(|worker| {
		let ids: Vec<_> =
			(0..MAX_ACTIONS_PER_FARM_PER_RUN + 4).map(|_| create_volume(100 * TFT)).collect();
		// Storage order is the order of the worker's walk through the farm's actions.
		let mut pending: Vec<_> =
			PendingActions::<Test>::iter_prefix(1).map(|(id, _)| id).collect();
		assert_eq!(pending.len(), ids.len());
		pending.truncate(MAX_ACTIONS_PER_FARM_PER_RUN);
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
		for _ in 0..MAX_ACTIONS_PER_FARM_PER_RUN + 4 {
			create_volume(100 * TFT);
		}
		let pending: Vec<_> = PendingActions::<Test>::iter_prefix(1).map(|(id, _)| id).collect();
		// The first ones in the walk wait for an unreachable node.
		let (waiting, ready) = pending.split_at(MAX_ACTIONS_PER_FARM_PER_RUN);
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

#[test]
fn one_farms_stuck_actions_do_not_starve_another_farm() {
	with_worker(|worker| {
		use pallet_registry::Pallet as Reg;
		// Ferdie also serves Dave's farm 2 with node 2.
		assert_ok!(Reg::<Test>::register_twin(RuntimeOrigin::signed(charlie())));
		assert_ok!(Reg::<Test>::register_twin(RuntimeOrigin::signed(dave())));
		assert_ok!(Reg::<Test>::create_farm(
			RuntimeOrigin::signed(dave()),
			frame_support::BoundedVec::try_from(b"daves-farm".to_vec()).unwrap(),
			farm_pricing(),
			operator(),
		));
		assert_ok!(Reg::<Test>::accept_farm_operator(RuntimeOrigin::signed(operator()), 2));
		assert_ok!(Reg::<Test>::register_node(
			RuntimeOrigin::signed(dave()),
			2,
			gridchain_primitives::grid::Resources {
				sru: 1024 * gridchain_primitives::grid::GIB,
				..Default::default()
			},
			frame_support::BoundedVec::try_from(b"http://127.0.0.1:8081".to_vec()).unwrap(),
			node_pair().public().0,
		));
		// Farm 1 has more stuck actions (still initialising on its node) than a run's budget.
		let stuck: Vec<_> =
			(0..MAX_ACTIONS_PER_FARM_PER_RUN + 2).map(|_| create_volume(100 * TFT)).collect();
		let workloads = vec![volume("vol", 1)];
		let signature = sign(&alice(), 1, &workloads, SignatureStyle::Raw);
		assert_ok!(SmartContract::create_node_contract(
			RuntimeOrigin::signed(alice()),
			2,
			workloads,
			text("deployment-meta"),
			text("deployment-desc"),
			DeploymentSignature { signature, style: SignatureStyle::Raw },
			100 * TFT,
		));
		let other = NextContractId::<Test>::get() - 1;
		worker.at(2);
		let walk: Vec<_> = PendingActions::<Test>::iter_prefix(1).map(|(id, _)| id).collect();
		for id in walk.iter().take(MAX_ACTIONS_PER_FARM_PER_RUN) {
			worker.next_action();
			worker.expect(&commands::get(*id), Ok(on_node(*id, ResultState::Init, "")));
		}
		worker.next_action();
		worker.expect_from(
			"http://127.0.0.1:8081",
			FARM_TWIN + 2,
			&commands::get(other),
			Ok(on_node(other, ResultState::Ok, "")),
			&node_pair(),
		);
		worker.run();
		assert_eq!(worker.reports(), vec![(other, DeploymentOutcome::Deployed)]);
		// The waiting ones back off like failing ones: not asked again next block.
		assert_eq!(stuck.len(), MAX_ACTIONS_PER_FARM_PER_RUN + 2);
		for id in walk.iter().take(MAX_ACTIONS_PER_FARM_PER_RUN) {
			assert_eq!(progress_of(*id, PendingAction::Deploy).not_before, 3);
		}
	});
}

fn metrics() -> WorkerMetrics {
	sp_runtime::offchain::storage::StorageValueRef::persistent(METRICS_KEY)
		.get::<WorkerMetrics>()
		.unwrap()
		.unwrap_or_default()
}

#[test]
fn every_run_counts_what_it_did_for_the_nodes_metrics() {
	with_worker(|worker| {
		let deployed = create_volume(100 * TFT);
		let busy = create_volume(100 * TFT);
		let walk: Vec<_> = PendingActions::<Test>::iter_prefix(1).map(|(id, _)| id).collect();
		worker.at(2);
		for id in &walk {
			worker.next_action();
			if *id == deployed {
				worker.expect(&commands::get(*id), Ok(on_node(*id, ResultState::Ok, "")));
			} else {
				worker.expect(&commands::get(*id), Err((code::UNAVAILABLE, "busy")));
			}
		}
		worker.run();
		assert_eq!(
			metrics(),
			WorkerMetrics {
				runs: 1,
				attempts: 2,
				failed_attempts: 1,
				backed_off: 0,
				reports_sent: 1,
				reports_rejected: 0,
				pending_by_farm: vec![(1, 2)],
			}
		);
		// Next block: the busy one is tried again (and fails again); the reported one waits for
		// its report (locked).
		worker.at(3);
		worker.expect(&commands::get(busy), Err((code::UNAVAILABLE, "busy")));
		worker.run();
		// The block after, the busy one backs off (two blocks now).
		worker.run_at(4);
		let after = metrics();
		assert_eq!(
			(after.runs, after.attempts, after.failed_attempts, after.backed_off),
			(3, 3, 2, 1)
		);
	});
}
