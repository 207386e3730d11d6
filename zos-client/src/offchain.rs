//! The transport of the off-chain worker: HTTP POST through `sp_runtime::offchain::http`.
//!
//! A node's answer is hostile input: the whole exchange (connecting, sending, the status, and
//! every byte of the body) must end before one deadline, and the body may not be longer than
//! [`crate::MAX_REPLY_BYTES`]. A node that trickles its answer or streams forever costs the
//! worker one failed attempt, never more.

use crate::{commands::Transport, error::ZosError};
use alloc::{format, string::String, vec::Vec};
use sp_runtime::offchain::{http, Duration};

/// POSTs envelopes to a node's endpoint from an off-chain worker.
pub struct OffchainHttp {
	endpoint: String,
	timeout: Duration,
}

impl OffchainHttp {
	/// A transport to `endpoint` (the node's registered URL) that gives up after
	/// `timeout_millis`.
	pub fn new(endpoint: String, timeout_millis: u64) -> Self {
		OffchainHttp { endpoint, timeout: Duration::from_millis(timeout_millis) }
	}
}

impl Transport for OffchainHttp {
	fn post(&mut self, envelope: &[u8]) -> Result<Vec<u8>, ZosError> {
		let deadline = sp_io::offchain::timestamp().add(self.timeout);
		let pending = http::Request::post(&self.endpoint, [envelope])
			.add_header("Content-Type", crate::rmb::JSON_SCHEMA)
			.deadline(deadline)
			.send()
			.map_err(|e| ZosError::Unreachable(format!("cannot send: {e:?}")))?;
		let response = pending
			.try_wait(deadline)
			.map_err(|_| ZosError::Unreachable("no answer before the deadline".into()))?
			.map_err(|e| ZosError::Unreachable(format!("{e:?}")))?;
		if response.code != 200 {
			return Err(ZosError::HttpStatus(response.code));
		}
		let mut body = response.body();
		body.deadline(deadline);
		let mut reply = Vec::new();
		for byte in body.by_ref() {
			if reply.len() == crate::MAX_REPLY_BYTES {
				return Err(ZosError::InvalidReply(format!(
					"the reply is longer than {} bytes",
					crate::MAX_REPLY_BYTES
				)));
			}
			reply.push(byte);
		}
		if let Some(error) = body.error() {
			return Err(ZosError::Unreachable(format!(
				"the reply was not read in time: {error:?}"
			)));
		}
		Ok(reply)
	}

	fn now(&self) -> u64 {
		sp_io::offchain::timestamp().unix_millis() / 1000
	}
}
