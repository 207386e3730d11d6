//! The deployment challenge: the text whose MD5 hash a deployment's owner signs and a contract
//! on chain carries. ZOS builds it by concatenating, with no separators: the deployment's
//! version, twin id, metadata, description and expiration; for each workload its version,
//! name, type, metadata, description and its data's own challenge (the size, for volume and
//! zmount); for each signature request its twin id, `true`/`false` and weight; then the
//! required weight and the signature style. The contract id and the signatures are left out.

use crate::deployment::{Deployment, SignatureStyle, Workload, WorkloadData};
use alloc::{string::String, vec::Vec};
use core::fmt::{self, Write};
use md5::{Digest, Md5};

/// The MD5 hash of a deployment's challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChallengeHash(pub [u8; 16]);

impl ChallengeHash {
	/// The 32 lowercase hex characters a contract on chain stores.
	pub fn to_hex(&self) -> [u8; 32] {
		let mut out = [0u8; 32];
		// Cannot fail: the output is exactly twice the input's length.
		let _ = hex::encode_to_slice(self.0, &mut out);
		out
	}
}

/// Feeds `fmt::Write` output into the MD5 state, so the challenge is hashed without being
/// collected.
struct HashWriter<'a>(&'a mut Md5);

impl Write for HashWriter<'_> {
	fn write_str(&mut self, s: &str) -> fmt::Result {
		self.0.update(s.as_bytes());
		Ok(())
	}
}

impl WorkloadData {
	fn write_challenge(&self, out: &mut impl Write) -> fmt::Result {
		match self {
			WorkloadData::Volume { size } | WorkloadData::Zmount { size } => write!(out, "{size}"),
		}
	}
}

impl Workload {
	fn write_challenge(&self, out: &mut impl Write) -> fmt::Result {
		write!(out, "{}{}{}", self.version, self.name, self.data.type_name())?;
		write!(out, "{}{}", self.metadata, self.description)?;
		self.data.write_challenge(out)
	}
}

impl Deployment {
	/// Writes the challenge text to `out`.
	pub fn write_challenge(&self, out: &mut impl Write) -> fmt::Result {
		write!(out, "{}{}", self.version, self.twin_id)?;
		write!(out, "{}{}{}", self.metadata, self.description, self.expiration)?;
		for workload in &self.workloads {
			workload.write_challenge(out)?;
		}
		let requirement = &self.signature_requirement;
		for request in &requirement.requests {
			write!(out, "{}{}{}", request.twin_id, request.required, request.weight)?;
		}
		write!(out, "{}{}", requirement.weight_required, requirement.signature_style.as_str())
	}

	/// The challenge text.
	pub fn challenge(&self) -> String {
		let mut out = String::new();
		// Writing to a String cannot fail.
		let _ = self.write_challenge(&mut out);
		out
	}

	/// The MD5 hash of the challenge.
	pub fn challenge_hash(&self) -> ChallengeHash {
		let mut hasher = Md5::new();
		// HashWriter never fails.
		let _ = self.write_challenge(&mut HashWriter(&mut hasher));
		ChallengeHash(hasher.finalize().into())
	}
}

/// The bytes a signature over `hash` signs in the given style: the 16 raw hash bytes, or for
/// `polka-wallet` the text `<Bytes>` + 32 hex characters + `</Bytes>` that browser wallets
/// sign.
pub fn signed_message(hash: &ChallengeHash, style: SignatureStyle) -> Vec<u8> {
	match style {
		SignatureStyle::Raw => hash.0.to_vec(),
		SignatureStyle::PolkaWallet => {
			let mut message = Vec::with_capacity(7 + 32 + 8);
			message.extend_from_slice(b"<Bytes>");
			message.extend_from_slice(&hash.to_hex());
			message.extend_from_slice(b"</Bytes>");
			message
		},
	}
}
