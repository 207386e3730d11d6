//! The HTTP side: RMB envelopes POSTed to `/`, fault injection at `/admin/faults`, and the
//! listener that can refuse connections for a while.

use crate::{
	chain::Chain,
	node::{Refusal, SimNode},
	say,
	validate::ChainFacts,
};
use axum::{
	body::Bytes,
	extract::State,
	http::StatusCode,
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sp_core::ed25519;
use std::{
	future::IntoFuture,
	net::SocketAddr,
	sync::Arc,
	time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio::sync::{Mutex, Notify};
use zos_client::{
	commands::{self, ContractIdBody},
	error::code,
	rmb::Envelope,
	Deployment,
};

/// Faults to inject.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Faults {
	/// How many of the next deployments that pass validation end in error.
	#[serde(default)]
	pub fail_next: u32,
	/// Added before every answer, in milliseconds.
	#[serde(default)]
	pub latency_ms: u64,
}

/// A change of the faults, as POSTed to `/admin/faults`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct FaultRequest {
	/// Fail the next N deployments.
	pub fail_next: Option<u32>,
	/// Add this latency from now on.
	pub latency_ms: Option<u64>,
	/// Close the listener and refuse connections for this many seconds.
	pub refuse_for_secs: Option<u64>,
}

/// The longest a request may stay valid, in seconds: an envelope that asks for more is
/// refused, so a captured request cannot be replayed for long.
pub const MAX_REQUEST_TTL_SECS: u64 = 300;

/// What the handlers share.
pub struct Sim<C> {
	node: Mutex<SimNode>,
	chain: C,
	node_id: u32,
	node_twin: u32,
	key: ed25519::Pair,
	faults: Mutex<Faults>,
	refuse_for: Mutex<Option<Duration>>,
	refuse: Notify,
}

/// Who the simulated node is: its id and twin on chain, and its own key, with which it signs
/// its replies (the key registered with the node on chain).
pub struct Identity {
	/// The node's id on chain.
	pub node_id: u32,
	/// The node's twin, in the replies' `src`.
	pub node_twin: u32,
	/// The node's ed25519 key.
	pub key: ed25519::Pair,
}

impl<C: Chain> Sim<C> {
	/// A simulator of `node`, being `identity`, checking with `chain`.
	pub fn new(node: SimNode, chain: C, identity: Identity, faults: Faults) -> Arc<Self> {
		Arc::new(Sim {
			node: Mutex::new(node),
			chain,
			node_id: identity.node_id,
			node_twin: identity.node_twin,
			key: identity.key,
			faults: Mutex::new(faults),
			refuse_for: Mutex::new(None),
			refuse: Notify::new(),
		})
	}
}

fn now() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

/// The routes: RMB at `/`, faults at `/admin/faults`.
pub fn router<C: Chain>(sim: Arc<Sim<C>>) -> Router {
	Router::new()
		.route("/", post(rmb::<C>))
		.route("/admin/faults", get(read_faults::<C>).post(set_faults::<C>))
		.with_state(sim)
}

async fn read_faults<C: Chain>(State(sim): State<Arc<Sim<C>>>) -> Json<Faults> {
	Json(sim.faults.lock().await.clone())
}

async fn set_faults<C: Chain>(
	State(sim): State<Arc<Sim<C>>>,
	Json(request): Json<FaultRequest>,
) -> Json<Faults> {
	let mut faults = sim.faults.lock().await;
	if let Some(fail_next) = request.fail_next {
		faults.fail_next = fail_next;
	}
	if let Some(latency_ms) = request.latency_ms {
		faults.latency_ms = latency_ms;
	}
	say!("faults set: {faults:?}");
	if let Some(seconds) = request.refuse_for_secs {
		*sim.refuse_for.lock().await = Some(Duration::from_secs(seconds));
		sim.refuse.notify_one();
	}
	Json(faults.clone())
}

