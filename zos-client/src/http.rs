//! The transport of std programs: an async HTTP client (reqwest).

use crate::{commands::Request, error::ZosError};
use serde::de::DeserializeOwned;
use std::{
	sync::atomic::{AtomicU64, Ordering},
	time::{Duration, SystemTime, UNIX_EPOCH},
};

/// A ZOS node's client over async HTTP.
pub struct HttpClient {
	http: reqwest::Client,
	endpoint: String,
	source_twin: u32,
	node_twin: u32,
	next_reference: AtomicU64,
}

impl HttpClient {
	/// A client of the node at `endpoint`, sending as `source_twin` to the node's twin, giving
	/// up on a request after `timeout`.
	pub fn new(endpoint: &str, source_twin: u32, node_twin: u32, timeout: Duration) -> Self {
		let http = reqwest::Client::builder().timeout(timeout).build().unwrap_or_default();
		HttpClient {
			http,
			endpoint: endpoint.into(),
			source_twin,
			node_twin,
			next_reference: AtomicU64::new(0),
		}
	}

	/// Sends `request` and decodes its reply.
	pub async fn call<R: DeserializeOwned>(&self, request: &Request<R>) -> Result<R, ZosError> {
		let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
		let sequence = self.next_reference.fetch_add(1, Ordering::Relaxed);
		let (reference, envelope) =
			request.envelope(self.source_twin, self.node_twin, now, sequence);
		let response = self
			.http
			.post(&self.endpoint)
			.header(reqwest::header::CONTENT_TYPE, crate::rmb::JSON_SCHEMA)
			.body(envelope)
			.send()
			.await
			.map_err(|e| ZosError::Unreachable(e.to_string()))?;
		if response.status() != reqwest::StatusCode::OK {
			return Err(ZosError::HttpStatus(response.status().as_u16()));
		}
		// The client's timeout covers the whole exchange, body included; the size is capped
		// here as it arrives.
		let mut response = response;
		let mut reply = Vec::new();
		while let Some(chunk) =
			response.chunk().await.map_err(|e| ZosError::Unreachable(e.to_string()))?
		{
			if reply.len() + chunk.len() > crate::MAX_REPLY_BYTES {
				return Err(ZosError::InvalidReply(format!(
					"the reply is longer than {} bytes",
					crate::MAX_REPLY_BYTES
				)));
			}
			reply.extend_from_slice(&chunk);
		}
		request.open_reply(&reply, &reference)
	}
}
