//! Transactions the simulator makes "as" an account, without its signatures
//! (`POST /sim/transactions`). **Simulator only, not Horizon**: for tests that need a user's
//! transaction (a deposit with any memo, mixed operations) without holding the user's keys.
//!
//! [`UnsignedTransaction::from_request`] checks a request and builds the parts of a real v1
//! `TransactionEnvelope`; [`UnsignedTransaction::envelope`] completes it with the source's
//! next sequence number: fee 100 stroops per operation, no time bounds, no signatures. The
//! ledger applies it with [`crate::Ledger::apply_unsigned`], which is [`crate::Ledger::submit`]
//! without the signature and threshold checks: the stored record, history, sequence number
//! and fee are those of a signed transaction (with no signatures), and Stellar's result codes
//! answer everything else (`tx_no_source_account`, `op_underfunded`, `op_malformed`, ...).
//!
//! The request, in JSON (`memo` may be left out: none; an operation's `source` may be left
//! out: the transaction's):
//!
//! ```json
//! {
//!   "source": "G...",
//!   "memo": {"type": "text", "value": "deposit 42"},
//!   "operations": [
//!     {"type": "payment", "destination": "G...", "asset": {"code": "TFT", "issuer": "G..."},
//!      "amount": "10000000", "source": "G..."},
//!     {"type": "payment", "destination": "G...", "asset": "native", "amount": "1"},
//!     {"type": "create_account", "destination": "G...", "starting_balance": "20000000"},
//!     {"type": "change_trust", "asset": {"code": "TFT", "issuer": "G..."}, "limit": "5"},
//!     {"type": "set_options", "master_weight": 1, "low_threshold": 1, "med_threshold": 2,
//!      "high_threshold": 2, "signer": {"key": "G...", "weight": 1}}
//!   ]
//! }
//! ```
//!
//! Memos: `{"type": "none"}`; `text`: UTF-8 of at most 28 bytes; `id`: a decimal `u64`;
//! `hash` and `return`: 64 hex characters (32 bytes). Amounts, starting balances and limits
//! are stroops as decimal strings; any `i64` is accepted (the ledger refuses what Stellar
//! refuses, such as a zero amount, with Stellar's codes). A change_trust without `limit` asks
//! for the largest (`i64::MAX`), as the SDKs do. Asset codes are 1 to 12 ASCII letters and
//! digits (up to 4: `credit_alphanum4`, else `credit_alphanum12`). set_options takes
//! `master_weight`, the three thresholds and an ed25519 `signer` (weight 0 removes it).

use std::fmt;

use serde::Deserialize;
use serde_json::Value;
use stellar_xdr::{
	AccountId, AlphaNum12, AlphaNum4, Asset, AssetCode12, AssetCode4, ChangeTrustAsset,
	ChangeTrustOp, CreateAccountOp, Hash, Limits, Memo, MuxedAccount, Operation, OperationBody,
	PaymentOp, Preconditions, PublicKey, SequenceNumber, SetOptionsOp, Signer, SignerKey, StringM,
	Transaction, TransactionEnvelope, TransactionExt, TransactionV1Envelope, Uint256, VecM,
	WriteXdr, MAX_OPS_PER_TX,
};

use crate::ledger::{AccountKey, BASE_FEE_STROOPS};

/// The longest text memo, in bytes (Stellar's limit).
pub const MAX_MEMO_TEXT_BYTES: usize = 28;
/// The longest asset code (Stellar's limit).
pub const MAX_ASSET_CODE_CHARS: usize = 12;

/// The body of `POST /sim/transactions`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnsignedTransactionRequest {
	/// The account the transaction is made as (`G...`).
	pub source: String,
	/// None when left out.
	#[serde(default)]
	pub memo: Option<MemoRequest>,
	pub operations: Vec<OperationRequest>,
}

/// `{"type": "none" | "text" | "id" | "hash" | "return", "value": "..."}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemoRequest {
	#[serde(rename = "type")]
	pub memo_type: String,
	#[serde(default)]
	pub value: Option<String>,
}