/// Answers one RMB envelope.
async fn rmb<C: Chain>(State(sim): State<Arc<Sim<C>>>, body: Bytes) -> Response {
	let latency = sim.faults.lock().await.latency_ms;
	if latency > 0 {
		tokio::time::sleep(Duration::from_millis(latency)).await;
	}
	let envelope = match Envelope::from_bytes(&body) {
		Ok(envelope) => envelope,
		// Without an envelope there is no reference to answer to.
		Err(error) => return (StatusCode::BAD_REQUEST, error.to_string()).into_response(),
	};
	let now = now();
	let answer = match authenticate(&sim, &envelope, now).await {
		Ok(()) => command(&sim, &envelope).await,
		Err(refusal) => Err(refusal),
	};
	let reply = match answer {
		Ok(body) => envelope.reply_ok(sim.node_twin, now, &body),
		Err(Refusal { code, message }) => {
			say!("{} from twin {} refused: {code} {message}", envelope.cmd, envelope.src);
			envelope.reply_err(sim.node_twin, now, code, message)
		},
	};
	match reply.sign(&sim.key) {
		Ok(reply) => ([("content-type", "application/json")], reply.to_bytes()).into_response(),
		Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
	}
}

/// Refuses a request that is expired, valid for too long, or not signed by the operator of
/// the farm that owns this node, as the chain says now.
async fn authenticate<C: Chain>(
	sim: &Sim<C>,
	envelope: &Envelope,
	now: u64,
) -> Result<(), Refusal> {
	let bad = |message: &str| Refusal { code: code::BAD_REQUEST, message: message.into() };
	if envelope.is_expired(now) {
		return Err(bad("message expired"));
	}
	if envelope.exp > now.saturating_add(MAX_REQUEST_TTL_SECS) {
		return Err(bad("message valid for too long"));
	}
	let unauthorized = |message: String| Refusal { code: code::UNAUTHORIZED, message };
	let operator =
		sim.chain.node_operator(sim.node_id).await.map_err(unavailable)?.ok_or_else(|| {
			unauthorized(format!("node {} has no farm operator on chain", sim.node_id))
		})?;
	envelope.verify(&operator).map_err(|error| unauthorized(error.to_string()))
}

fn parse<T: DeserializeOwned>(envelope: &Envelope) -> Result<T, Refusal> {
	let bad = |message: String| Refusal { code: code::BAD_REQUEST, message };
	let body = envelope.body().map_err(|e| bad(e.to_string()))?;
	serde_json::from_slice(&body).map_err(|e| bad(format!("invalid {} body: {e}", envelope.cmd)))
}

fn json(value: &impl Serialize) -> Result<Vec<u8>, Refusal> {
	serde_json::to_vec(value)
		.map_err(|e| Refusal { code: code::INTERNAL, message: format!("cannot encode: {e}") })
}

fn unavailable(message: String) -> Refusal {
	Refusal { code: code::UNAVAILABLE, message }
}

/// What the chain says about a deployment: its agreement and its signers' keys.
async fn facts_for<C: Chain>(chain: &C, deployment: &Deployment) -> Result<ChainFacts, Refusal> {
	let agreement = chain.agreement(deployment.contract_id).await.map_err(unavailable)?;
	let mut facts = ChainFacts { agreement, ..Default::default() };
	for signature in &deployment.signature_requirement.signatures {
		if let Some(key) = chain.twin_key(signature.twin_id).await.map_err(unavailable)? {
			facts.twin_keys.insert(signature.twin_id, key);
		}
	}
	Ok(facts)
}

