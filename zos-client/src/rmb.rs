//! RMB message bodies: the envelope a request travels in and the reply a ZOS node sends back.
//!
//! ZOS receives its commands through RMB (the Reliable Message Bus) as JSON envelopes whose
//! `dat` is the base64 of the command's JSON body. gridchain carries the very same envelopes
//! over HTTP POST to the node's registered endpoint (RMB's relay cannot run inside an
//! off-chain worker), so a node reads exactly the payloads it reads from RMB.

use crate::error::ZosError;
use alloc::{format, string::String, vec, vec::Vec};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};
use serde::{Deserialize, Serialize};

/// The envelope version this crate speaks.
pub const VERSION: u32 = 1;

/// The MIME type of every body: JSON.
pub const JSON_SCHEMA: &str = "application/json";

/// A request envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
	/// [`VERSION`].
	pub ver: u32,
	/// The request's reference; the reply carries it back.
	#[serde(rename = "ref")]
	pub reference: String,
	/// The command, e.g. `zos.deployment.get`.
	pub cmd: String,
	/// When the request expires, unix seconds.
	pub exp: u64,
	/// The command's JSON body, base64 encoded.
	pub dat: String,
	/// The sending twin.
	pub src: u32,
	/// The receiving twins (the node's twin).
	pub dst: Vec<u32>,
	/// When the request was made, unix seconds.
	pub now: u64,
	/// The body's schema: [`JSON_SCHEMA`].
	pub shm: String,
}

/// A reply envelope: `dat` on success, `err` on failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
	/// [`VERSION`].
	pub ver: u32,
	/// The reference of the request this answers.
	#[serde(rename = "ref")]
	pub reference: String,
	/// The answering twin.
	pub src: u32,
	/// The requesting twin.
	pub dst: Vec<u32>,
	/// When the reply was made, unix seconds.
	pub now: u64,
	/// The body's schema: [`JSON_SCHEMA`].
	#[serde(default)]
	pub shm: String,
	/// The reply's JSON body, base64 encoded, when the command succeeded.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub dat: Option<String>,
	/// Why the command failed.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub err: Option<ReplyError>,
}

/// The error of a failed command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyError {
	/// A code from [`crate::error::code`].
	pub code: u32,
	/// ZOS's message.
	pub message: String,
}

impl Envelope {
	/// An envelope for `cmd` with the JSON `body`, from `src` to `dst`, made at `now` and
	/// valid for `ttl_secs`.
	pub fn new(
		reference: String,
		cmd: &str,
		body: &[u8],
		src: u32,
		dst: u32,
		now: u64,
		ttl_secs: u64,
	) -> Self {
		Envelope {
			ver: VERSION,
			reference,
			cmd: cmd.into(),
			exp: now.saturating_add(ttl_secs),
			dat: BASE64.encode(body),
			src,
			dst: vec![dst],
			now,
			shm: JSON_SCHEMA.into(),
		}
	}

	/// The envelope as the JSON bytes that travel.
	pub fn to_bytes(&self) -> Vec<u8> {
		// A struct of strings and numbers always serializes.
		serde_json::to_vec(self).unwrap_or_default()
	}

	/// Reads an envelope, as a node does.
	pub fn from_bytes(bytes: &[u8]) -> Result<Self, ZosError> {
		let envelope: Envelope = serde_json::from_slice(bytes)
			.map_err(|e| ZosError::InvalidMessage(format!("not an RMB envelope: {e}")))?;
		if envelope.ver != VERSION {
			return Err(ZosError::InvalidMessage(format!(
				"envelope version {} is not {VERSION}",
				envelope.ver
			)));
		}
		Ok(envelope)
	}

	/// The command's JSON body.
	pub fn body(&self) -> Result<Vec<u8>, ZosError> {
		BASE64
			.decode(&self.dat)
			.map_err(|e| ZosError::InvalidMessage(format!("dat is not base64: {e}")))
	}

	/// Whether the envelope expired at `now`.
	pub fn is_expired(&self, now: u64) -> bool {
		self.exp < now
	}

	/// A successful reply to this envelope with the JSON `body`.
	pub fn reply_ok(&self, src: u32, now: u64, body: &[u8]) -> Reply {
		Reply { dat: Some(BASE64.encode(body)), err: None, ..self.reply(src, now) }
	}

