//! Stellar transactions as the bridge makes them from the vault: one payment of an asset,
//! with a memo ([`Payment`]), or a change of the vault's signers and thresholds
//! ([`SetSigners`]). The chain fixes every field (sequence, fee, memo, time bounds) before the
//! bridge's validators sign, computes the hash and checks their signatures; the relay
//! assembles the envelope it submits to Horizon. So the runtime needs the XDR of exactly these
//! shapes, and SDF's `stellar-xdr` crate encodes and hashes only with `std`: this module is
//! those shapes, written out (`no_std`), payments checked byte for byte against the
//! independent vectors in `tests/vectors/stellar_payments.json` (made by the Python
//! stellar-sdk). The relay cross-checks both against `stellar-xdr`.
//!
//! The layout (XDR: big endian, 4-byte aligned), a `TransactionEnvelope` of type
//! `ENVELOPE_TYPE_TX` (2):
//!
//! | part | encoding |
//! | --- | --- |
//! | source | `KEY_TYPE_ED25519` (0), 32 bytes |
//! | fee, sequence | `u32`, `i64` |
//! | preconditions | `PRECOND_TIME` (1), `u64` min time, `u64` max time (also when both are 0) |
//! | memo | type (0 none, 1 text, 2 id, 3 hash, 4 return), then its payload |
//! | operations (payment) | 1; no source (0); `PAYMENT` (1); destination (0, 32 bytes); asset; `i64` amount |
//! | operations (signers) | per signer: no source; `SET_OPTIONS` (5); 8 absent options (0); signer present (1), `SIGNER_KEY_TYPE_ED25519` (0), key, `u32` weight; then one `SET_OPTIONS` with master weight 0 and the three thresholds present, the rest absent |
//! | ext | 0 |
//! | signatures | count, then per signature: 4-byte hint, 64 (`u32` length), 64 bytes |
//!
//! The hash a signer signs is `sha256(network id ‖ ENVELOPE_TYPE_TX ‖ transaction)`, where the
//! network id is the sha256 of the network's passphrase and the transaction is the envelope
//! without its type and its signatures.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::ConstU32;
use sp_runtime::BoundedVec;

/// The passphrase of Stellar's public network.
pub const PUBLIC_NETWORK: &str = "Public Global Stellar Network ; September 2015";
/// The passphrase of Stellar's test network.
pub const TEST_NETWORK: &str = "Test SDF Network ; September 2015";
/// The passphrase of a standalone network (a local Stellar node, stellar-sim).
pub const STANDALONE_NETWORK: &str = "Standalone Network ; February 2017";

/// The longest text memo, in bytes.
pub const MAX_TEXT_MEMO: u32 = 28;

/// An ed25519 public key: a Stellar account (`G…`).
pub type AccountKey = [u8; 32];

const ENVELOPE_TYPE_TX: u32 = 2;
const KEY_TYPE_ED25519: u32 = 0;
const PRECOND_TIME: u32 = 1;
const PAYMENT: u32 = 1;
const SET_OPTIONS: u32 = 5;
const SIGNER_KEY_TYPE_ED25519: u32 = 0;
const ASSET_TYPE_CREDIT_ALPHANUM4: u32 = 1;
const ASSET_TYPE_CREDIT_ALPHANUM12: u32 = 2;

/// A transaction's memo.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum Memo {
	/// No memo.
	None,
	/// Up to 28 bytes of text.
	Text(BoundedVec<u8, ConstU32<MAX_TEXT_MEMO>>),
	/// A number.
	Id(u64),
	/// 32 bytes (a hash, or a chain account).
	Hash([u8; 32]),
	/// The hash of the transaction this one pays back.
	Return([u8; 32]),
}

/// An issued asset: its code (1–4 or 5–12 characters) and its issuer.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Asset {
	/// The code, zero-padded: 4 bytes for codes of 1–4 characters, else 12.
	pub code: BoundedVec<u8, ConstU32<12>>,
	/// The issuing account.
	pub issuer: AccountKey,
}