/// One operation of the request, tagged by `type`. Assets are JSON values, read by
/// [`UnsignedTransaction::from_request`] (`"native"` or `{"code": ..., "issuer": ...}`) so
/// that a wrong one is named precisely.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum OperationRequest {
	Payment {
		destination: String,
		asset: Value,
		/// Stroops, decimal.
		amount: String,
		source: Option<String>,
	},
	CreateAccount {
		destination: String,
		/// Stroops, decimal.
		starting_balance: String,
		source: Option<String>,
	},
	ChangeTrust {
		asset: Value,
		/// Stroops, decimal; `i64::MAX` when left out.
		limit: Option<String>,
		source: Option<String>,
	},
	SetOptions {
		master_weight: Option<u32>,
		low_threshold: Option<u32>,
		med_threshold: Option<u32>,
		high_threshold: Option<u32>,
		signer: Option<SignerRequest>,
		source: Option<String>,
	},
}

/// An ed25519 signer of set_options: `{"key": "G...", "weight": n}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignerRequest {
	pub key: String,
	pub weight: u32,
}

/// What is wrong with a request: the field (`operations[1].amount`, ...) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestError {
	pub field: String,
	pub reason: String,
}

impl RequestError {
	fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
		RequestError { field: field.into(), reason: reason.into() }
	}
}

impl fmt::Display for RequestError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "{}: {}", self.field, self.reason)
	}
}

impl std::error::Error for RequestError {}

/// A checked request: everything of the envelope but the sequence number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsignedTransaction {
	pub source: AccountKey,
	memo: Memo,
	operations: VecM<Operation, MAX_OPS_PER_TX>,
}

impl UnsignedTransaction {
	/// Checks the request's fields and builds its memo and operations.
	pub fn from_request(request: &UnsignedTransactionRequest) -> Result<Self, RequestError> {
		let source = parse_account("source", &request.source)?;
		let memo = match &request.memo {
			None => Memo::None,
			Some(memo) => parse_memo(memo)?,
		};
		let operations = request
			.operations
			.iter()
			.enumerate()
			.map(|(index, operation)| parse_operation(&format!("operations[{index}]"), operation))
			.collect::<Result<Vec<_>, _>>()?;
		let count = operations.len();
		let operations = VecM::try_from(operations).map_err(|_| {
			RequestError::new(
				"operations",
				format!("at most {MAX_OPS_PER_TX} operations per transaction, not {count}"),
			)
		})?;
		Ok(UnsignedTransaction { source, memo, operations })
	}

	/// The fee the envelope offers: the base fee per operation (what the ledger charges).
	pub fn fee(&self) -> u32 {
		let count = u32::try_from(self.operations.len()).unwrap_or(MAX_OPS_PER_TX);
		BASE_FEE_STROOPS.saturating_mul(count)
	}

	/// The v1 envelope with sequence number `sequence`, no time bounds and no signatures.
	pub fn envelope(&self, sequence: i64) -> TransactionEnvelope {
		TransactionEnvelope::Tx(TransactionV1Envelope {
			tx: Transaction {
				source_account: muxed_account(&self.source),
				fee: self.fee(),
				seq_num: SequenceNumber(sequence),
				cond: Preconditions::None,
				memo: self.memo.clone(),
				operations: self.operations.clone(),
				ext: TransactionExt::V0,
			},
			signatures: VecM::default(),
		})
	}

	/// [`UnsignedTransaction::envelope`] as base64 XDR, what the ledger decodes.
	pub fn envelope_base64(&self, sequence: i64) -> Result<String, stellar_xdr::Error> {
		self.envelope(sequence).to_xdr_base64(Limits::none())
	}
}

fn account_id(key: &AccountKey) -> AccountId {
	AccountId(PublicKey::PublicKeyTypeEd25519(Uint256(key.0)))
}

fn muxed_account(key: &AccountKey) -> MuxedAccount {
	MuxedAccount::Ed25519(Uint256(key.0))
}

