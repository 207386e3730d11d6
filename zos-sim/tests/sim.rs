//! The simulator over real HTTP with zos-client's std transport, against an in-memory chain
//! (the end-to-end tests in tests/e2e use the real chain).

use sp_core::{ed25519, sr25519, Pair};
use std::{
	collections::BTreeMap,
	net::SocketAddr,
	sync::{Arc, Mutex},
	time::Duration,
};
use zos_client::{
	chain::{AgreementStatus, AgreementView},
	commands::{self, Parties},
	error::code,
	http::HttpClient,
	rmb::Envelope,
	signed_message, Deployment, ResultState, Signature, SignatureRequest, SignatureRequirement,
	SignatureStyle, SignatureType, Workload, WorkloadData, ZosError,
};
use zos_sim::{
	chain::Chain,
	node::{NodeConfig, SimNode, INJECTED_FAILURE},
	server::{self, Faults, Identity, Sim, MAX_REQUEST_TTL_SECS},
};

const NODE_ID: u32 = 1;
const GIB: u64 = 1 << 30;

/// An in-memory chain that the test changes as it goes.
#[derive(Clone)]
struct FakeChain {
	agreements: Arc<Mutex<BTreeMap<u64, AgreementView>>>,
	keys: Arc<Mutex<BTreeMap<u32, [u8; 32]>>>,
	/// The operator of the node's farm.
	operator: Arc<Mutex<Option<[u8; 32]>>>,
}

impl Default for FakeChain {
	fn default() -> Self {
		FakeChain {
			agreements: Default::default(),
			keys: Default::default(),
			operator: Arc::new(Mutex::new(Some(operator().public().0))),
		}
	}
}

/// The farm's operator key: the sender of the requests.
fn operator() -> sr25519::Pair {
	sr25519::Pair::from_string("//Ferdie", None).unwrap()
}

/// The node's own key.
fn node_key() -> ed25519::Pair {
	ed25519::Pair::from_string("//Node1", None).unwrap()
}

/// Who the tests' clients talk to and as whom.
fn parties(signer: sr25519::Pair) -> Parties<sr25519::Pair> {
	Parties { signer, source_twin: 7, node_twin: 100, node_key: node_key().public().0 }
}

impl Chain for FakeChain {
	async fn agreement(&self, contract_id: u64) -> Result<Option<AgreementView>, String> {
		Ok(self.agreements.lock().unwrap().get(&contract_id).cloned())
	}

	async fn twin_key(&self, twin_id: u32) -> Result<Option<[u8; 32]>, String> {
		Ok(self.keys.lock().unwrap().get(&twin_id).copied())
	}

	async fn node_operator(&self, node_id: u32) -> Result<Option<[u8; 32]>, String> {
		Ok(if node_id == NODE_ID { *self.operator.lock().unwrap() } else { None })
	}
}