impl Asset {
	/// The asset `code` (1–12 ASCII letters or digits) of `issuer`; `None` for another code.
	pub fn new(code: &[u8], issuer: AccountKey) -> Option<Self> {
		let valid =
			!code.is_empty() && code.len() <= 12 && code.iter().all(u8::is_ascii_alphanumeric);
		valid.then(|| {
			let width = if code.len() <= 4 { 4 } else { 12 };
			let mut padded = code.to_vec();
			padded.resize(width, 0);
			Self { code: BoundedVec::truncate_from(padded), issuer }
		})
	}
}

/// One payment from `source`, with everything its signers sign.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Payment {
	/// The paying account (the vault), whose sequence the transaction uses.
	pub source: AccountKey,
	/// The fee offered, in stroops.
	pub fee: u32,
	/// The source's sequence after this transaction: its current sequence + 1.
	pub sequence: i64,
	/// Valid from this unix time (0: any).
	pub min_time: u64,
	/// Valid until this unix time (0: forever).
	pub max_time: u64,
	/// The memo.
	pub memo: Memo,
	/// Who is paid.
	pub destination: AccountKey,
	/// What is paid.
	pub asset: Asset,
	/// How much, in the asset's smallest unit (a stroop: 10^-7).
	pub amount: i64,
}

/// The most signers a Stellar account has besides its master key.
pub const MAX_ACCOUNT_SIGNERS: u32 = 20;

/// The most signer changes one [`SetSigners`] makes: every signer out, as many in.
pub const MAX_SIGNER_CHANGES: u32 = 2 * MAX_ACCOUNT_SIGNERS;

/// A change of `source`'s signers and thresholds, with everything its signers sign: each
/// signer's new weight (0 removes it), then the master key's weight 0 and the low, medium and
/// high thresholds all `threshold`. Stellar checks it against the high threshold of the signers
/// before the change.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct SetSigners {
	/// The account whose signers change (the vault), whose sequence the transaction uses.
	pub source: AccountKey,
	/// The fee offered for the whole transaction, in stroops (at least 100 per operation).
	pub fee: u32,
	/// The source's sequence after this transaction: its current sequence + 1.
	pub sequence: i64,
	/// Valid from this unix time (0: any).
	pub min_time: u64,
	/// Valid until this unix time (0: forever).
	pub max_time: u64,
	/// The memo.
	pub memo: Memo,
	/// Each signer whose weight changes and its new weight (0: no longer a signer).
	pub signers: BoundedVec<(AccountKey, u8), ConstU32<MAX_SIGNER_CHANGES>>,
	/// The low, medium and high thresholds from then on.
	pub threshold: u8,
}

impl SetSigners {
	/// Its operations: one per signer changed, and the thresholds.
	pub fn operations(&self) -> u32 {
		(self.signers.len() as u32).saturating_add(1)
	}

	/// The fee of the whole transaction at `fee_per_operation` (Stellar asks at least 100 per
	/// operation).
	pub fn fee_at(&self, fee_per_operation: u32) -> u32 {
		fee_per_operation.saturating_mul(self.operations())
	}
}

/// A transaction from the vault that the chain fixes.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum VaultTransaction {
	/// A payment (a withdrawal, a refund).
	Payment(Payment),
	/// A change of the vault's signers (to follow the bridge circle).
	SetSigners(SetSigners),
}

/// A signature as an envelope carries it: the last 4 bytes of the signer's key, and the
/// signature of the transaction's hash.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct DecoratedSignature {
	/// The last 4 bytes of the signer's public key.
	pub hint: [u8; 4],
	/// The ed25519 signature of the transaction's hash.
	pub signature: [u8; 64],
}

