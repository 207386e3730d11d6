//! The ZOS commands gridchain uses, each a [`Request`] that knows its command name, its JSON
//! body and the type of its reply, so every transport sends and decodes them the same way.

use crate::{
	deployment::{Deployment, Workload},
	error::ZosError,
	rmb::Signer,
};
use alloc::{format, string::String, vec::Vec};
use core::marker::PhantomData;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// `zos.deployment.deploy`: body a [`Deployment`], reply `null`.
pub const DEPLOY: &str = "zos.deployment.deploy";
/// `zos.deployment.get`: body [`ContractIdBody`], reply the [`Deployment`] with results.
pub const GET: &str = "zos.deployment.get";
/// `zos.deployment.changes`: body [`ContractIdBody`], reply the workloads' history.
pub const CHANGES: &str = "zos.deployment.changes";
/// `zos.deployment.list`: body `null`, reply the sender's deployments.
pub const LIST: &str = "zos.deployment.list";
/// `zos.deployment.delete`: body [`ContractIdBody`], reply `null`. Real ZOS refuses it and
/// deletes when the contract is cancelled on chain; the simulator deletes only a deployment
/// whose contract is cancelled on chain.
pub const DELETE: &str = "zos.deployment.delete";
/// `zos.deployment.pause`: body [`ContractIdBody`], reply `null`. Not a ZOS command: real ZOS
/// pauses a deployment's workloads (state `paused`, message `paused`) when its node sees the
/// contract enter the grace period on chain; gridchain's worker tells the node instead, and
/// the simulator pauses only a deployment whose agreement is in its grace period on chain.
pub const PAUSE: &str = "zos.deployment.pause";
/// `zos.deployment.resume`: body [`ContractIdBody`], reply `null`. The counterpart of
/// [`PAUSE`] when the contract leaves the grace period (workloads back to `ok`).
pub const RESUME: &str = "zos.deployment.resume";
/// `zos.statistics.get`: body `null`, reply [`Statistics`].
pub const STATISTICS: &str = "zos.statistics.get";
/// `zos.system.version`: body `null`, reply [`Version`].
pub const VERSION: &str = "zos.system.version";

/// The body of the commands about one deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractIdBody {
	/// The deployment's contract id.
	pub contract_id: u64,
}

/// Capacity counters of a node, as `zos.statistics.get` reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity {
	/// CPU cores.
	pub cru: u64,
	/// SSD bytes.
	pub sru: u64,
	/// HDD bytes.
	pub hru: u64,
	/// Memory bytes.
	pub mru: u64,
	/// Public IPv4 addresses.
	pub ipv4u: u64,
}

/// The reply of `zos.statistics.get`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
	/// What the node has.
	pub total: Capacity,
	/// What deployments use.
	pub used: Capacity,
	/// What the node keeps for itself.
	pub system: Capacity,
	/// How many twins have deployments.
	pub users: Users,
	/// Open RMB connections.
	#[serde(default)]
	pub open_connections: u64,
}

/// The deployment counters of `zos.statistics.get`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Users {
	/// Live deployments.
	pub deployments: u64,
	/// Live workloads.
	pub workloads: u64,
}

/// The reply of `zos.system.version`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
	/// The ZOS version.
	pub zos: String,
	/// The zinit version.
	pub zinit: String,
}

/// A command with its body, and the type its reply decodes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request<R> {
	/// The command name.
	pub cmd: &'static str,
	/// The JSON body.
	pub body: Vec<u8>,
	reply: PhantomData<fn() -> R>,
}

impl<R: DeserializeOwned> Request<R> {
	fn new(cmd: &'static str, body: &impl Serialize) -> Self {
		// The bodies are plain structs, which always serialize.
		Request { cmd, body: serde_json::to_vec(body).unwrap_or_default(), reply: PhantomData }
	}

	/// Decodes the reply's JSON body.
	pub fn decode_reply(&self, body: &[u8]) -> Result<R, ZosError> {
		serde_json::from_slice(body)
			.map_err(|e| ZosError::InvalidReply(format!("{} reply: {e}", self.cmd)))
	}
}

/// Asks the node to deploy `deployment` (signed, with its contract id).
pub fn deploy(deployment: &Deployment) -> Request<()> {
	Request::new(DEPLOY, deployment)
}

/// Asks for the deployment of `contract_id` with its workloads' results.
pub fn get(contract_id: u64) -> Request<Deployment> {
	Request::new(GET, &ContractIdBody { contract_id })
}