async fn command<C: Chain>(sim: &Sim<C>, envelope: &Envelope) -> Result<Vec<u8>, Refusal> {
	let now = now();
	match envelope.cmd.as_str() {
		commands::DEPLOY => {
			let deployment: Deployment = parse(envelope)?;
			let contract_id = deployment.contract_id;
			let facts = facts_for(&sim.chain, &deployment).await?;
			let mut faults = sim.faults.lock().await;
			let fail = faults.fail_next > 0;
			sim.node.lock().await.deploy(deployment, &facts, fail, now as i64)?;
			if fail {
				faults.fail_next -= 1;
				say!("deployment of contract {contract_id} failed by injection");
			} else {
				say!("deployed contract {contract_id}");
			}
			json(&())
		},
		commands::GET => {
			let ContractIdBody { contract_id } = parse(envelope)?;
			json(&sim.node.lock().await.get(contract_id)?)
		},
		commands::CHANGES => {
			let ContractIdBody { contract_id } = parse(envelope)?;
			json(&sim.node.lock().await.changes(contract_id)?)
		},
		commands::LIST => json(&sim.node.lock().await.list(envelope.src)),
		commands::DELETE => {
			let ContractIdBody { contract_id } = parse(envelope)?;
			let agreement = sim.chain.agreement(contract_id).await.map_err(unavailable)?;
			sim.node.lock().await.delete(contract_id, agreement.as_ref(), now as i64)?;
			say!("deleted contract {contract_id}");
			json(&())
		},
		commands::PAUSE | commands::RESUME => {
			let ContractIdBody { contract_id } = parse(envelope)?;
			let paused = envelope.cmd == commands::PAUSE;
			let agreement = sim.chain.agreement(contract_id).await.map_err(unavailable)?;
			sim.node.lock().await.set_paused(
				contract_id,
				paused,
				agreement.as_ref(),
				now as i64,
			)?;
			say!("{} contract {contract_id}", if paused { "paused" } else { "resumed" });
			json(&())
		},
		commands::STATISTICS => json(&sim.node.lock().await.statistics()),
		commands::VERSION => json(&commands::Version {
			zos: format!("zos-sim {} (a simulator, not ZOS)", env!("CARGO_PKG_VERSION")),
			zinit: "none (simulator)".into(),
		}),
		other => Err(Refusal {
			code: code::UNKNOWN_COMMAND,
			message: format!("unknown command {other:?}"),
		}),
	}
}

/// Why serving stopped.
enum Stop {
	Refuse(Duration),
	Terminate,
}

async fn terminate_signal() {
	let interrupt = tokio::signal::ctrl_c();
	#[cfg(unix)]
	{
		let mut term =
			match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
				Ok(term) => term,
				Err(_) => return std::future::pending().await,
			};
		tokio::select! {
			_ = interrupt => {},
			_ = term.recv() => {},
		}
	}
	#[cfg(not(unix))]
	let _ = interrupt.await;
}

/// Serves at `address` until terminated. While told to refuse connections the listener is
/// closed, so connections are refused by the operating system, as with a node that is down.
/// `bound` is told the address once listening (useful with port 0).
pub async fn serve<C: Chain>(
	sim: Arc<Sim<C>>,
	address: SocketAddr,
	refuse_first: Duration,
	bound: impl Fn(SocketAddr),
) -> std::io::Result<()> {
	let mut address = address;
	let mut refuse = refuse_first;
	loop {
		if !refuse.is_zero() {
			say!("refusing connections for {} s", refuse.as_secs_f32());
			tokio::select! {
				_ = tokio::time::sleep(refuse) => {},
				_ = terminate_signal() => return Ok(()),
			}
		}
		let listener = tokio::net::TcpListener::bind(address).await?;
		address = listener.local_addr()?;
		bound(address);
		say!("listening on http://{address}");
		let (stop_sender, stop_receiver) = tokio::sync::oneshot::channel::<()>();
		let server = axum::serve(listener, router(sim.clone())).with_graceful_shutdown(async {
			let _ = stop_receiver.await;
		});
		let server = server.into_future();
		tokio::pin!(server);
		let stop = tokio::select! {
			result = &mut server => { result?; Stop::Terminate },
			_ = sim.refuse.notified() => {
				Stop::Refuse(sim.refuse_for.lock().await.take().unwrap_or_default())
			},
			_ = terminate_signal() => Stop::Terminate,
		};
		let _ = stop_sender.send(());
		// Open keep-alive connections get a moment to finish, then are dropped with the server.
		let _ = tokio::time::timeout(Duration::from_millis(500), &mut server).await;
		match stop {
			Stop::Refuse(duration) => refuse = duration,
			Stop::Terminate => {
				say!("stopped");
				return Ok(());
			},
		}
	}
}