impl DecoratedSignature {
	/// `signer`'s `signature`, with its hint.
	pub fn new(signer: &AccountKey, signature: [u8; 64]) -> Self {
		let mut hint = [0; 4];
		hint.copy_from_slice(&signer[28..]);
		Self { hint, signature }
	}
}

/// XDR writing: big endian, variable-length data padded to 4 bytes.
struct Xdr(Vec<u8>);

impl Xdr {
	fn u32(&mut self, value: u32) -> &mut Self {
		self.0.extend_from_slice(&value.to_be_bytes());
		self
	}
	fn u64(&mut self, value: u64) -> &mut Self {
		self.0.extend_from_slice(&value.to_be_bytes());
		self
	}
	fn i64(&mut self, value: i64) -> &mut Self {
		self.0.extend_from_slice(&value.to_be_bytes());
		self
	}
	fn fixed(&mut self, bytes: &[u8]) -> &mut Self {
		self.0.extend_from_slice(bytes);
		self
	}
	fn account(&mut self, key: &AccountKey) -> &mut Self {
		self.u32(KEY_TYPE_ED25519).fixed(key)
	}
	/// Length, bytes, zeros to the next multiple of 4.
	fn variable(&mut self, bytes: &[u8]) -> &mut Self {
		self.u32(bytes.len() as u32).fixed(bytes);
		let padding = (4 - bytes.len() % 4) % 4;
		self.fixed(&[0; 3][..padding])
	}
	/// An optional `u32`: present (1) and its value, or absent (0).
	fn optional_u32(&mut self, value: Option<u32>) -> &mut Self {
		match value {
			Some(value) => self.u32(1).u32(value),
			None => self.u32(0),
		}
	}
	/// What every transaction starts with: source, fee, sequence, time bounds, memo.
	fn header(
		&mut self,
		source: &AccountKey,
		fee: u32,
		sequence: i64,
		(min_time, max_time): (u64, u64),
		memo: &Memo,
	) -> &mut Self {
		self.account(source).u32(fee).i64(sequence).u32(PRECOND_TIME).u64(min_time).u64(max_time);
		match memo {
			Memo::None => self.u32(0),
			Memo::Text(text) => self.u32(1).variable(text),
			Memo::Id(id) => self.u32(2).u64(*id),
			Memo::Hash(hash) => self.u32(3).fixed(hash),
			Memo::Return(hash) => self.u32(4).fixed(hash),
		}
	}
}

/// `sha256(network id ‖ ENVELOPE_TYPE_TX ‖ transaction)`: what signers sign.
fn transaction_hash(network_id: &[u8; 32], transaction_xdr: &[u8]) -> [u8; 32] {
	let mut payload = Vec::with_capacity(36 + transaction_xdr.len());
	payload.extend_from_slice(network_id);
	payload.extend_from_slice(&ENVELOPE_TYPE_TX.to_be_bytes());
	payload.extend_from_slice(transaction_xdr);
	sp_io::hashing::sha2_256(&payload)
}

/// The envelope of `transaction_xdr` with `signatures`.
fn envelope(transaction_xdr: &[u8], signatures: &[DecoratedSignature]) -> Vec<u8> {
	let mut xdr = Xdr(Vec::with_capacity(8 + transaction_xdr.len() + 72 * signatures.len()));
	xdr.u32(ENVELOPE_TYPE_TX).fixed(transaction_xdr).u32(signatures.len() as u32);
	for signature in signatures {
		xdr.fixed(&signature.hint).variable(&signature.signature);
	}
	xdr.0
}

impl Payment {
	/// The transaction's XDR: what its hash covers, after the network id and envelope type.
	pub fn transaction_xdr(&self) -> Vec<u8> {
		let mut xdr = Xdr(Vec::with_capacity(200));
		xdr.header(
			&self.source,
			self.fee,
			self.sequence,
			(self.min_time, self.max_time),
			&self.memo,
		);
		let asset_type = if self.asset.code.len() == 4 {
			ASSET_TYPE_CREDIT_ALPHANUM4
		} else {
			ASSET_TYPE_CREDIT_ALPHANUM12
		};
		// One operation, without a source of its own.
		xdr.u32(1).u32(0).u32(PAYMENT).account(&self.destination);
		xdr.u32(asset_type).fixed(&self.asset.code).account(&self.asset.issuer);
		xdr.i64(self.amount).u32(0);
		xdr.0
	}

