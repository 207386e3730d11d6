//! RMB message bodies: the envelope a request travels in and the reply a ZOS node sends back.
//!
//! ZOS receives its commands through RMB (the Reliable Message Bus) as JSON envelopes whose
//! `dat` is the base64 of the command's JSON body. gridchain carries the very same envelopes
//! over HTTP POST to the node's registered endpoint (RMB's relay cannot run inside an
//! off-chain worker), so a node reads exactly the payloads it reads from RMB.
//!
//! # Signatures
//!
//! As in RMB, every message is signed by its sender and `sig` carries the hex of 65 bytes: one
//! byte naming the key type (`e` ed25519, `s` sr25519, as RMB's) and the 64-byte signature
//! (sr25519 with the signing context `substrate`). The request is signed by the farm's
//! operator key (sr25519), the reply by the node's own key (ed25519, registered with the node
//! on chain).
//!
//! What is signed is the 32-byte [challenge](Envelope::challenge): the BLAKE2b-256 hash of the
//! message's fields, each framed as a netstring (`<length in bytes>:<bytes>,`) so that no two
//! messages share a challenge:
//! - a request: `gridchain-rmb-request`, `ver`, `ref`, `cmd`, `exp`, `dat`, `src`, the number
//!   of `dst` twins and each of them, `now`, `shm`;
//! - a reply: `gridchain-rmb-reply`, `ver`, `ref`, `src`, the number of `dst` twins and each of
//!   them, `now`, `shm`, then either `dat` and the `dat` text, `err` with its `code` and
//!   `message`, or `none`.
//!
//! Numbers are written in decimal, texts as their UTF-8 bytes (`dat` as its base64 text).
//! RMB itself hashes the same fields with MD5, run together without framing and without `exp`;
//! gridchain signs every field that travels, framed, with a hash that has no known collisions.

use crate::error::ZosError;
use alloc::{format, string::String, vec, vec::Vec};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};
use serde::{Deserialize, Serialize};

/// The envelope version this crate speaks.
pub const VERSION: u32 = 1;

/// The MIME type of every body: JSON.
pub const JSON_SCHEMA: &str = "application/json";

/// The length of a signature as it travels: the key type byte and 64 signature bytes.
pub const SIGNATURE_LENGTH: usize = 65;

/// The key type byte of an ed25519 signature (a ZOS node's key).
pub const ED25519: u8 = b'e';

/// The key type byte of an sr25519 signature (a farm operator's key).
pub const SR25519: u8 = b's';

/// Signs messages as their sender.
pub trait Signer {
	/// The signature of `challenge`: the key type byte ([`ED25519`] or [`SR25519`]) and the 64
	/// signature bytes; `None` when the key is not at hand.
	fn sign(&self, challenge: &[u8; 32]) -> Option<[u8; SIGNATURE_LENGTH]>;
}

#[cfg(feature = "std")]
impl Signer for sp_core::ed25519::Pair {
	fn sign(&self, challenge: &[u8; 32]) -> Option<[u8; SIGNATURE_LENGTH]> {
		Some(with_key_type(ED25519, sp_core::Pair::sign(self, challenge).0))
	}
}

#[cfg(feature = "std")]
impl Signer for sp_core::sr25519::Pair {
	fn sign(&self, challenge: &[u8; 32]) -> Option<[u8; SIGNATURE_LENGTH]> {
		Some(with_key_type(SR25519, sp_core::Pair::sign(self, challenge).0))
	}
}

/// A signature as it travels: `key_type` followed by the signature's bytes.
pub fn with_key_type(key_type: u8, signature: [u8; 64]) -> [u8; SIGNATURE_LENGTH] {
	let mut bytes = [key_type; SIGNATURE_LENGTH];
	bytes[1..].copy_from_slice(&signature);
	bytes
}

/// Whether `signature` (as it travels, key type first) is `public`'s signature of
/// `challenge`.
pub fn verify(signature: &[u8; SIGNATURE_LENGTH], challenge: &[u8; 32], public: &[u8; 32]) -> bool {
	let mut bytes = [0u8; 64];
	bytes.copy_from_slice(&signature[1..]);
	match signature[0] {
		ED25519 => sp_io::crypto::ed25519_verify(
			&sp_core::ed25519::Signature::from_raw(bytes),
			challenge,
			&sp_core::ed25519::Public::from_raw(*public),
		),
		SR25519 => sp_io::crypto::sr25519_verify(
			&sp_core::sr25519::Signature::from_raw(bytes),
			challenge,
			&sp_core::sr25519::Public::from_raw(*public),
		),
		_ => false,
	}
}