fn parse_account(field: &str, strkey: &str) -> Result<AccountKey, RequestError> {
	AccountKey::from_strkey(strkey)
		.map_err(|_| RequestError::new(field, "must be a G... account id"))
}

fn parse_stroops(field: &str, text: &str) -> Result<i64, RequestError> {
	text.parse::<i64>().map_err(|_| {
		RequestError::new(field, "must be an amount in stroops as a decimal string (an i64)")
	})
}

fn parse_memo(memo: &MemoRequest) -> Result<Memo, RequestError> {
	let value = |memo_type: &str| {
		memo.value.as_deref().ok_or_else(|| {
			RequestError::new("memo.value", format!("a {memo_type} memo needs a value"))
		})
	};
	match memo.memo_type.as_str() {
		"none" => match memo.value {
			None => Ok(Memo::None),
			Some(_) => Err(RequestError::new("memo.value", "a none memo has no value")),
		},
		"text" => {
			let text = value("text")?;
			if text.len() > MAX_MEMO_TEXT_BYTES {
				return Err(RequestError::new(
					"memo.value",
					format!(
						"a text memo is at most {MAX_MEMO_TEXT_BYTES} bytes of UTF-8, not {}",
						text.len()
					),
				));
			}
			StringM::try_from(text.as_bytes().to_vec()).map(Memo::Text).map_err(|_| {
				RequestError::new(
					"memo.value",
					format!("a text memo is at most {MAX_MEMO_TEXT_BYTES} bytes"),
				)
			})
		},
		"id" => value("id")?
			.parse::<u64>()
			.map(Memo::Id)
			.map_err(|_| RequestError::new("memo.value", "an id memo is a decimal u64")),
		"hash" => parse_memo_hash(value("hash")?).map(Memo::Hash),
		"return" => parse_memo_hash(value("return")?).map(Memo::Return),
		other => Err(RequestError::new(
			"memo.type",
			format!("must be none, text, id, hash or return, not {other:?}"),
		)),
	}
}

fn parse_memo_hash(text: &str) -> Result<Hash, RequestError> {
	let bytes = hex::decode(text).ok().and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
	bytes
		.map(Hash)
		.ok_or_else(|| RequestError::new("memo.value", "must be 64 hex characters (32 bytes)"))
}

/// `"native"` or `{"code": "TFT", "issuer": "G..."}`.
fn parse_asset(field: &str, value: &Value) -> Result<Asset, RequestError> {
	let expected = "must be \"native\" or {\"code\": \"...\", \"issuer\": \"G...\"}";
	let fields = match value {
		Value::String(text) if text == "native" => return Ok(Asset::Native),
		Value::Object(fields) => fields,
		_ => return Err(RequestError::new(field, expected)),
	};
	if let Some(unknown) = fields.keys().find(|key| !matches!(key.as_str(), "code" | "issuer")) {
		return Err(RequestError::new(format!("{field}.{unknown}"), "unknown field"));
	}
	let text_field = |name: &str| {
		fields
			.get(name)
			.and_then(Value::as_str)
			.ok_or_else(|| RequestError::new(format!("{field}.{name}"), "a string is required"))
	};
	let code = text_field("code")?;
	let issuer = account_id(&parse_account(&format!("{field}.issuer"), text_field("issuer")?)?);
	if code.is_empty()
		|| code.len() > MAX_ASSET_CODE_CHARS
		|| !code.bytes().all(|byte| byte.is_ascii_alphanumeric())
	{
		return Err(RequestError::new(
			format!("{field}.code"),
			format!("an asset code is 1 to {MAX_ASSET_CODE_CHARS} ASCII letters and digits"),
		));
	}
	if code.len() <= 4 {
		let mut bytes = [0u8; 4];
		bytes[..code.len()].copy_from_slice(code.as_bytes());
		Ok(Asset::CreditAlphanum4(AlphaNum4 { asset_code: AssetCode4(bytes), issuer }))
	} else {
		let mut bytes = [0u8; 12];
		bytes[..code.len()].copy_from_slice(code.as_bytes());
		Ok(Asset::CreditAlphanum12(AlphaNum12 { asset_code: AssetCode12(bytes), issuer }))
	}
}