	/// The hash the signers sign, on the network whose id is `network_id`
	/// ([`network_id`]).
	pub fn hash(&self, network_id: &[u8; 32]) -> [u8; 32] {
		transaction_hash(network_id, &self.transaction_xdr())
	}

	/// The envelope with `signatures`, as Horizon takes it (base64 of these bytes).
	pub fn envelope_xdr(&self, signatures: &[DecoratedSignature]) -> Vec<u8> {
		envelope(&self.transaction_xdr(), signatures)
	}
}

impl SetSigners {
	/// The transaction's XDR: what its hash covers, after the network id and envelope type.
	pub fn transaction_xdr(&self) -> Vec<u8> {
		let mut xdr = Xdr(Vec::with_capacity(200 + 80 * self.signers.len()));
		xdr.header(
			&self.source,
			self.fee,
			self.sequence,
			(self.min_time, self.max_time),
			&self.memo,
		);
		xdr.u32(self.operations());
		for (signer, weight) in &self.signers {
			// No source; SET_OPTIONS; inflation destination, flags, master weight, thresholds
			// and home domain absent; the signer present.
			xdr.u32(0).u32(SET_OPTIONS);
			for _ in 0..8 {
				xdr.u32(0);
			}
			xdr.u32(1).u32(SIGNER_KEY_TYPE_ED25519).fixed(signer).u32(u32::from(*weight));
		}
		let threshold = Some(u32::from(self.threshold));
		xdr.u32(0).u32(SET_OPTIONS).u32(0).u32(0).u32(0);
		xdr.optional_u32(Some(0))
			.optional_u32(threshold)
			.optional_u32(threshold)
			.optional_u32(threshold)
			.u32(0)
			.u32(0);
		xdr.u32(0);
		xdr.0
	}
}

impl VaultTransaction {
	/// The transaction's XDR: what its hash covers, after the network id and envelope type.
	pub fn transaction_xdr(&self) -> Vec<u8> {
		match self {
			Self::Payment(payment) => payment.transaction_xdr(),
			Self::SetSigners(change) => change.transaction_xdr(),
		}
	}

	/// The hash the signers sign, on the network whose id is `network_id`.
	pub fn hash(&self, network_id: &[u8; 32]) -> [u8; 32] {
		transaction_hash(network_id, &self.transaction_xdr())
	}

	/// The envelope with `signatures`, as Horizon takes it (base64 of these bytes).
	pub fn envelope_xdr(&self, signatures: &[DecoratedSignature]) -> Vec<u8> {
		envelope(&self.transaction_xdr(), signatures)
	}

	/// The account it is from.
	pub fn source(&self) -> &AccountKey {
		match self {
			Self::Payment(payment) => &payment.source,
			Self::SetSigners(change) => &change.source,
		}
	}

	/// The payment, if it is one.
	pub fn as_payment(&self) -> Option<&Payment> {
		match self {
			Self::Payment(payment) => Some(payment),
			Self::SetSigners(_) => None,
		}
	}

	/// The vault's sequence after it.
	pub fn sequence(&self) -> i64 {
		match self {
			Self::Payment(payment) => payment.sequence,
			Self::SetSigners(change) => change.sequence,
		}
	}

	/// Until when it is valid (0: forever).
	pub fn max_time(&self) -> u64 {
		match self {
			Self::Payment(payment) => payment.max_time,
			Self::SetSigners(change) => change.max_time,
		}
	}

