//! What the simulator asks the chain, over the node's JSON-RPC (`state_call` of the runtime API
//! `ZosApi`, SCALE encoded with the types the runtime itself uses).

use codec::{Decode, Encode};
use std::future::Future;
use zos_client::chain::AgreementView;

/// The chain, as a ZOS node sees it.
pub trait Chain: Send + Sync + 'static {
	/// The agreement with this contract id, if any.
	fn agreement(
		&self,
		contract_id: u64,
	) -> impl Future<Output = Result<Option<AgreementView>, String>> + Send;

	/// The public key of a twin, if it exists.
	fn twin_key(
		&self,
		twin_id: u32,
	) -> impl Future<Output = Result<Option<[u8; 32]>, String>> + Send;

	/// The operator (its account, an sr25519 key) that accepted to serve the farm of the node
	/// `node_id`; `None` when the node does not exist or its farm has no operator.
	fn node_operator(
		&self,
		node_id: u32,
	) -> impl Future<Output = Result<Option<[u8; 32]>, String>> + Send;
}

/// The chain behind a gridchain node's HTTP JSON-RPC endpoint.
pub struct RpcChain {
	http: reqwest::Client,
	url: String,
}

impl RpcChain {
	/// A client of the node's RPC at `url` (e.g. `http://127.0.0.1:9944`).
	pub fn new(url: &str) -> Self {
		let http = reqwest::Client::builder()
			.timeout(std::time::Duration::from_secs(10))
			.build()
			.unwrap_or_default();
		RpcChain { http, url: url.into() }
	}

	/// Calls the runtime API function `method` with SCALE `argument` at the best block.
	async fn state_call<R: Decode>(
		&self,
		method: &str,
		argument: impl Encode,
	) -> Result<R, String> {
		let request = serde_json::json!({
			"jsonrpc": "2.0",
			"id": 1,
			"method": "state_call",
			"params": [method, format!("0x{}", hex::encode(argument.encode()))],
		});
		let reply: serde_json::Value = self
			.http
			.post(&self.url)
			.json(&request)
			.send()
			.await
			.map_err(|e| format!("chain RPC unreachable: {e}"))?
			.json()
			.await
			.map_err(|e| format!("chain RPC answer is not JSON: {e}"))?;
		if let Some(error) = reply.get("error") {
			return Err(format!("chain RPC error: {error}"));
		}
		let result = reply["result"].as_str().ok_or("chain RPC answer has no result")?;
		let bytes = hex::decode(result.trim_start_matches("0x"))
			.map_err(|e| format!("chain RPC result is not hex: {e}"))?;
		R::decode(&mut bytes.as_slice())
			.map_err(|e| format!("{method} answer does not decode: {e}"))
	}
}

impl Chain for RpcChain {
	async fn agreement(&self, contract_id: u64) -> Result<Option<AgreementView>, String> {
		self.state_call("ZosApi_agreement", contract_id).await
	}

	async fn twin_key(&self, twin_id: u32) -> Result<Option<[u8; 32]>, String> {
		self.state_call("ZosApi_twin_key", twin_id).await
	}

	async fn node_operator(&self, node_id: u32) -> Result<Option<[u8; 32]>, String> {
		self.state_call("ZosApi_node_operator", node_id).await
	}
}