/// Reads the `sig` of a message.
fn signature_of(sig: &Option<String>) -> Result<[u8; SIGNATURE_LENGTH], ZosError> {
	let sig =
		sig.as_ref().ok_or_else(|| ZosError::BadSignature("the message is not signed".into()))?;
	let mut bytes = [0u8; SIGNATURE_LENGTH];
	hex::decode_to_slice(sig, &mut bytes).map_err(|_| {
		ZosError::BadSignature(format!("sig is not the hex of {SIGNATURE_LENGTH} bytes"))
	})?;
	Ok(bytes)
}

/// The fields of a message, framed as netstrings, hashed into its challenge.
struct Challenge(Vec<u8>);

impl Challenge {
	fn new(domain: &str) -> Self {
		Challenge(Vec::new()).field(domain)
	}

	fn field(mut self, value: impl core::fmt::Display) -> Self {
		let text = format!("{value}");
		self.0.extend_from_slice(format!("{}:", text.len()).as_bytes());
		self.0.extend_from_slice(text.as_bytes());
		self.0.push(b',');
		self
	}

	fn twins(self, twins: &[u32]) -> Self {
		twins.iter().fold(self.field(twins.len()), |challenge, twin| challenge.field(twin))
	}

	fn hash(self) -> [u8; 32] {
		sp_io::hashing::blake2_256(&self.0)
	}
}

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
	/// The sender's signature of the [challenge](Envelope::challenge), in hex.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub sig: Option<String>,
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
	/// The node's signature of the [challenge](Reply::challenge), in hex.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub sig: Option<String>,
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
			sig: None,
		}
	}

	/// What the sender signs: the hash of every field but `sig` (see the [module](self)).
	pub fn challenge(&self) -> [u8; 32] {
		Challenge::new("gridchain-rmb-request")
			.field(self.ver)
			.field(&self.reference)
			.field(&self.cmd)
			.field(self.exp)
			.field(&self.dat)
			.field(self.src)
			.twins(&self.dst)
			.field(self.now)
			.field(&self.shm)
			.hash()
	}

	/// Signs the envelope as its sender.
	pub fn sign(&mut self, signer: &impl Signer) -> Result<(), ZosError> {
		let signature = signer
			.sign(&self.challenge())
			.ok_or_else(|| ZosError::BadSignature("the sender's key is not at hand".into()))?;
		self.sig = Some(hex::encode(signature));
		Ok(())
	}

	/// Checks that the envelope is signed by `public`'s key.
	pub fn verify(&self, public: &[u8; 32]) -> Result<(), ZosError> {
		if verify(&signature_of(&self.sig)?, &self.challenge(), public) {
			Ok(())
		} else {
			Err(ZosError::BadSignature("the request is not signed by the farm's operator".into()))
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
			sig: None,
		}
	}
}

impl Reply {
	/// The reply as the JSON bytes that travel.
	pub fn to_bytes(&self) -> Vec<u8> {
		serde_json::to_vec(self).unwrap_or_default()
	}

	/// What the node signs: the hash of every field but `sig` (see the [module](self)).
	pub fn challenge(&self) -> [u8; 32] {
		let challenge = Challenge::new("gridchain-rmb-reply")
			.field(self.ver)
			.field(&self.reference)
			.field(self.src)
			.twins(&self.dst)
			.field(self.now)
			.field(&self.shm);
		match (&self.dat, &self.err) {
			(Some(dat), _) => challenge.field("dat").field(dat),
			(None, Some(ReplyError { code, message })) => {
				challenge.field("err").field(code).field(message)
			},
			(None, None) => challenge.field("none"),
		}
		.hash()
	}

	/// Signs the reply as the node.
	pub fn sign(mut self, signer: &impl Signer) -> Result<Self, ZosError> {
		let signature = signer
			.sign(&self.challenge())
			.ok_or_else(|| ZosError::BadSignature("the node's key is not at hand".into()))?;
		self.sig = Some(hex::encode(signature));
		Ok(self)
	}