/// Asks for the history of the workloads of `contract_id`.
pub fn changes(contract_id: u64) -> Request<Vec<Workload>> {
	Request::new(CHANGES, &ContractIdBody { contract_id })
}

/// Asks for the sender's deployments.
pub fn list() -> Request<Vec<Deployment>> {
	Request::new(LIST, &())
}

/// Asks the node to remove the deployment of a cancelled contract.
pub fn delete(contract_id: u64) -> Request<()> {
	Request::new(DELETE, &ContractIdBody { contract_id })
}

/// Asks the node to pause the workloads of a contract in its grace period.
pub fn pause(contract_id: u64) -> Request<()> {
	Request::new(PAUSE, &ContractIdBody { contract_id })
}

/// Asks the node to resume the paused workloads of a contract that left its grace period.
pub fn resume(contract_id: u64) -> Request<()> {
	Request::new(RESUME, &ContractIdBody { contract_id })
}

/// Asks for the node's capacity and usage.
pub fn statistics() -> Request<Statistics> {
	Request::new(STATISTICS, &())
}

/// Asks for the node's software versions.
pub fn version() -> Request<Version> {
	Request::new(VERSION, &())
}

/// Carries request envelopes to a node and brings the reply back.
pub trait Transport {
	/// POSTs `envelope` (JSON bytes) to the node and returns the reply's bytes.
	fn post(&mut self, envelope: &[u8]) -> Result<Vec<u8>, ZosError>;

	/// The current time, unix seconds.
	fn now(&self) -> u64;
}

/// How long a request stays valid.
pub const REQUEST_TTL_SECS: u64 = 60;

/// Who a client talks to and as whom: the ends of every exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parties<S> {
	/// Signs the requests: the farm operator's key.
	pub signer: S,
	/// The twin the requests come from.
	pub source_twin: u32,
	/// The node's twin.
	pub node_twin: u32,
	/// The node's key (ed25519, registered with the node on chain): only replies signed with
	/// it are believed.
	pub node_key: [u8; 32],
}

/// A ZOS node's client over a blocking [`Transport`] (the off-chain worker's HTTP).
pub struct Client<T, S> {
	transport: T,
	parties: Parties<S>,
	next_reference: u64,
}

impl<T: Transport, S: Signer> Client<T, S> {
	/// A client of the node, between `parties`.
	pub fn new(transport: T, parties: Parties<S>) -> Self {
		Client { transport, parties, next_reference: 0 }
	}

	/// Sends `request`, signed, and decodes its reply once it is sure the node signed it.
	pub fn call<R: DeserializeOwned>(&mut self, request: &Request<R>) -> Result<R, ZosError> {
		self.next_reference = self.next_reference.wrapping_add(1);
		let (reference, envelope) =
			request.envelope(&self.parties, self.transport.now(), self.next_reference)?;
		request.open_reply(&self.transport.post(&envelope)?, &reference, &self.parties.node_key)
	}
}

impl<R: DeserializeOwned> Request<R> {
	/// The request's envelope bytes between `parties` at `now`, signed, and the reference its
	/// reply must carry. The reference names the request's content (a digest of the command
	/// and body) beside the sender, the time and `sequence`, so that a node's signed reply to
	/// one request can never pass for the reply to another, even one sent in the same second
	/// with the same sequence by another client.
	pub fn envelope<S: Signer>(
		&self,
		parties: &Parties<S>,
		now: u64,
		sequence: u64,
	) -> Result<(String, Vec<u8>), ZosError> {
		let digest = sp_io::hashing::blake2_256(&[self.cmd.as_bytes(), b"\0", &self.body].concat());
		let reference =
			format!("{}-{now}-{sequence}-{}", parties.source_twin, hex::encode(&digest[..8]));
		let mut envelope = crate::rmb::Envelope::new(
			reference.clone(),
			self.cmd,
			&self.body,
			parties.source_twin,
			parties.node_twin,
			now,
			REQUEST_TTL_SECS,
		);
		envelope.sign(&parties.signer)?;
		Ok((reference, envelope.to_bytes()))
	}