/// A twin's key: its type and its secret URI.
enum Key {
	Sr(&'static str),
	Ed(&'static str),
}

impl Key {
	fn public(&self) -> [u8; 32] {
		match self {
			Key::Sr(uri) => sr25519::Pair::from_string(uri, None).unwrap().public().0,
			Key::Ed(uri) => ed25519::Pair::from_string(uri, None).unwrap().public().0,
		}
	}

	fn sign(&self, message: &[u8]) -> (Vec<u8>, SignatureType) {
		match self {
			Key::Sr(uri) => {
				let pair = sr25519::Pair::from_string(uri, None).unwrap();
				(pair.sign(message).0.to_vec(), SignatureType::Sr25519)
			},
			Key::Ed(uri) => {
				let pair = ed25519::Pair::from_string(uri, None).unwrap();
				(pair.sign(message).0.to_vec(), SignatureType::Ed25519)
			},
		}
	}
}

/// A deployment of one volume by `twin`, signed with `key` in `style`.
fn signed_volume(
	twin: u32,
	contract_id: u64,
	size: u64,
	key: &Key,
	style: SignatureStyle,
) -> Deployment {
	let mut deployment = Deployment {
		version: 0,
		twin_id: twin,
		contract_id,
		metadata: "{\"type\":\"volume\"}".into(),
		description: "test volume".into(),
		expiration: 0,
		signature_requirement: SignatureRequirement {
			requests: vec![SignatureRequest { twin_id: twin, required: false, weight: 1 }],
			weight_required: 1,
			signatures: vec![],
			signature_style: style,
		},
		workloads: vec![Workload {
			version: 0,
			name: "data".into(),
			data: WorkloadData::Volume { size },
			metadata: String::new(),
			description: String::new(),
			result: Default::default(),
		}],
	};
	let message = signed_message(&deployment.challenge_hash(), style);
	let (signature, signature_type) = key.sign(&message);
	deployment.signature_requirement.signatures =
		vec![Signature { twin_id: twin, signature: hex::encode(signature), signature_type }];
	deployment
}

struct Harness {
	chain: FakeChain,
	client: HttpClient<sr25519::Pair>,
	address: SocketAddr,
	_state: tempfile::TempDir,
	state_file: std::path::PathBuf,
}

impl Harness {
	async fn start() -> Self {
		let state = tempfile::tempdir().unwrap();
		let state_file = state.path().join("state.json");
		let chain = FakeChain::default();
		let address = start_sim(chain.clone(), state_file.clone(), 10 * GIB).await;
		let client = client(address);
		Harness { chain, client, address, _state: state, state_file }
	}

	/// Records an agreement for `deployment` on chain, and its twin's key.
	fn agree(&self, deployment: &Deployment, key: &Key, node_id: u32) {
		self.chain.keys.lock().unwrap().insert(deployment.twin_id, key.public());
		self.chain.agreements.lock().unwrap().insert(
			deployment.contract_id,
			AgreementView {
				contract_id: deployment.contract_id,
				node_id,
				twin_id: deployment.twin_id,
				twin_key: key.public(),
				deployment_hash: deployment.challenge_hash().to_hex(),
				status: AgreementStatus::Created,
			},
		);
	}

	fn cancel(&self, contract_id: u64) {
		self.chain.agreements.lock().unwrap().get_mut(&contract_id).unwrap().status =
			AgreementStatus::Cancelled;
	}

	async fn faults(&self, body: serde_json::Value) {
		let response = reqwest::Client::new()
			.post(format!("http://{}/admin/faults", self.address))
			.json(&body)
			.send()
			.await
			.unwrap();
		assert!(response.status().is_success());
	}
}

fn client(address: SocketAddr) -> HttpClient<sr25519::Pair> {
	HttpClient::new(&format!("http://{address}/"), parties(operator()), Duration::from_secs(5))
}

async fn start_sim(chain: FakeChain, state_file: std::path::PathBuf, sru: u64) -> SocketAddr {
	let config =
		NodeConfig { node_id: NODE_ID, capacity: commands::Capacity { sru, ..Default::default() } };
	let node = SimNode::load(config, Some(state_file)).unwrap();
	let identity = Identity { node_id: NODE_ID, node_twin: 100, key: node_key() };
	let sim = Sim::new(node, chain, identity, Faults::default());
	let (sender, receiver) = tokio::sync::oneshot::channel();
	let sender = Mutex::new(Some(sender));
	let address: SocketAddr = "127.0.0.1:0".parse().unwrap();
	tokio::spawn(server::serve(sim, address, Duration::ZERO, move |bound| {
		if let Some(sender) = sender.lock().unwrap().take() {
			let _ = sender.send(bound);
		}
	}));
	receiver.await.unwrap()
}

fn alice() -> Key {
	Key::Sr("//Alice")
}

fn remote_code(result: Result<impl std::fmt::Debug, ZosError>) -> (u32, String) {
	match result {
		Err(ZosError::Remote { code, message }) => (code, message),
		other => panic!("expected a ZOS error, got {other:?}"),
	}
}

#[tokio::test]
async fn a_valid_deployment_is_deployed_and_reported_as_zos_does() {
	let sim = Harness::start().await;
	let deployment = signed_volume(5, 42, 2 * GIB, &alice(), SignatureStyle::Raw);
	sim.agree(&deployment, &alice(), NODE_ID);
	sim.client.call(&commands::deploy(&deployment)).await.unwrap();

	let deployed = sim.client.call(&commands::get(42)).await.unwrap();
	let volume = &deployed.workloads[0];
	assert_eq!(volume.result.state, ResultState::Ok);
	assert_eq!(volume.result.data, serde_json::json!({ "id": "5-42-data" }));
	assert_eq!(volume.data, WorkloadData::Volume { size: 2 * GIB });
	assert!(volume.result.created > 0);

	let statistics = sim.client.call(&commands::statistics()).await.unwrap();
	assert_eq!((statistics.total.sru, statistics.used.sru), (10 * GIB, 2 * GIB));
	assert_eq!(statistics.users.deployments, 1);
	assert_eq!(sim.client.call(&commands::changes(42)).await.unwrap().len(), 1);
	let version = sim.client.call(&commands::version()).await.unwrap();
	assert!(version.zos.contains("simulator"), "{}", version.zos);
	// Deploying the same contract again is a conflict, not a second deployment.
	let (code, _) = remote_code(sim.client.call(&commands::deploy(&deployment)).await);
	assert_eq!(code, code::CONFLICT);
}

#[tokio::test]
async fn ed25519_keys_and_the_polka_wallet_style_are_accepted() {
	let sim = Harness::start().await;
	let ed = Key::Ed("//Bob");
	for (contract_id, key, style) in [
		(1, &ed, SignatureStyle::Raw),
		(2, &alice(), SignatureStyle::PolkaWallet),
		(3, &ed, SignatureStyle::PolkaWallet),
	] {
		let deployment = signed_volume(contract_id as u32 + 10, contract_id, GIB, key, style);
		sim.agree(&deployment, key, NODE_ID);
		sim.client.call(&commands::deploy(&deployment)).await.unwrap();
	}
	assert_eq!(sim.client.call(&commands::statistics()).await.unwrap().used.sru, 3 * GIB);
}

#[tokio::test]
async fn invalid_deployments_are_refused_with_zos_messages_and_change_nothing() {
	let sim = Harness::start().await;
	let valid = signed_volume(5, 1, GIB, &alice(), SignatureStyle::Raw);
	sim.agree(&valid, &alice(), NODE_ID);

	let mut forged = valid.clone();
	forged.signature_requirement.signatures[0].signature = hex::encode([7u8; 64]);
	let mut renamed = valid.clone();
	renamed.workloads[0].name = "bad-name".into();
	let mut resized = valid.clone();
	resized.workloads[0].data = WorkloadData::Volume { size: 0 };
	let mut versioned = valid.clone();
	versioned.version = 1;
	// Signed correctly, but not what the agreement on chain carries.
	let other_hash = signed_volume(5, 1, 2 * GIB, &alice(), SignatureStyle::Raw);
	let mut unsigned = valid.clone();
	unsigned.signature_requirement.signatures.clear();
	let unknown_contract = signed_volume(5, 99, GIB, &alice(), SignatureStyle::Raw);

	for (deployment, expected) in [
		(&forged, "invalid signature of twin 5"),
		(&renamed, "invalid workload name"),
		(&resized, "size cannot be zero"),
		(&versioned, "invalid version"),
		(&other_hash, "carries hash"),
		(&unsigned, "signature weight 0 does not reach the required 1"),
		(&unknown_contract, "contract 99 not found on chain"),
	] {
		let (code, message) = remote_code(sim.client.call(&commands::deploy(deployment)).await);
		assert_eq!(code, code::REFUSED, "{message}");
		assert!(message.contains(expected), "{message:?} should say {expected:?}");
	}

	let elsewhere = signed_volume(6, 2, GIB, &alice(), SignatureStyle::Raw);
	sim.agree(&elsewhere, &alice(), NODE_ID + 1);
	let (_, message) = remote_code(sim.client.call(&commands::deploy(&elsewhere)).await);
	assert!(message.contains("is for node 2"), "{message}");

	let too_big = signed_volume(5, 3, 11 * GIB, &alice(), SignatureStyle::Raw);
	sim.agree(&too_big, &alice(), NODE_ID);
	let (_, message) = remote_code(sim.client.call(&commands::deploy(&too_big)).await);
	assert!(message.starts_with("not enough capacity"), "{message}");

	let cancelled = signed_volume(5, 4, GIB, &alice(), SignatureStyle::Raw);
	sim.agree(&cancelled, &alice(), NODE_ID);
	sim.cancel(4);
	let (_, message) = remote_code(sim.client.call(&commands::deploy(&cancelled)).await);
	assert!(message.contains("is cancelled"), "{message}");

	let (code, _) = remote_code(sim.client.call(&commands::get(1)).await);
	assert_eq!(code, code::NOT_FOUND);
	assert!(sim.client.call(&commands::list()).await.unwrap().is_empty());
	assert_eq!(sim.client.call(&commands::statistics()).await.unwrap().used.sru, 0);
}

#[tokio::test]
async fn deletion_needs_a_cancelled_contract_and_releases_capacity() {
	let sim = Harness::start().await;
	let deployment = signed_volume(5, 8, 4 * GIB, &alice(), SignatureStyle::Raw);
	sim.agree(&deployment, &alice(), NODE_ID);
	sim.client.call(&commands::deploy(&deployment)).await.unwrap();

	let (code, message) = remote_code(sim.client.call(&commands::delete(8)).await);
	assert_eq!(code, code::REFUSED);
	assert!(message.contains("not cancelled on chain"), "{message}");

	sim.cancel(8);
	sim.client.call(&commands::delete(8)).await.unwrap();
	let deleted = sim.client.call(&commands::get(8)).await.unwrap();
	assert_eq!(deleted.workloads[0].result.state, ResultState::Deleted);
	assert_eq!(sim.client.call(&commands::statistics()).await.unwrap().used.sru, 0);
	// A retried deletion succeeds and changes nothing.
	sim.client.call(&commands::delete(8)).await.unwrap();
	assert_eq!(sim.client.call(&commands::changes(8)).await.unwrap().len(), 2);
	let (code, _) = remote_code(sim.client.call(&commands::delete(9)).await);
	assert_eq!(code, code::NOT_FOUND);
}

#[tokio::test]
async fn a_restarted_simulator_keeps_its_deployments() {
	let sim = Harness::start().await;
	let deployment = signed_volume(5, 11, GIB, &alice(), SignatureStyle::Raw);
	sim.agree(&deployment, &alice(), NODE_ID);
	sim.client.call(&commands::deploy(&deployment)).await.unwrap();
	let before = sim.client.call(&commands::get(11)).await.unwrap();

	let restarted = start_sim(sim.chain.clone(), sim.state_file.clone(), 10 * GIB).await;
	let after = client(restarted).call(&commands::get(11)).await.unwrap();
	assert_eq!(after, before);
	let (code, _) = remote_code(client(restarted).call(&commands::deploy(&deployment)).await);
	assert_eq!(code, code::CONFLICT);
}

#[tokio::test]
async fn faults_fail_deployments_delay_answers_and_refuse_connections() {
	let sim = Harness::start().await;
	sim.faults(serde_json::json!({ "fail_next": 1 })).await;
	let failing = signed_volume(5, 21, GIB, &alice(), SignatureStyle::Raw);
	sim.agree(&failing, &alice(), NODE_ID);
	sim.client.call(&commands::deploy(&failing)).await.unwrap();
	let failed = sim.client.call(&commands::get(21)).await.unwrap();
	assert_eq!(failed.workloads[0].result.state, ResultState::Error);
	assert_eq!(failed.workloads[0].result.message, INJECTED_FAILURE);
	assert_eq!(sim.client.call(&commands::statistics()).await.unwrap().used.sru, 0);
	// Only the next one failed.
	let next = signed_volume(5, 22, GIB, &alice(), SignatureStyle::Raw);
	sim.agree(&next, &alice(), NODE_ID);
	sim.client.call(&commands::deploy(&next)).await.unwrap();
	assert_eq!(
		sim.client.call(&commands::get(22)).await.unwrap().workloads[0].result.state,
		ResultState::Ok
	);

	sim.faults(serde_json::json!({ "latency_ms": 300 })).await;
	let started = std::time::Instant::now();
	sim.client.call(&commands::version()).await.unwrap();
	assert!(started.elapsed() >= Duration::from_millis(300));
	sim.faults(serde_json::json!({ "latency_ms": 0, "refuse_for_secs": 2 })).await;
	tokio::time::sleep(Duration::from_millis(700)).await;
	let refused = sim.client.call(&commands::version()).await;
	assert!(matches!(refused, Err(ZosError::Unreachable(_))), "{refused:?}");
	assert!(refused.unwrap_err().is_transient());
	tokio::time::sleep(Duration::from_secs(2)).await;
	sim.client.call(&commands::version()).await.unwrap();
}

#[tokio::test]
async fn pausing_follows_the_chain_and_keeps_the_deployment_and_its_capacity() {
	let sim = Harness::start().await;
	let deployment = signed_volume(5, 8, 4 * GIB, &alice(), SignatureStyle::Raw);
	sim.agree(&deployment, &alice(), NODE_ID);
	sim.client.call(&commands::deploy(&deployment)).await.unwrap();
	let set_status = |status| {
		sim.chain.agreements.lock().unwrap().get_mut(&8).unwrap().status = status;
	};
	set_status(AgreementStatus::Deployed);

	// Not in grace on chain: refused.
	let (code, message) = remote_code(sim.client.call(&commands::pause(8)).await);
	assert_eq!(code, code::REFUSED);
	assert!(message.contains("grace"), "{message}");

	set_status(AgreementStatus::GracePeriod);
	sim.client.call(&commands::pause(8)).await.unwrap();
	let paused = sim.client.call(&commands::get(8)).await.unwrap();
	assert_eq!(paused.workloads[0].result.state, ResultState::Paused);
	assert_eq!(paused.workloads[0].result.message, "paused");
	// The data (the volume's id) and the capacity stay.
	assert!(paused.workloads[0].result.data.get("id").is_some());
	assert_eq!(sim.client.call(&commands::statistics()).await.unwrap().used.sru, 4 * GIB);
	// Pausing again changes nothing.
	sim.client.call(&commands::pause(8)).await.unwrap();
	assert_eq!(sim.client.call(&commands::changes(8)).await.unwrap().len(), 2);

	// Still in grace: no resume.
	let (code, _) = remote_code(sim.client.call(&commands::resume(8)).await);
	assert_eq!(code, code::REFUSED);
	set_status(AgreementStatus::Deployed);
	sim.client.call(&commands::resume(8)).await.unwrap();
	let resumed = sim.client.call(&commands::get(8)).await.unwrap();
	assert_eq!(resumed.workloads[0].result.state, ResultState::Ok);
	assert_eq!(resumed.workloads[0].result.message, "");
	assert_eq!(sim.client.call(&commands::changes(8)).await.unwrap().len(), 3);
}

/// A server that answers every request with 200 and then, forever, a byte a second
/// (`trickle`) or as much as the client takes.
async fn hostile_server(trickle: bool) -> SocketAddr {
	use tokio::io::{AsyncReadExt, AsyncWriteExt};
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let address = listener.local_addr().unwrap();
	tokio::spawn(async move {
		while let Ok((mut socket, _)) = listener.accept().await {
			tokio::spawn(async move {
				let mut request = [0u8; 4096];
				let _ = socket.read(&mut request).await;
				let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";
				if socket.write_all(head.as_bytes()).await.is_err() {
					return;
				}
				let chunk = vec![b' '; 64 * 1024];
				loop {
					let sent = if trickle {
						tokio::time::sleep(Duration::from_secs(1)).await;
						socket.write_all(b" ").await
					} else {
						socket.write_all(&chunk).await
					};
					if sent.is_err() {
						return;
					}
				}
			});
		}
	});
	address
}

#[tokio::test]
async fn a_node_that_trickles_or_floods_its_answer_costs_one_bounded_attempt() {
	for trickle in [true, false] {
		let address = hostile_server(trickle).await;
		let client = HttpClient::new(
			&format!("http://{address}/"),
			parties(operator()),
			Duration::from_secs(2),
		);
		let started = std::time::Instant::now();
		let result = client.call(&commands::get(1)).await;
		let took = started.elapsed();
		assert!(result.is_err(), "a hostile answer was accepted");
		assert!(took < Duration::from_secs(5), "the attempt took {took:?}");
		match result.unwrap_err() {
			// The trickle runs into the deadline; the flood into the size cap (or the deadline).
			ZosError::Unreachable(_) | ZosError::InvalidReply(_) => {},
			other => panic!("unexpected error {other:?}"),
		}
	}
}

#[tokio::test]
async fn only_the_farms_operator_is_answered_and_every_reply_is_signed_by_the_node() {
	let sim = Harness::start().await;
	let url = format!("http://{}/", sim.address);
	let deployment = signed_volume(5, 42, 2 * GIB, &alice(), SignatureStyle::Raw);
	sim.agree(&deployment, &alice(), NODE_ID);

	// Another account's key: refused, and nothing deployed.
	let eve = sr25519::Pair::from_string("//Eve", None).unwrap();
	let intruder = HttpClient::new(&url, parties(eve), Duration::from_secs(5));
	let (code, message) = remote_code(intruder.call(&commands::deploy(&deployment)).await);
	assert_eq!(code, code::UNAUTHORIZED, "{message}");
	assert!(sim.client.call(&commands::get(42)).await.unwrap_err().is_not_found());

	// An unsigned envelope, and one valid for longer than a request may be: refused.
	let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
	let post = |envelope: Envelope| {
		let url = url.clone();
		async move {
			let reply = reqwest::Client::new().post(url).body(envelope.to_bytes()).send().await;
			let reply: serde_json::Value = reply.unwrap().json().await.unwrap();
			reply
		}
	};
	let unsigned = Envelope::new("u".into(), commands::VERSION, b"null", 7, 100, now, 60);
	assert_eq!(post(unsigned).await["err"]["code"], code::UNAUTHORIZED);
	let mut lasting = Envelope::new(
		"l".into(),
		commands::VERSION,
		b"null",
		7,
		100,
		now,
		MAX_REQUEST_TTL_SECS + 60,
	);
	lasting.sign(&operator()).unwrap();
	assert_eq!(post(lasting).await["err"]["code"], code::BAD_REQUEST);

	// A farm whose operator resigned: nobody is answered.
	*sim.chain.operator.lock().unwrap() = None;
	let (code, message) = remote_code(sim.client.call(&commands::version()).await);
	assert_eq!(
		(code, message),
		(code::UNAUTHORIZED, format!("node {NODE_ID} has no farm operator on chain"))
	);

	// The operator is answered; a client expecting another node key believes none of it.
	*sim.chain.operator.lock().unwrap() = Some(operator().public().0);
	sim.client.call(&commands::deploy(&deployment)).await.unwrap();
	let other_node = Parties { node_key: [1; 32], ..parties(operator()) };
	let doubter = HttpClient::new(&url, other_node, Duration::from_secs(5));
	assert!(matches!(doubter.call(&commands::get(42)).await, Err(ZosError::BadSignature(_))));
}
