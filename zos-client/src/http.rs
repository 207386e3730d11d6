//! The transport of std programs: an async HTTP client (reqwest).

use crate::{
	commands::{Parties, Request},
	error::ZosError,
	rmb::Signer,
};
use serde::de::DeserializeOwned;
use std::{
	sync::atomic::{AtomicU64, Ordering},
	time::{Duration, SystemTime, UNIX_EPOCH},
};

/// A ZOS node's client over async HTTP.
pub struct HttpClient<S> {
	http: reqwest::Client,
	endpoint: String,
	parties: Parties<S>,
	next_reference: AtomicU64,
}

impl<S: Signer> HttpClient<S> {
	/// A client of the node at `endpoint`, between `parties`, giving up on a request after
	/// `timeout`.
	pub fn new(endpoint: &str, parties: Parties<S>, timeout: Duration) -> Self {
		let http = reqwest::Client::builder().timeout(timeout).build().unwrap_or_default();
		HttpClient { http, endpoint: endpoint.into(), parties, next_reference: AtomicU64::new(0) }
	}

	/// Sends `request`, signed, and decodes its reply once it is sure the node signed it.
	pub async fn call<R: DeserializeOwned>(&self, request: &Request<R>) -> Result<R, ZosError> {
		let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
		let sequence = self.next_reference.fetch_add(1, Ordering::Relaxed);
		let (reference, envelope) = request.envelope(&self.parties, now, sequence)?;
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
		request.open_reply(&reply, &reference, &self.parties.node_key)
	}
}
