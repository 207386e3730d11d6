//! The transport of the off-chain worker: HTTP POST through `sp_runtime::offchain::http`.

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
		Ok(response.body().collect())
	}

	fn now(&self) -> u64 {
		sp_io::offchain::timestamp().unix_millis() / 1000
	}
}