	/// A failed reply to this envelope.
	pub fn reply_err(&self, src: u32, now: u64, code: u32, message: String) -> Reply {
		Reply { dat: None, err: Some(ReplyError { code, message }), ..self.reply(src, now) }
	}

	fn reply(&self, src: u32, now: u64) -> Reply {
		Reply {
			ver: VERSION,
			reference: self.reference.clone(),
			src,
			dst: vec![self.src],
			now,
			shm: JSON_SCHEMA.into(),
			dat: None,
			err: None,
		}
	}
}

impl Reply {
	/// The reply as the JSON bytes that travel.
	pub fn to_bytes(&self) -> Vec<u8> {
		serde_json::to_vec(self).unwrap_or_default()
	}

	/// Reads the reply to the request with `reference`: its JSON body, or the node's error.
	pub fn open(bytes: &[u8], reference: &str) -> Result<Vec<u8>, ZosError> {
		let reply: Reply = serde_json::from_slice(bytes)
			.map_err(|e| ZosError::InvalidReply(format!("not an RMB reply: {e}")))?;
		if reply.reference != reference {
			return Err(ZosError::InvalidReply(format!(
				"reply to {:?}, expected {reference:?}",
				reply.reference
			)));
		}
		match (reply.err, reply.dat) {
			(Some(ReplyError { code, message }), _) => Err(ZosError::Remote { code, message }),
			(None, Some(dat)) => BASE64
				.decode(dat)
				.map_err(|e| ZosError::InvalidReply(format!("dat is not base64: {e}"))),
			(None, None) => Err(ZosError::InvalidReply("reply has neither dat nor err".into())),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn an_envelope_carries_the_body_in_base64_and_the_reply_comes_back_to_it() {
		let envelope = Envelope::new("r-1".into(), "zos.system.version", b"null", 7, 11, 1_000, 60);
		let json: serde_json::Value = serde_json::from_slice(&envelope.to_bytes()).unwrap();
		assert_eq!(json["ref"], "r-1");
		assert_eq!(json["cmd"], "zos.system.version");
		assert_eq!(json["dat"], "bnVsbA==");
		assert_eq!(json["dst"], serde_json::json!([11]));
		assert_eq!(json["exp"], 1_060);
		assert_eq!(json["shm"], "application/json");

		let read = Envelope::from_bytes(&envelope.to_bytes()).unwrap();
		assert_eq!(read.body().unwrap(), b"null");
		let reply = read.reply_ok(11, 1_001, br#"{"zos":"v3"}"#);
		assert_eq!(reply.dst, vec![7]);
		assert_eq!(Reply::open(&reply.to_bytes(), "r-1").unwrap(), br#"{"zos":"v3"}"#);
		assert!(matches!(Reply::open(&reply.to_bytes(), "r-2"), Err(ZosError::InvalidReply(_))));
	}

	#[test]
	fn an_error_reply_is_a_remote_error_with_its_code_and_message() {
		let envelope = Envelope::new("r".into(), "zos.deployment.get", b"{}", 1, 2, 0, 60);
		let reply = envelope.reply_err(2, 0, 404, "deployment not found".into());
		let json: serde_json::Value = serde_json::from_slice(&reply.to_bytes()).unwrap();
		assert_eq!(json["err"]["code"], 404);
		assert!(json.get("dat").is_none());
		assert_eq!(
			Reply::open(&reply.to_bytes(), "r"),
			Err(ZosError::Remote { code: 404, message: "deployment not found".into() })
		);
	}

	#[test]
	fn malformed_messages_are_typed_errors() {
		assert!(matches!(Envelope::from_bytes(b"{"), Err(ZosError::InvalidMessage(_))));
		let mut envelope = Envelope::new("r".into(), "c", b"{}", 1, 2, 0, 60);
		envelope.ver = 2;
		assert!(matches!(
			Envelope::from_bytes(&envelope.to_bytes()),
			Err(ZosError::InvalidMessage(_))
		));
		envelope.ver = 1;
		envelope.dat = "***".into();
		assert!(matches!(envelope.body(), Err(ZosError::InvalidMessage(_))));
		assert!(matches!(Reply::open(b"[]", "r"), Err(ZosError::InvalidReply(_))));
	}
}