	/// Reads the reply to the request with `reference`, signed by the node's key
	/// `node_key` (ed25519): its JSON body, or the node's error. A reply not signed by that
	/// key is not believed, whatever it says.
	pub fn open(bytes: &[u8], reference: &str, node_key: &[u8; 32]) -> Result<Vec<u8>, ZosError> {
		let reply: Reply = serde_json::from_slice(bytes)
			.map_err(|e| ZosError::InvalidReply(format!("not an RMB reply: {e}")))?;
		let signature = signature_of(&reply.sig)?;
		if signature[0] != ED25519 || !verify(&signature, &reply.challenge(), node_key) {
			return Err(ZosError::BadSignature("the reply is not signed by the node's key".into()));
		}
		if reply.reference != reference {
			return Err(ZosError::InvalidReply(format!(
				"reply to {:?}, expected {reference:?}",
				reply.reference
			)));
		}
		match (reply.err, reply.dat) {
			// The signature covers `dat` alone when there is one: an `err` beside it was not
			// signed, and may have been added on the way.
			(Some(_), Some(_)) => Err(ZosError::InvalidReply("reply has both dat and err".into())),
			(Some(ReplyError { code, message }), None) => Err(ZosError::Remote { code, message }),
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
	use sp_core::{ed25519, sr25519, Pair};

	fn node() -> ed25519::Pair {
		ed25519::Pair::from_string("//Node", None).unwrap()
	}

	fn operator() -> sr25519::Pair {
		sr25519::Pair::from_string("//Operator", None).unwrap()
	}

	fn open(reply: &Reply, reference: &str) -> Result<Vec<u8>, ZosError> {
		Reply::open(&reply.clone().sign(&node()).unwrap().to_bytes(), reference, &node().public().0)
	}

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
		assert_eq!(open(&reply, "r-1").unwrap(), br#"{"zos":"v3"}"#);
		assert!(matches!(open(&reply, "r-2"), Err(ZosError::InvalidReply(_))));
	}

	#[test]
	fn an_error_reply_is_a_remote_error_with_its_code_and_message() {
		let envelope = Envelope::new("r".into(), "zos.deployment.get", b"{}", 1, 2, 0, 60);
		let reply = envelope.reply_err(2, 0, 404, "deployment not found".into());
		let json: serde_json::Value = serde_json::from_slice(&reply.to_bytes()).unwrap();
		assert_eq!(json["err"]["code"], 404);
		assert!(json.get("dat").is_none());
		assert_eq!(
			open(&reply, "r"),
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
		assert!(matches!(Reply::open(b"[]", "r", &[0; 32]), Err(ZosError::InvalidReply(_))));
		envelope.sig = Some("zz".into());
		assert!(matches!(envelope.verify(&[0; 32]), Err(ZosError::BadSignature(_))));
	}

	#[test]
	fn a_signed_envelope_verifies_and_any_change_breaks_its_signature() {
		let mut envelope = Envelope::new(
			"2-60-1".into(),
			"zos.deployment.get",
			br#"{"contract_id":1}"#,
			2,
			0,
			60,
			60,
		);
		let operator = operator().public().0;
		assert!(matches!(envelope.verify(&operator), Err(ZosError::BadSignature(_))));
		envelope.sign(&self::operator()).unwrap();
		assert_eq!(envelope.verify(&operator), Ok(()));
		// The signature travels: read back from the bytes, it still verifies.
		let read = Envelope::from_bytes(&envelope.to_bytes()).unwrap();
		assert_eq!(read.verify(&operator), Ok(()));
		assert_eq!(&read.sig.as_ref().unwrap()[..2], "73", "the sr25519 key type byte 's'");
		// Another key's signature is refused.
		assert!(envelope.verify(&node().public().0).is_err());
		let tampered: [fn(&mut Envelope); 9] = [
			|e| e.ver = 2,
			|e| e.reference.push('0'),
			|e| e.cmd = "zos.deployment.delete".into(),
			|e| e.exp += 3_600,
			|e| e.dat = "e30=".into(),
			|e| e.src = 3,
			|e| e.dst.push(5),
			|e| e.now += 1,
			|e| e.shm.clear(),
		];
		for tamper in tampered {
			let mut changed = envelope.clone();
			tamper(&mut changed);
			assert!(changed.verify(&operator).is_err(), "{changed:?} must not verify");
		}
	}

	#[test]
	fn fields_are_framed_so_moving_a_boundary_changes_the_challenge() {
		// RMB runs the fields together: src 1 and dst [23] would read as src 12 and dst [3].
		let one = Envelope::new("r".into(), "c", b"", 1, 23, 0, 60);
		let other = Envelope::new("r".into(), "c", b"", 12, 3, 0, 60);
		assert_ne!(one.challenge(), other.challenge());
		let error = Envelope::new("r".into(), "c", b"", 1, 2, 0, 60);
		let (a, b) =
			(error.reply_err(2, 0, 40, "4 x".into()), error.reply_err(2, 0, 404, " x".into()));
		assert_ne!(a.challenge(), b.challenge());
	}

	#[test]
	fn a_reply_is_believed_only_when_signed_by_the_nodes_ed25519_key() {
		let envelope = Envelope::new("r".into(), "zos.deployment.get", b"{}", 1, 2, 0, 60);
		let reply = envelope.reply_err(2, 0, 404, "deployment not found".into());
		let node_key = node().public().0;
		// Unsigned.
		assert!(matches!(
			Reply::open(&reply.to_bytes(), "r", &node_key),
			Err(ZosError::BadSignature(_))
		));
		// Signed by another key.
		let impostor = ed25519::Pair::from_string("//Impostor", None).unwrap();
		let signed = reply.clone().sign(&impostor).unwrap();
		assert!(matches!(
			Reply::open(&signed.to_bytes(), "r", &node_key),
			Err(ZosError::BadSignature(_))
		));
		// Signed by the node, then changed.
		let mut changed = reply.clone().sign(&node()).unwrap();
		changed.err = Some(ReplyError { code: 403, message: "refused".into() });
		assert!(matches!(
			Reply::open(&changed.to_bytes(), "r", &node_key),
			Err(ZosError::BadSignature(_))
		));
		// The node's signature with another key type byte is not the node's.
		let mut retyped = reply.clone().sign(&node()).unwrap();
		retyped.sig = retyped.sig.map(|sig| format!("73{}", &sig[2..]));
		assert!(matches!(
			Reply::open(&retyped.to_bytes(), "r", &node_key),
			Err(ZosError::BadSignature(_))
		));
		// Signed by the node: believed.
		let signed = reply.sign(&node()).unwrap();
		assert!(Reply::open(&signed.to_bytes(), "r", &node_key).unwrap_err().is_not_found());

		// A success signed by the node, with an error added on the way (the signature covers
		// `dat` alone): not believed either way.
		let success = envelope.reply_ok(2, 0, b"{}").sign(&node()).unwrap();
		assert!(Reply::open(&success.to_bytes(), "r", &node_key).is_ok());
		let mut added = success;
		added.err = Some(ReplyError { code: 404, message: "deployment not found".into() });
		assert!(matches!(
			Reply::open(&added.to_bytes(), "r", &node_key),
			Err(ZosError::InvalidReply(_))
		));
	}

	/// The challenge of a fixed request and reply: the end-to-end tests compute the same from
	/// their own (JavaScript) implementation of docs/zos.md.
	#[test]
	fn the_challenge_is_the_documented_hash() {
		// The example of docs/zos.md, its hash computed with Python's hashlib.
		let example = Envelope::new(
			"2-1763780000-1".into(),
			"zos.deployment.get",
			br#"{"contract_id":1}"#,
			2,
			0,
			1_763_780_000,
			60,
		);
		assert_eq!(
			hex::encode(example.challenge()),
			"d2067b396339305ae98335e14837195255cace58481f592c0f0133fa7c0dfb31"
		);
		let envelope = Envelope::new(
			"2-60-1".into(),
			"zos.deployment.get",
			br#"{"contract_id":1}"#,
			2,
			0,
			60,
			60,
		);
		let framed = "21:gridchain-rmb-request,1:1,6:2-60-1,18:zos.deployment.get,3:120,24:eyJjb250cmFjdF9pZCI6MX0=,1:2,1:1,1:0,2:60,16:application/json,";
		assert_eq!(envelope.challenge(), sp_io::hashing::blake2_256(framed.as_bytes()));
		let reply = envelope.reply_err(0, 61, 404, "deployment not found".into());
		let framed = "19:gridchain-rmb-reply,1:1,6:2-60-1,1:0,1:1,1:2,2:61,16:application/json,3:err,3:404,20:deployment not found,";
		assert_eq!(reply.challenge(), sp_io::hashing::blake2_256(framed.as_bytes()));
	}
}