	/// The same transaction offering `fee_per_operation` and valid until `max_time`.
	pub fn refixed(&self, fee_per_operation: u32, max_time: u64) -> Self {
		match self {
			Self::Payment(payment) => {
				Self::Payment(Payment { fee: fee_per_operation, max_time, ..payment.clone() })
			},
			Self::SetSigners(change) => Self::SetSigners(SetSigners {
				fee: change.fee_at(fee_per_operation),
				max_time,
				..change.clone()
			}),
		}
	}
}

/// A network's id: the sha256 of its passphrase.
pub fn network_id(passphrase: &str) -> [u8; 32] {
	sp_io::hashing::sha2_256(passphrase.as_bytes())
}

/// Whether `signature` is `signer`'s ed25519 signature of `hash`.
pub fn verify(signer: &AccountKey, hash: &[u8; 32], signature: &[u8; 64]) -> bool {
	sp_io::crypto::ed25519_verify(
		&sp_core::ed25519::Signature::from_raw(*signature),
		hash,
		&sp_core::ed25519::Public::from_raw(*signer),
	)
}

/// Why a strkey is not an account.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct InvalidStrkey;

/// The account of a `G…` strkey.
pub fn account_from_strkey(strkey: &str) -> Result<AccountKey, InvalidStrkey> {
	stellar_strkey::ed25519::PublicKey::from_string(strkey)
		.map(|key| key.0)
		.map_err(|_| InvalidStrkey)
}

/// The `G…` strkey of an account.
pub fn account_to_strkey(account: &AccountKey) -> alloc::string::String {
	alloc::format!("{}", stellar_strkey::ed25519::PublicKey(*account))
}

#[cfg(test)]
mod tests {
	use super::*;
	use base64::{engine::general_purpose::STANDARD, Engine};
	use serde_json::Value;
	use sp_core::Pair;

	fn vectors() -> Value {
		serde_json::from_str(include_str!("../../tests/vectors/stellar_payments.json"))
			.expect("valid JSON")
	}

	fn text(case: &Value, field: &str) -> String {
		case[field].as_str().unwrap_or_else(|| panic!("{field}")).to_string()
	}

	fn bytes32(hex_text: &str) -> [u8; 32] {
		hex::decode(hex_text).expect("hex").try_into().expect("32 bytes")
	}

	fn payment(case: &Value) -> Payment {
		let memo_value = text(case, "memo_value");
		let memo = match text(case, "memo_type").as_str() {
			"text" => Memo::Text(BoundedVec::try_from(memo_value.into_bytes()).expect("short")),
			"id" => Memo::Id(memo_value.parse().expect("a number")),
			"hash" => Memo::Hash(bytes32(&memo_value)),
			"return" => Memo::Return(bytes32(&memo_value)),
			other => panic!("memo type {other}"),
		};
		let account = |field| account_from_strkey(&text(case, field)).expect("a G strkey");
		Payment {
			source: account("source_account"),
			fee: case["fee_per_op_stroops"].as_u64().expect("a fee") as u32,
			sequence: text(case, "tx_sequence").parse().expect("a sequence"),
			min_time: case["time_bounds"]["min_time"].as_u64().expect("min"),
			max_time: case["time_bounds"]["max_time"].as_u64().expect("max"),
			memo,
			destination: account("destination"),
			asset: Asset::new(text(case, "asset_code").as_bytes(), account("asset_issuer"))
				.expect("an asset"),
			amount: text(case, "amount_stroops").parse().expect("an amount"),
		}
	}