	/// The typed reply from the reply envelope's bytes, or the node's error; either only when
	/// signed with `node_key`.
	pub fn open_reply(
		&self,
		reply: &[u8],
		reference: &str,
		node_key: &[u8; 32],
	) -> Result<R, ZosError> {
		self.decode_reply(&crate::rmb::Reply::open(reply, reference, node_key)?)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::rmb::Envelope;
	use alloc::vec;

	use sp_core::{ed25519, sr25519, Pair};

	fn operator() -> sr25519::Pair {
		sr25519::Pair::from_string("//Operator", None).unwrap()
	}

	fn node() -> ed25519::Pair {
		ed25519::Pair::from_string("//Node", None).unwrap()
	}

	/// A node that answers `zos.system.version` and refuses everything else, signing its
	/// replies with `key`, and checking that requests come from the operator.
	struct Echo {
		seen: Vec<Envelope>,
		key: ed25519::Pair,
	}

	impl Transport for Echo {
		fn post(&mut self, envelope: &[u8]) -> Result<Vec<u8>, ZosError> {
			let envelope = Envelope::from_bytes(envelope)?;
			envelope.verify(&operator().public().0)?;
			self.seen.push(envelope.clone());
			let reply = if envelope.cmd == VERSION {
				envelope.reply_ok(9, 5, br#"{"zos":"v3.9.0","zinit":"v0.2.14"}"#)
			} else {
				envelope.reply_err(9, 5, crate::error::code::NOT_FOUND, "no such thing".into())
			};
			Ok(reply.sign(&self.key)?.to_bytes())
		}

		fn now(&self) -> u64 {
			5
		}
	}

	fn client(node_key: ed25519::Pair) -> Client<Echo, sr25519::Pair> {
		let parties = Parties {
			signer: operator(),
			source_twin: 3,
			node_twin: 9,
			node_key: node().public().0,
		};
		Client::new(Echo { seen: vec![], key: node_key }, parties)
	}

	#[test]
	fn a_reply_signed_by_another_key_than_the_nodes_is_not_believed() {
		let impostor = ed25519::Pair::from_string("//Impostor", None).unwrap();
		let mut client = client(impostor);
		assert!(matches!(client.call(&version()), Err(ZosError::BadSignature(_))));
		// Not even its "not found": only the node can say it has no deployment.
		let error = client.call(&get(1)).unwrap_err();
		assert!(!error.is_not_found());
	}

	#[test]
	fn a_call_sends_the_command_and_decodes_the_typed_reply_or_error() {
		let mut client = client(node());
		let version = client.call(&version()).unwrap();
		assert_eq!(version, Version { zos: "v3.9.0".into(), zinit: "v0.2.14".into() });
		assert_eq!(
			client.call(&get(12)),
			Err(ZosError::Remote { code: 404, message: "no such thing".into() })
		);
		let seen = &client.transport.seen;
		assert_eq!(seen[1].cmd, GET);
		assert_eq!(seen[1].body().unwrap(), br#"{"contract_id":12}"#);
		assert_eq!((seen[1].src, seen[1].dst.clone()), (3, vec![9]));
		assert_ne!(seen[0].reference, seen[1].reference);
	}

	#[test]
	fn a_signed_reply_to_one_request_does_not_pass_for_the_reply_to_another() {
		// Two clients (two worker runs) send their first request in the same second: the
		// references differ with the requests' content.
		let parties = client(node()).parties;
		let (for_one, _) = get(1).envelope(&parties, 5, 1).unwrap();
		let (for_two, envelope_two) = get(2).envelope(&parties, 5, 1).unwrap();
		assert_ne!(for_one, for_two);
		// The node's genuine "not found" for contract 2 is refused as the answer about 1.
		let envelope_two = Envelope::from_bytes(&envelope_two).unwrap();
		let reply_two = envelope_two
			.reply_err(9, 5, crate::error::code::NOT_FOUND, "no such thing".into())
			.sign(&node())
			.unwrap()
			.to_bytes();
		assert!(get(2)
			.open_reply(&reply_two, &for_two, &node().public().0)
			.unwrap_err()
			.is_not_found());
		assert!(matches!(
			get(1).open_reply(&reply_two, &for_one, &node().public().0),
			Err(ZosError::InvalidReply(_))
		));
		// The same request again, in the same second with the same sequence, has the same
		// reference: its reply answers it equally.
		assert_eq!(get(1).envelope(&parties, 5, 1).unwrap().0, for_one);
	}

	#[test]
	fn a_reply_of_the_wrong_shape_is_an_invalid_reply() {
		assert!(matches!(get(1).decode_reply(b"[1,2]"), Err(ZosError::InvalidReply(_))));
		assert_eq!(deploy_reply_is_null(), Ok(()));
	}

	fn deploy_reply_is_null() -> Result<(), ZosError> {
		Request::<()>::new(DEPLOY, &()).decode_reply(b"null")
	}
}