fn change_trust_asset(asset: Asset) -> ChangeTrustAsset {
	match asset {
		Asset::Native => ChangeTrustAsset::Native,
		Asset::CreditAlphanum4(credit) => ChangeTrustAsset::CreditAlphanum4(credit),
		Asset::CreditAlphanum12(credit) => ChangeTrustAsset::CreditAlphanum12(credit),
	}
}

fn parse_operation(field: &str, operation: &OperationRequest) -> Result<Operation, RequestError> {
	let source_field = format!("{field}.source");
	let operation_source = |source: &Option<String>| {
		source
			.as_deref()
			.map(|source| parse_account(&source_field, source).map(|key| muxed_account(&key)))
			.transpose()
	};
	let (source_account, body) = match operation {
		OperationRequest::Payment { destination, asset, amount, source } => (
			operation_source(source)?,
			OperationBody::Payment(PaymentOp {
				destination: muxed_account(&parse_account(
					&format!("{field}.destination"),
					destination,
				)?),
				asset: parse_asset(&format!("{field}.asset"), asset)?,
				amount: parse_stroops(&format!("{field}.amount"), amount)?,
			}),
		),
		OperationRequest::CreateAccount { destination, starting_balance, source } => (
			operation_source(source)?,
			OperationBody::CreateAccount(CreateAccountOp {
				destination: account_id(&parse_account(
					&format!("{field}.destination"),
					destination,
				)?),
				starting_balance: parse_stroops(
					&format!("{field}.starting_balance"),
					starting_balance,
				)?,
			}),
		),
		OperationRequest::ChangeTrust { asset, limit, source } => (
			operation_source(source)?,
			OperationBody::ChangeTrust(ChangeTrustOp {
				line: change_trust_asset(parse_asset(&format!("{field}.asset"), asset)?),
				limit: match limit {
					Some(limit) => parse_stroops(&format!("{field}.limit"), limit)?,
					None => i64::MAX,
				},
			}),
		),
		OperationRequest::SetOptions {
			master_weight,
			low_threshold,
			med_threshold,
			high_threshold,
			signer,
			source,
		} => {
			let signer = match signer {
				None => None,
				Some(signer) => {
					let key = parse_account(&format!("{field}.signer.key"), &signer.key)?;
					Some(Signer { key: SignerKey::Ed25519(Uint256(key.0)), weight: signer.weight })
				},
			};
			(
				operation_source(source)?,
				OperationBody::SetOptions(SetOptionsOp {
					master_weight: *master_weight,
					low_threshold: *low_threshold,
					med_threshold: *med_threshold,
					high_threshold: *high_threshold,
					signer,
					..SetOptionsOp::default()
				}),
			)
		},
	};
	Ok(Operation { source_account, body })
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::ledger::test_support::key;
	use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};
	use serde_json::json;
	use stellar_xdr::ReadXdr;

	fn request(value: Value) -> UnsignedTransactionRequest {
		serde_json::from_value(value).expect("a well-typed request")
	}

	fn refused(value: Value) -> RequestError {
		UnsignedTransaction::from_request(&request(value)).expect_err("refused")
	}

	#[test]
	fn a_request_builds_a_real_unsigned_v1_envelope() {
		let (alice, bob, issuer, relay) = (key(1), key(2), key(20), key(30));
		let transaction = UnsignedTransaction::from_request(&request(json!({
			"source": alice.account.to_strkey(),
			"memo": { "type": "text", "value": "twin_42" },
			"operations": [
				{
					"type": "payment",
					"destination": bob.account.to_strkey(),
					"asset": { "code": "TFT", "issuer": issuer.account.to_strkey() },
					"amount": "123456789",
				},
				{
					"type": "payment",
					"destination": bob.account.to_strkey(),
					"asset": "native",
					"amount": "1",
					"source": relay.account.to_strkey(),
				},
				{
					"type": "change_trust",
					"asset": { "code": "LONGASSET", "issuer": issuer.account.to_strkey() },
				},
				{
					"type": "create_account",
					"destination": key(3).account.to_strkey(),
					"starting_balance": "20000000",
				},
				{
					"type": "set_options",
					"med_threshold": 2,
					"signer": { "key": relay.account.to_strkey(), "weight": 1 },
				},
			],
		})))
		.expect("valid");
		assert_eq!(transaction.source, alice.account);
		assert_eq!(transaction.fee(), 500);
		let encoded = transaction.envelope_base64(77).expect("encodable");
		let decoded =
			TransactionEnvelope::from_xdr_base64(&encoded, Limits::none()).expect("decodable");
		let TransactionEnvelope::Tx(v1) = decoded else { panic!("not a v1 envelope") };
		assert!(v1.signatures.is_empty());
		assert_eq!(v1.tx.fee, 500);
		assert_eq!(v1.tx.seq_num, SequenceNumber(77));
		assert_eq!(v1.tx.cond, Preconditions::None);
		assert_eq!(v1.tx.source_account, muxed_account(&alice.account));
		assert_eq!(v1.tx.memo, Memo::Text(StringM::try_from(b"twin_42".to_vec()).expect("short")));
		let operations = v1.tx.operations.to_vec();
		assert_eq!(
			operations[0],
			Operation {
				source_account: None,
				body: OperationBody::Payment(PaymentOp {
					destination: muxed_account(&bob.account),
					asset: Asset::CreditAlphanum4(AlphaNum4 {
						asset_code: AssetCode4(*b"TFT\0"),
						issuer: account_id(&issuer.account),
					}),
					amount: 123_456_789,
				}),
			}
		);
		assert_eq!(operations[1].source_account, Some(muxed_account(&relay.account)));
		assert!(matches!(
			&operations[1].body,
			OperationBody::Payment(PaymentOp { asset: Asset::Native, amount: 1, .. })
		));
		assert_eq!(
			operations[2].body,
			OperationBody::ChangeTrust(ChangeTrustOp {
				line: ChangeTrustAsset::CreditAlphanum12(AlphaNum12 {
					asset_code: AssetCode12(*b"LONGASSET\0\0\0"),
					issuer: account_id(&issuer.account),
				}),
				limit: i64::MAX,
			})
		);
		assert!(matches!(
			&operations[3].body,
			OperationBody::CreateAccount(CreateAccountOp { starting_balance: 20_000_000, .. })
		));
		assert_eq!(
			operations[4].body,
			OperationBody::SetOptions(SetOptionsOp {
				med_threshold: Some(2),
				signer: Some(Signer {
					key: SignerKey::Ed25519(Uint256(relay.account.0)),
					weight: 1,
				}),
				..SetOptionsOp::default()
			})
		);
	}

	#[test]
	fn every_memo_type_is_built_as_stellar_encodes_it() {
		let source = key(1).account.to_strkey();
		let memo = |memo: Value| {
			let parsed = request(json!({ "source": source, "memo": memo, "operations": [] }));
			UnsignedTransaction::from_request(&parsed).map(|transaction| transaction.memo)
		};
		let hash_hex = format!("{}ff", "00".repeat(31));
		let mut hash_bytes = [0u8; 32];
		hash_bytes[31] = 0xff;
		assert_eq!(memo(json!({ "type": "none" })), Ok(Memo::None));
		assert_eq!(
			memo(json!({ "type": "id", "value": "18446744073709551615" })),
			Ok(Memo::Id(u64::MAX))
		);
		assert_eq!(
			memo(json!({ "type": "hash", "value": hash_hex })),
			Ok(Memo::Hash(Hash(hash_bytes)))
		);
		assert_eq!(
			memo(json!({ "type": "return", "value": hash_hex.to_uppercase() })),
			Ok(Memo::Return(Hash(hash_bytes)))
		);
		// 28 bytes of UTF-8 (14 two-byte characters) fit; 29 bytes do not.
		let text = "é".repeat(14);
		assert_eq!(
			memo(json!({ "type": "text", "value": text })),
			Ok(Memo::Text(StringM::try_from(text.as_bytes().to_vec()).expect("28 bytes")))
		);
		let too_long = format!("{text}a");
		assert_eq!(
			memo(json!({ "type": "text", "value": too_long })).map_err(|e| e.field),
			Err("memo.value".to_owned())
		);
		for wrong in [
			json!({ "type": "id", "value": "-1" }),
			json!({ "type": "id", "value": "18446744073709551616" }),
			json!({ "type": "id" }),
			json!({ "type": "hash", "value": "00" }),
			json!({ "type": "return", "value": "zz".repeat(32) }),
			json!({ "type": "none", "value": "x" }),
		] {
			assert_eq!(
				memo(wrong.clone()).map_err(|e| e.field),
				Err("memo.value".to_owned()),
				"{wrong}"
			);
		}
		assert_eq!(
			memo(json!({ "type": "memo" })).map_err(|e| e.field),
			Err("memo.type".to_owned())
		);
		// The text memo's bytes are what the envelope carries.
		let built = UnsignedTransaction::from_request(&request(json!({
			"source": source,
			"memo": { "type": "text", "value": "burn_62" },
			"operations": [],
		})))
		.expect("valid");
		let bytes = BASE64.decode(built.envelope_base64(1).expect("encodable")).expect("base64");
		assert!(bytes.windows(7).any(|window| window == b"burn_62"));
	}

	#[test]
	fn wrong_fields_are_named() {
		let (alice, issuer) = (key(1).account.to_strkey(), key(20).account.to_strkey());
		let payment = |asset: Value, amount: &str| {
			json!({
				"source": alice,
				"operations": [
					{ "type": "set_options", "master_weight": 1 },
					{ "type": "payment", "destination": alice, "asset": asset, "amount": amount },
				],
			})
		};
		assert_eq!(refused(json!({ "source": "GABC", "operations": [] })).field, "source");
		assert_eq!(refused(payment(json!("native"), "1.5")).field, "operations[1].amount");
		assert_eq!(refused(payment(json!("lumens"), "1")).field, "operations[1].asset");
		assert_eq!(
			refused(payment(json!({ "code": "TFT" }), "1")).field,
			"operations[1].asset.issuer"
		);
		assert_eq!(
			refused(payment(json!({ "code": "TFT", "issuer": "G" }), "1")).field,
			"operations[1].asset.issuer"
		);
		for code in ["", "THIRTEENCHARS", "TF-T"] {
			assert_eq!(
				refused(payment(json!({ "code": code, "issuer": issuer }), "1")).field,
				"operations[1].asset.code",
				"{code:?}"
			);
		}
		assert_eq!(
			refused(payment(json!({ "code": "TFT", "issuer": issuer, "kind": 4 }), "1")).field,
			"operations[1].asset.kind"
		);
		// Values the ledger judges (a zero or negative amount) are accepted here.
		assert!(UnsignedTransaction::from_request(&request(payment(json!("native"), "-5"))).is_ok());
		let operations: Vec<Value> =
			(0..101).map(|_| json!({ "type": "set_options", "low_threshold": 1 })).collect();
		assert_eq!(
			refused(json!({ "source": alice, "operations": operations })).field,
			"operations"
		);
		assert_eq!(
			refused(json!({
				"source": alice,
				"operations": [{ "type": "change_trust", "asset": "native", "source": "nobody" }],
			}))
			.field,
			"operations[0].source"
		);
		// Unknown operation types and fields are refused when the JSON is read.
		for wrong in [
			json!({ "source": alice, "operations": [{ "type": "account_merge" }] }),
			json!({ "source": alice, "operations": [], "fee": 100 }),
			json!({
				"source": alice,
				"operations": [{ "type": "set_options", "home_domain": "example.com" }],
			}),
		] {
			assert!(
				serde_json::from_value::<UnsignedTransactionRequest>(wrong.clone()).is_err(),
				"{wrong}"
			);
		}
	}
}