	#[test]
	fn envelopes_hashes_and_signatures_match_the_vectors_byte_for_byte() {
		let vectors = vectors();
		let cases = vectors["payments"].as_array().expect("payments");
		assert_eq!(cases.len(), 12);
		for case in cases {
			let payment = payment(case);
			let network = network_id(&text(case, "network_passphrase"));
			let base64 = |bytes: &[u8]| STANDARD.encode(bytes);
			assert_eq!(
				base64(&payment.envelope_xdr(&[])),
				text(case, "expected_unsigned_envelope_xdr_base64")
			);
			let hash = payment.hash(&network);
			assert_eq!(hex::encode(hash), text(case, "expected_tx_hash_hex"));

			let signers: Vec<AccountKey> = case["signer_public_keys"]
				.as_array()
				.expect("keys")
				.iter()
				.map(|key| account_from_strkey(key.as_str().expect("a strkey")).expect("a key"))
				.collect();
			let signatures: Vec<DecoratedSignature> = case["expected_signatures_base64"]
				.as_array()
				.expect("signatures")
				.iter()
				.zip(&signers)
				.map(|(signature, signer)| {
					let raw: [u8; 64] = STANDARD
						.decode(signature.as_str().expect("base64"))
						.expect("base64")
						.try_into()
						.expect("64 bytes");
					assert!(verify(signer, &hash, &raw), "a vector's signature does not verify");
					let mut flipped = raw;
					flipped[10] ^= 1;
					assert!(!verify(signer, &hash, &flipped));
					DecoratedSignature::new(signer, raw)
				})
				.collect();
			let hints: Vec<String> = signatures.iter().map(|s| hex::encode(s.hint)).collect();
			let expected_hints: Vec<String> = case["expected_signature_hints_hex"]
				.as_array()
				.expect("hints")
				.iter()
				.map(|hint| hint.as_str().expect("hex").to_string())
				.collect();
			assert_eq!(hints, expected_hints);
			assert_eq!(
				base64(&payment.envelope_xdr(&signatures)),
				text(case, "expected_signed_envelope_xdr_base64")
			);
			// A signature of another network's hash does not verify on this one.
			let elsewhere = payment.hash(&network_id(STANDALONE_NETWORK));
			if network != network_id(STANDALONE_NETWORK) {
				assert!(!verify(&signers[0], &elsewhere, &signatures[0].signature));
			}
		}
	}

	#[test]
	fn strkeys_match_the_vectors_both_ways_and_bad_ones_are_refused() {
		let vectors = vectors();
		for case in vectors["strkeys"].as_array().expect("strkeys") {
			let public = bytes32(&text(case, "raw_public_key_hex"));
			assert_eq!(account_from_strkey(&text(case, "public_strkey")), Ok(public));
			assert_eq!(account_to_strkey(&public), text(case, "public_strkey"));
			// The secret seed gives the public key (ed25519, as Stellar derives it).
			let seed = bytes32(&text(case, "raw_seed_hex"));
			assert_eq!(sp_core::ed25519::Pair::from_seed(&seed).public().0, public);
			// A secret strkey is not an account; a changed character breaks the checksum.
			assert_eq!(account_from_strkey(&text(case, "secret_strkey")), Err(InvalidStrkey));
			let mut changed = text(case, "public_strkey").into_bytes();
			changed[10] = if changed[10] == b'A' { b'B' } else { b'A' };
			assert_eq!(
				account_from_strkey(core::str::from_utf8(&changed).unwrap()),
				Err(InvalidStrkey)
			);
		}
	}

	#[test]
	fn asset_codes_pad_to_four_or_twelve() {
		let issuer = [7; 32];
		assert_eq!(Asset::new(b"TFT", issuer).unwrap().code.to_vec(), b"TFT\0".to_vec());
		assert_eq!(Asset::new(b"TFTA", issuer).unwrap().code.len(), 4);
		assert_eq!(
			Asset::new(b"TFTAB", issuer).unwrap().code.to_vec(),
			b"TFTAB\0\0\0\0\0\0\0".to_vec()
		);
		assert!(Asset::new(b"", issuer).is_none());
		assert!(Asset::new(b"TOO-LONG", issuer).is_none());
		assert!(Asset::new(b"ABCDEFGHIJKLM", issuer).is_none());
	}
}
