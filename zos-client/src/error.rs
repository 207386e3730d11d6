//! What can go wrong talking to a ZOS node.

use alloc::string::String;
use core::fmt;

/// Error codes of failed commands, in the reply's `err.code`.
pub mod code {
	/// The body is not a valid request for the command (bad JSON, a missing field).
	pub const BAD_REQUEST: u32 = 400;
	/// The deployment is invalid or its signatures, agreement or capacity do not allow it.
	pub const REFUSED: u32 = 403;
	/// The request is not signed by the operator of the node's farm.
	pub const UNAUTHORIZED: u32 = 401;
	/// No deployment has this contract id.
	pub const NOT_FOUND: u32 = 404;
	/// A deployment with this contract id exists already.
	pub const CONFLICT: u32 = 409;
	/// The command does not exist.
	pub const UNKNOWN_COMMAND: u32 = 422;
	/// The node failed internally.
	pub const INTERNAL: u32 = 500;
	/// The node cannot check the request now (e.g. the chain is unreachable); try again.
	pub const UNAVAILABLE: u32 = 503;
}

/// A failed exchange with a ZOS node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZosError {
	/// The node answered with an error: a code from [`code`] and ZOS's message.
	Remote {
		/// The error code.
		code: u32,
		/// The node's message.
		message: String,
	},
	/// The node could not be reached or did not answer in time; worth retrying.
	Unreachable(String),
	/// The node answered with an HTTP status other than 200.
	HttpStatus(u16),
	/// The node's answer is not a reply to the request.
	InvalidReply(String),
	/// A request is not a valid message (what a node answers a malformed request with).
	InvalidMessage(String),
	/// A message is not signed by the key it must be signed by (or its key is not at hand).
	BadSignature(String),
}

impl ZosError {
	/// Whether trying again later can succeed: the node was unreachable or busy, not refusing.
	pub fn is_transient(&self) -> bool {
		match self {
			ZosError::Unreachable(_) => true,
			ZosError::HttpStatus(status) => *status >= 500,
			ZosError::Remote { code, .. } => *code == code::UNAVAILABLE,
			ZosError::InvalidReply(_) | ZosError::InvalidMessage(_) | ZosError::BadSignature(_) => {
				false
			},
		}
	}

	/// Whether the node said it has no such deployment.
	pub fn is_not_found(&self) -> bool {
		matches!(self, ZosError::Remote { code: code::NOT_FOUND, .. })
	}
}

impl fmt::Display for ZosError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			ZosError::Remote { code, message } => write!(f, "ZOS error {code}: {message}"),
			ZosError::Unreachable(why) => write!(f, "ZOS node unreachable: {why}"),
			ZosError::HttpStatus(status) => write!(f, "ZOS node answered HTTP {status}"),
			ZosError::InvalidReply(why) => write!(f, "invalid reply from ZOS node: {why}"),
			ZosError::InvalidMessage(why) => write!(f, "invalid message: {why}"),
			ZosError::BadSignature(why) => write!(f, "bad signature: {why}"),
		}
	}
}

#[cfg(feature = "std")]
impl std::error::Error for ZosError {}
