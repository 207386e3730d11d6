//! The simulated ledger: accounts (native balance, sequence number, master weight, thresholds,
//! ed25519 signers, trustlines), ledgers, and the stored transactions, with the rules that
//! validate a transaction envelope and apply it.
//!
//! A submission goes through three stages, as in stellar-core:
//!
//! 1. **Decoding** ([`Submission::Malformed`] on failure): the envelope must be valid XDR of a
//!    v1 `TransactionEnvelope` using only what this simulator supports (see the crate docs).
//! 2. **Validation** ([`Submission::Rejected`] on failure): nothing is stored, no fee is charged
//!    and the sequence number is not consumed. Checked in this order: the source account exists
//!    (`tx_no_source_account`), time bounds (`tx_too_early`, `tx_too_late`), fee ≥ 100 stroops
//!    per operation (`tx_insufficient_fee`), sequence = account sequence + 1 (`tx_bad_seq`), at
//!    least one operation (`tx_missing_operation`), the source's signatures reach its low
//!    threshold (`tx_bad_auth`), the source's native balance covers the envelope's fee
//!    (`tx_insufficient_balance`); then each operation in order: its source account exists
//!    (`op_no_source_account`), its signatures reach the operation's threshold
//!    (`op_bad_auth`) and its fields are well formed (`op_malformed`, ...), any of which
//!    rejects the transaction as `tx_failed`; and last, every signature was used by some
//!    check (`tx_bad_auth_extra`).
//! 3. **Inclusion**: the transaction closes a new ledger. The source pays the fee (100 stroops
//!    per operation) and its sequence number becomes the transaction's, whatever happens next.
//!    The operations then apply in order; if one fails, the changes of all of them are undone,
//!    and the transaction is stored as failed (`tx_failed`) with each operation's result code.
//!
//! [`Ledger::apply_unsigned`] (the simulator-only `POST /sim/transactions`) is the same path
//! without the signature and threshold checks, for envelopes that carry no signatures.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};
use ed25519_dalek::{Signature as Ed25519Signature, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use stellar_xdr as xdr;
use stellar_xdr::{
	AccountId, Asset, ChangeTrustAsset, ChangeTrustResult, CreateAccountResult, Limits, Memo,
	MuxedAccount, Operation, OperationBody, OperationResult, OperationResultTr, PaymentResult,
	Preconditions, PublicKey, ReadXdr, SetOptionsResult, SignerKey, TransactionEnvelope,
	TransactionExt, TransactionResult, TransactionResultExt, TransactionResultResult,
	TransactionV1Envelope, Uint256, WriteXdr,
};

/// The passphrase of a standalone Stellar network (the simulator's default).
pub const STANDALONE_NETWORK_PASSPHRASE: &str = "Standalone Network ; February 2017";
/// The network's base fee: the minimum fee per operation, and what is charged per operation.
pub const BASE_FEE_STROOPS: u32 = 100;
/// One lumen in stroops (7 decimals, like every Stellar amount).
pub const STROOPS_PER_XLM: i64 = 10_000_000;
/// The smallest starting balance `create_account` accepts: two base reserves of 0.5 XLM.
pub const MIN_STARTING_BALANCE_STROOPS: i64 = STROOPS_PER_XLM;
/// What the friendbot gives a new account: 10,000 XLM, as on the test network.
pub const FRIENDBOT_STARTING_BALANCE_STROOPS: i64 = 10_000 * STROOPS_PER_XLM;
/// Stellar's limit on the signers of one account (not counting the master key).
pub const MAX_SIGNERS: usize = 20;
/// The simulator's limit on one account's trustlines (Stellar's limit comes from reserves).
pub const MAX_TRUSTLINES_PER_ACCOUNT: usize = 1_000;
/// The largest envelope accepted, decoded.
pub const MAX_ENVELOPE_XDR_BYTES: usize = 64 * 1024;
/// How many transactions the simulator keeps before refusing new ones.
pub const MAX_STORED_TRANSACTIONS: usize = 200_000;
/// How many accounts the simulator keeps before refusing new ones.
pub const MAX_ACCOUNTS: usize = 100_000;
/// The largest page of records (Horizon's limit).
pub const MAX_PAGE_LIMIT: usize = 200;
/// The page size when the query names none (Horizon's default).
pub const DEFAULT_PAGE_LIMIT: usize = 10;
/// Every transaction is alone in its ledger, so its application order is always 1.
pub const APPLICATION_ORDER: u32 = 1;

/// Nesting limit for decoding: an envelope of the supported kinds is shallow, and a hostile one
/// (nested Soroban values) must not exhaust the stack before it is refused.
const XDR_DEPTH_LIMIT: u32 = 200;
/// Base64 needs 4 characters per 3 bytes; a little slack for whitespace, which XDR's decoder
/// skips.
const MAX_ENVELOPE_BASE64_CHARS: usize = MAX_ENVELOPE_XDR_BYTES / 3 * 4 + 1_024;

/// The network id: sha256 of the network passphrase.
pub fn network_id(network_passphrase: &str) -> [u8; 32] {
	Sha256::digest(network_passphrase.as_bytes()).into()
}

/// A SEP-35 total order id for a transaction: ledger sequence in the high 32 bits, the
/// application order in the next 20 bits, operation index 0. Horizon's `paging_token`.
pub fn toid(ledger_sequence: u32, application_order: u32) -> u64 {
	(u64::from(ledger_sequence) << 32) | (u64::from(application_order & 0xF_FFFF) << 12)
}

/// The SEP-35 id of an operation: its transaction's TOID with the operation's position plus
/// one (`operation_index` counts from 0) in the low 12 bits. Horizon's operation `id` and
/// `paging_token`. A transaction has at most 100 operations, so the index always fits.
pub fn operation_toid(ledger_sequence: u32, application_order: u32, operation_index: usize) -> u64 {
	let position =
		u64::try_from(operation_index).map_or(0xFFF, |index| index.saturating_add(1).min(0xFFF));
	toid(ledger_sequence, application_order) | position
}

/// Checks an ed25519 signature the way stellar-core does (libsodium rejects non-canonical
/// signatures and small-order keys; `verify_strict` does the same).
pub fn verify_ed25519(public_key: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
	let Ok(signature_bytes) = <[u8; 64]>::try_from(signature) else {
		return false;
	};
	let Ok(verifying_key) = VerifyingKey::from_bytes(public_key) else {
		return false;
	};
	let signature = Ed25519Signature::from_bytes(&signature_bytes);
	verifying_key.verify_strict(message, &signature).is_ok()
}

/// An ed25519 account id (the 32 bytes of its public key); a `G...` strkey in JSON.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountKey(pub [u8; 32]);

impl AccountKey {
	/// Parses a `G...` strkey.
	pub fn from_strkey(strkey: &str) -> Result<Self, stellar_strkey::DecodeError> {
		stellar_strkey::ed25519::PublicKey::from_string(strkey).map(|key| AccountKey(key.0))
	}

	/// The `G...` strkey.
	pub fn to_strkey(&self) -> String {
		format!("{}", stellar_strkey::ed25519::PublicKey(self.0))
	}

	/// The signature hint of this key: its last 4 bytes.
	pub fn signature_hint(&self) -> [u8; 4] {
		[self.0[28], self.0[29], self.0[30], self.0[31]]
	}

	fn from_account_id(account_id: &AccountId) -> Self {
		match &account_id.0 {
			PublicKey::PublicKeyTypeEd25519(Uint256(bytes)) => AccountKey(*bytes),
		}
	}

	fn from_muxed(account: &MuxedAccount) -> Result<Self, String> {
		match account {
			MuxedAccount::Ed25519(Uint256(bytes)) => Ok(AccountKey(*bytes)),
			MuxedAccount::MuxedEd25519(_) => {
				Err("muxed (M...) accounts are not simulated; use a G... account".to_owned())
			},
		}
	}
}

impl fmt::Display for AccountKey {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(&self.to_strkey())
	}
}

impl fmt::Debug for AccountKey {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "AccountKey({})", self.to_strkey())
	}
}

impl Serialize for AccountKey {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&self.to_strkey())
	}
}

impl<'de> Deserialize<'de> for AccountKey {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		let strkey = String::deserialize(deserializer)?;
		AccountKey::from_strkey(&strkey).map_err(|error| {
			serde::de::Error::custom(format!("invalid account strkey {strkey:?}: {error}"))
		})
	}
}

/// A credit asset: a code of 1 to 12 ASCII letters and digits, and its issuer. Codes of up to 4
/// characters are `credit_alphanum4`, longer ones `credit_alphanum12` (Stellar accepts nothing
/// else, so the code alone tells the type).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CreditAsset {
	pub code: String,
	pub issuer: AccountKey,
}

impl CreditAsset {
	/// Horizon's `asset_type`.
	pub fn asset_type(&self) -> &'static str {
		if self.code.len() <= 4 {
			"credit_alphanum4"
		} else {
			"credit_alphanum12"
		}
	}

	/// Reads an XDR asset code as stellar-core validates it: ASCII letters and digits, then
	/// only zero padding, with at least `min_len` characters. `None` if invalid.
	fn from_code_bytes(code: &[u8], min_len: usize, issuer: &AccountId) -> Option<Self> {
		let len = code.iter().position(|byte| *byte == 0).unwrap_or(code.len());
		let (characters, padding) = code.split_at(len);
		if len < min_len
			|| !characters.iter().all(|byte| byte.is_ascii_alphanumeric())
			|| padding.iter().any(|byte| *byte != 0)
		{
			return None;
		}
		Some(CreditAsset {
			code: String::from_utf8_lossy(characters).into_owned(),
			issuer: AccountKey::from_account_id(issuer),
		})
	}
}

/// An asset named by an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
enum AssetSpec {
	Native,
	Credit(CreditAsset),
	/// A credit asset whose code Stellar refuses (the operation is `op_malformed`).
	Invalid,
}

impl AssetSpec {
	fn from_asset(asset: &Asset) -> Self {
		let credit = match asset {
			Asset::Native => return AssetSpec::Native,
			Asset::CreditAlphanum4(a) => {
				CreditAsset::from_code_bytes(&a.asset_code.0, 1, &a.issuer)
			},
			Asset::CreditAlphanum12(a) => {
				CreditAsset::from_code_bytes(&a.asset_code.0, 5, &a.issuer)
			},
		};
		credit.map_or(AssetSpec::Invalid, AssetSpec::Credit)
	}

	fn from_change_trust_asset(asset: &ChangeTrustAsset) -> Result<Self, String> {
		let credit = match asset {
			ChangeTrustAsset::Native => return Ok(AssetSpec::Native),
			ChangeTrustAsset::CreditAlphanum4(a) => {
				CreditAsset::from_code_bytes(&a.asset_code.0, 1, &a.issuer)
			},
			ChangeTrustAsset::CreditAlphanum12(a) => {
				CreditAsset::from_code_bytes(&a.asset_code.0, 5, &a.issuer)
			},
			ChangeTrustAsset::PoolShare(_) => {
				return Err("liquidity pool trustlines are not simulated".to_owned())
			},
		};
		Ok(credit.map_or(AssetSpec::Invalid, AssetSpec::Credit))
	}
}

/// A trustline: an account's balance of a credit asset, up to its limit (both in stroops).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trustline {
	pub asset: CreditAsset,
	pub balance: i64,
	pub limit: i64,
	pub last_modified_ledger: u32,
}

/// An account entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
	/// The sequence number of the last transaction this account sourced (or its starting one).
	pub sequence: i64,
	/// The ledger and close time at which `sequence` last changed.
	pub sequence_ledger: u32,
	pub sequence_time: u64,
	/// Lumens in stroops.
	pub native_balance: i64,
	/// Weight of the account's own key; 0 disables it.
	pub master_weight: u8,
	pub low_threshold: u8,
	pub med_threshold: u8,
	pub high_threshold: u8,
	/// The other signers (ed25519 keys) with their weights, each ≥ 1.
	pub signers: BTreeMap<AccountKey, u8>,
	pub trustlines: Vec<Trustline>,
	pub last_modified_ledger: u32,
	pub last_modified_time: u64,
}

impl Account {
	/// A new account as Stellar creates it: master weight 1, thresholds 0, and a starting
	/// sequence number of the creating ledger's sequence shifted left by 32 bits.
	fn new(native_balance: i64, ledger_sequence: u32, close_time: u64) -> Self {
		Account {
			sequence: i64::from(ledger_sequence) << 32,
			sequence_ledger: ledger_sequence,
			sequence_time: close_time,
			native_balance,
			master_weight: 1,
			low_threshold: 0,
			med_threshold: 0,
			high_threshold: 0,
			signers: BTreeMap::new(),
			trustlines: Vec::new(),
			last_modified_ledger: ledger_sequence,
			last_modified_time: close_time,
		}
	}

	/// Horizon's `subentry_count`: trustlines and signers.
	pub fn subentry_count(&self) -> usize {
		self.trustlines.len() + self.signers.len()
	}

	/// The trustline of `asset`, if the account has one.
	pub fn trustline(&self, asset: &CreditAsset) -> Option<&Trustline> {
		self.trustlines.iter().find(|line| &line.asset == asset)
	}

	fn trustline_mut(&mut self, asset: &CreditAsset) -> Option<&mut Trustline> {
		self.trustlines.iter_mut().find(|line| &line.asset == asset)
	}

	fn threshold(&self, level: ThresholdLevel) -> u8 {
		match level {
			ThresholdLevel::Medium => self.med_threshold,
			ThresholdLevel::High => self.high_threshold,
		}
	}

	fn touch(&mut self, ledger_sequence: u32, close_time: u64) {
		self.last_modified_ledger = ledger_sequence;
		self.last_modified_time = close_time;
	}
}

/// A transaction's time bounds (unix seconds; a `max_time` of 0 means none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeBoundsRecord {
	pub min_time: u64,
	pub max_time: u64,
}

/// A transaction included in a ledger, successful or not, with what Horizon shows of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionRecord {
	/// The transaction hash, lowercase hex.
	pub hash: String,
	pub ledger: u32,
	pub application_order: u32,
	pub successful: bool,
	/// The envelope as submitted (re-encoded canonically), base64 XDR.
	pub envelope_xdr: String,
	/// The `TransactionResult`, base64 XDR.
	pub result_xdr: String,
	pub source_account: AccountKey,
	pub source_account_sequence: i64,
	pub fee_charged: i64,
	/// The envelope's fee: the most the source agreed to pay.
	pub max_fee: u32,
	pub operation_count: u32,
	/// "none", "text", "id", "hash" or "return".
	pub memo_type: String,
	/// As Horizon shows it: text as UTF-8 (lossy), id in decimal, hash and return in base64.
	pub memo: Option<String>,
	/// Text memos only: the raw bytes in base64.
	pub memo_bytes: Option<String>,
	/// The signatures, base64, in envelope order.
	pub signatures: Vec<String>,
	pub time_bounds: Option<TimeBoundsRecord>,
	/// The close time of its ledger, unix seconds.
	pub created_at: u64,
	/// Horizon's code of each operation's result ("op_success", "op_no_trust", ...).
	pub operation_result_codes: Vec<String>,
	/// The accounts the transaction involves (its source, operation sources, payment and
	/// create_account destinations): the transaction is listed under each of them.
	pub participants: Vec<AccountKey>,
}

impl TransactionRecord {
	/// Horizon's `paging_token`, the transaction's TOID.
	pub fn paging_token(&self) -> u64 {
		toid(self.ledger, self.application_order)
	}

	/// The transaction's operations in envelope order, read back from the stored envelope
	/// (the envelope is the only record of them), with what Horizon shows of each.
	pub fn operations(&self) -> Result<Vec<OperationRecord>, UnreadableEnvelope> {
		let unreadable = |reason: String| UnreadableEnvelope { hash: self.hash.clone(), reason };
		let limits = Limits { depth: XDR_DEPTH_LIMIT, len: MAX_ENVELOPE_XDR_BYTES };
		let envelope =
			TransactionEnvelope::from_xdr_base64(&self.envelope_xdr, limits).map_err(|error| {
				unreadable(format!("not a base64 XDR TransactionEnvelope: {error}"))
			})?;
		let TransactionEnvelope::Tx(v1) = &envelope else {
			return Err(unreadable("not a v1 envelope (ENVELOPE_TYPE_TX)".to_owned()));
		};
		v1.tx
			.operations
			.iter()
			.enumerate()
			.map(|(index, operation)| -> Result<OperationRecord, UnreadableEnvelope> {
				let source_account = match &operation.source_account {
					Some(source) => AccountKey::from_muxed(source).map_err(unreadable)?,
					None => self.source_account,
				};
				let details = OperationDetails::from_operation(operation, source_account)
					.map_err(unreadable)?;
				Ok(OperationRecord {
					id: operation_toid(self.ledger, self.application_order, index),
					source_account,
					transaction_hash: self.hash.clone(),
					transaction_successful: self.successful,
					created_at: self.created_at,
					details,
				})
			})
			.collect()
	}
}

/// An asset as an operation names it, as Horizon shows it: the type is the XDR variant's
/// (`credit_alphanum4` or `credit_alphanum12`), the code its bytes up to the first zero.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperationAsset {
	Native,
	Credit { asset_type: &'static str, code: String, issuer: AccountKey },
}

impl OperationAsset {
	fn from_asset(asset: &Asset) -> Self {
		match asset {
			Asset::Native => OperationAsset::Native,
			Asset::CreditAlphanum4(a) => {
				OperationAsset::credit("credit_alphanum4", &a.asset_code.0, &a.issuer)
			},
			Asset::CreditAlphanum12(a) => {
				OperationAsset::credit("credit_alphanum12", &a.asset_code.0, &a.issuer)
			},
		}
	}

	fn from_change_trust_asset(asset: &ChangeTrustAsset) -> Result<Self, String> {
		match asset {
			ChangeTrustAsset::Native => Ok(OperationAsset::Native),
			ChangeTrustAsset::CreditAlphanum4(a) => {
				Ok(OperationAsset::credit("credit_alphanum4", &a.asset_code.0, &a.issuer))
			},
			ChangeTrustAsset::CreditAlphanum12(a) => {
				Ok(OperationAsset::credit("credit_alphanum12", &a.asset_code.0, &a.issuer))
			},
			ChangeTrustAsset::PoolShare(_) => {
				Err("liquidity pool trustlines are not simulated".to_owned())
			},
		}
	}

	fn credit(asset_type: &'static str, code: &[u8], issuer: &AccountId) -> Self {
		let len = code.iter().position(|byte| *byte == 0).unwrap_or(code.len());
		let (characters, _padding) = code.split_at(len);
		OperationAsset::Credit {
			asset_type,
			code: String::from_utf8_lossy(characters).into_owned(),
			issuer: AccountKey::from_account_id(issuer),
		}
	}
}

/// What one operation does, with the accounts Horizon names for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperationDetails {
	CreateAccount {
		funder: AccountKey,
		account: AccountKey,
		starting_balance: i64,
	},
	Payment {
		from: AccountKey,
		to: AccountKey,
		asset: OperationAsset,
		amount: i64,
	},
	ChangeTrust {
		trustor: AccountKey,
		asset: OperationAsset,
		limit: i64,
	},
	/// Only the fields the operation sets; flags and home domain are not shown (the
	/// simulator ignores them).
	SetOptions {
		master_key_weight: Option<u32>,
		low_threshold: Option<u32>,
		med_threshold: Option<u32>,
		high_threshold: Option<u32>,
		/// (ed25519 key, weight); weight 0 removes the signer.
		signer: Option<(AccountKey, u32)>,
	},
}

impl OperationDetails {
	/// Horizon's `type`.
	pub fn type_name(&self) -> &'static str {
		match self {
			OperationDetails::CreateAccount { .. } => "create_account",
			OperationDetails::Payment { .. } => "payment",
			OperationDetails::ChangeTrust { .. } => "change_trust",
			OperationDetails::SetOptions { .. } => "set_options",
		}
	}

	/// Horizon's `type_i`: the XDR `OperationType`.
	pub fn type_code(&self) -> u32 {
		match self {
			OperationDetails::CreateAccount { .. } => 0,
			OperationDetails::Payment { .. } => 1,
			OperationDetails::SetOptions { .. } => 5,
			OperationDetails::ChangeTrust { .. } => 6,
		}
	}

	fn from_operation(operation: &Operation, source: AccountKey) -> Result<Self, String> {
		match &operation.body {
			OperationBody::CreateAccount(op) => Ok(OperationDetails::CreateAccount {
				funder: source,
				account: AccountKey::from_account_id(&op.destination),
				starting_balance: op.starting_balance,
			}),
			OperationBody::Payment(op) => Ok(OperationDetails::Payment {
				from: source,
				to: AccountKey::from_muxed(&op.destination)?,
				asset: OperationAsset::from_asset(&op.asset),
				amount: op.amount,
			}),
			OperationBody::ChangeTrust(op) => Ok(OperationDetails::ChangeTrust {
				trustor: source,
				asset: OperationAsset::from_change_trust_asset(&op.line)?,
				limit: op.limit,
			}),
			OperationBody::SetOptions(op) => {
				let signer = match &op.signer {
					None => None,
					Some(signer) => match &signer.key {
						SignerKey::Ed25519(Uint256(key)) => Some((AccountKey(*key), signer.weight)),
						_ => return Err("only ed25519 signer keys are simulated".to_owned()),
					},
				};
				Ok(OperationDetails::SetOptions {
					master_key_weight: op.master_weight,
					low_threshold: op.low_threshold,
					med_threshold: op.med_threshold,
					high_threshold: op.high_threshold,
					signer,
				})
			},
			other => Err(format!("operation {} is not simulated", other.name())),
		}
	}
}

/// One operation of a stored transaction, as Horizon lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationRecord {
	/// The operation's TOID ([`operation_toid`]): Horizon's `id` and `paging_token`.
	pub id: u64,
	/// The operation's source, or the transaction's if it names none.
	pub source_account: AccountKey,
	pub transaction_hash: String,
	pub transaction_successful: bool,
	/// The close time of the transaction's ledger, unix seconds.
	pub created_at: u64,
	pub details: OperationDetails,
}

/// A stored envelope that cannot be read back (a state file edited by hand, or a bug).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadableEnvelope {
	pub hash: String,
	pub reason: String,
}

impl fmt::Display for UnreadableEnvelope {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(
			f,
			"the stored envelope of transaction {} cannot be read: {}",
			self.hash, self.reason
		)
	}
}

impl std::error::Error for UnreadableEnvelope {}

/// Why a transaction's operations could not be listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperationsError {
	UnknownTransaction,
	UnreadableEnvelope(UnreadableEnvelope),
}

impl fmt::Display for OperationsError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			OperationsError::UnknownTransaction => f.write_str("no such transaction"),
			OperationsError::UnreadableEnvelope(error) => write!(f, "{error}"),
		}
	}
}

impl std::error::Error for OperationsError {}

/// Why a submission was refused before inclusion: nothing was stored or charged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
	pub hash: String,
	pub envelope_xdr: String,
	pub result_xdr: String,
	/// "tx_bad_seq", "tx_bad_auth", ..., or "tx_failed" when an operation was refused.
	pub transaction_code: &'static str,
	/// Each operation's code; only for `tx_failed`.
	pub operation_codes: Vec<&'static str>,
}

/// The outcome of a submission.
#[derive(Clone, Debug, PartialEq, Eq)]
// Returned once per submission: the record is not worth a box.
#[allow(clippy::large_enum_variant)]
pub enum Submission {
	/// The transaction is in a ledger (successful or failed). `newly_included` is false when
	/// the same transaction had been included before and nothing was applied this time.
	Included { record: TransactionRecord, newly_included: bool },
	/// Refused before inclusion.
	Rejected(Rejection),
	/// The envelope could not be decoded, or uses something the simulator does not support.
	Malformed(String),
	/// The simulator's bounded stores are full.
	StoreFull,
}

/// Why an account could not be created by the simulator's funding shortcuts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FundError {
	AlreadyExists,
	NegativeAmount,
	StoreFull,
}

impl fmt::Display for FundError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			FundError::AlreadyExists => f.write_str("the account already exists"),
			FundError::NegativeAmount => f.write_str("the starting balance is negative"),
			FundError::StoreFull => f.write_str("the simulator's account store is full"),
		}
	}
}

impl std::error::Error for FundError {}

/// A state read from a file that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerStateError {
	DuplicateTransaction(String),
	TransactionsOutOfOrder(String),
}

impl fmt::Display for LedgerStateError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			LedgerStateError::DuplicateTransaction(hash) => {
				write!(f, "transaction {hash} is stored twice")
			},
			LedgerStateError::TransactionsOutOfOrder(hash) => {
				write!(f, "transaction {hash} is not after the one before it")
			},
		}
	}
}

impl std::error::Error for LedgerStateError {}

/// Which page of an account's transactions to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageQuery {
	/// Only records strictly after (ascending) or before (descending) this paging token.
	pub cursor: Option<u64>,
	pub descending: bool,
	/// 1 to [`MAX_PAGE_LIMIT`]; larger values are clamped.
	pub limit: usize,
	pub include_failed: bool,
}

/// Everything the simulator persists: serializable, and all that a restart needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerState {
	pub network_passphrase: String,
	pub latest_ledger: u32,
	/// Close time of the latest ledger, unix seconds.
	pub latest_ledger_closed_at: u64,
	pub accounts: BTreeMap<AccountKey, Account>,
	/// In ledger order.
	pub transactions: Vec<TransactionRecord>,
}

/// The ledger: [`LedgerState`] with its indexes.
#[derive(Clone, Debug)]
pub struct Ledger {
	state: LedgerState,
	network_id: [u8; 32],
	index_by_hash: HashMap<String, usize>,
	/// Positions in `state.transactions`, ascending, for each participant.
	index_by_account: HashMap<AccountKey, Vec<usize>>,
}

/// How a submission is authorized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Authorization {
	/// By the envelope's signatures, checked against the accounts' signers and thresholds as
	/// stellar-core does. [`Ledger::submit`], the path of every Horizon submission.
	Signatures,
	/// By nobody: the simulator acts as the accounts. Only [`Ledger::apply_unsigned`]
	/// (`POST /sim/transactions`) uses it.
	AssumedBySimulator,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ThresholdLevel {
	Medium,
	High,
}

#[derive(Clone, Debug)]
struct DecoratedSignature {
	hint: [u8; 4],
	signature: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
struct SetOptionsChange {
	master_weight: Option<u32>,
	low_threshold: Option<u32>,
	med_threshold: Option<u32>,
	high_threshold: Option<u32>,
	/// (key, weight); weight 0 removes the signer.
	signer: Option<(AccountKey, u32)>,
}

impl SetOptionsChange {
	/// Changing weights, thresholds or signers needs the high threshold (as in stellar-core).
	fn changes_authorization(&self) -> bool {
		self.master_weight.is_some()
			|| self.low_threshold.is_some()
			|| self.med_threshold.is_some()
			|| self.high_threshold.is_some()
			|| self.signer.is_some()
	}
}

#[derive(Clone, Debug)]
enum OperationKind {
	CreateAccount { destination: AccountKey, starting_balance: i64 },
	Payment { destination: AccountKey, asset: AssetSpec, amount: i64 },
	ChangeTrust { asset: AssetSpec, limit: i64 },
	SetOptions(SetOptionsChange),
}

impl OperationKind {
	fn threshold_level(&self) -> ThresholdLevel {
		match self {
			OperationKind::CreateAccount { .. }
			| OperationKind::Payment { .. }
			| OperationKind::ChangeTrust { .. } => ThresholdLevel::Medium,
			OperationKind::SetOptions(change) if change.changes_authorization() => {
				ThresholdLevel::High
			},
			OperationKind::SetOptions(_) => ThresholdLevel::Medium,
		}
	}

	fn destination(&self) -> Option<AccountKey> {
		match self {
			OperationKind::CreateAccount { destination, .. }
			| OperationKind::Payment { destination, .. } => Some(*destination),
			OperationKind::ChangeTrust { .. } | OperationKind::SetOptions(_) => None,
		}
	}

	/// The result this operation has when it succeeds (also what stellar-core reports for
	/// operations it did not reach).
	fn success_result(&self) -> OperationResult {
		match self {
			OperationKind::CreateAccount { .. } => {
				create_account_result(CreateAccountResult::Success)
			},
			OperationKind::Payment { .. } => payment_result(PaymentResult::Success),
			OperationKind::ChangeTrust { .. } => change_trust_result(ChangeTrustResult::Success),
			OperationKind::SetOptions(_) => set_options_result(SetOptionsResult::Success),
		}
	}

	/// stellar-core's `doCheckValid`: checks of the operation alone, before inclusion.
	fn check_well_formed(&self, source: &AccountKey) -> Option<OperationResult> {
		match self {
			OperationKind::CreateAccount { destination, starting_balance } => {
				(*starting_balance < 0 || destination == source)
					.then(|| create_account_result(CreateAccountResult::Malformed))
			},
			OperationKind::Payment { asset, amount, .. } => (*amount <= 0
				|| *asset == AssetSpec::Invalid)
				.then(|| payment_result(PaymentResult::Malformed)),
			OperationKind::ChangeTrust { asset, limit } => match asset {
				AssetSpec::Credit(credit) if *limit >= 0 && credit.issuer != *source => None,
				_ => Some(change_trust_result(ChangeTrustResult::Malformed)),
			},
			OperationKind::SetOptions(change) => {
				let out_of_range = [
					change.master_weight,
					change.low_threshold,
					change.med_threshold,
					change.high_threshold,
				]
				.iter()
				.flatten()
				.any(|value| *value > u32::from(u8::MAX));
				if out_of_range {
					return Some(set_options_result(SetOptionsResult::ThresholdOutOfRange));
				}
				match &change.signer {
					Some((key, weight)) if key == source || *weight > u32::from(u8::MAX) => {
						Some(set_options_result(SetOptionsResult::BadSigner))
					},
					_ => None,
				}
			},
		}
	}
}

#[derive(Clone, Debug)]
struct ParsedOperation {
	source: Option<AccountKey>,
	kind: OperationKind,
}

#[derive(Clone, Debug)]
struct ParsedMemo {
	memo_type: &'static str,
	memo: Option<String>,
	memo_bytes: Option<String>,
}

#[derive(Clone, Debug)]
struct ParsedTransaction {
	source: AccountKey,
	fee: u32,
	sequence: i64,
	time_bounds: Option<TimeBoundsRecord>,
	memo: ParsedMemo,
	operations: Vec<ParsedOperation>,
	signatures: Vec<DecoratedSignature>,
}

impl ParsedTransaction {
	fn operation_source(&self, operation: &ParsedOperation) -> AccountKey {
		operation.source.unwrap_or(self.source)
	}

	/// The transaction source, operation sources and destinations, first appearance first.
	fn participants(&self) -> Vec<AccountKey> {
		let mut participants = vec![self.source];
		for operation in &self.operations {
			for key in [operation.source, operation.kind.destination()].into_iter().flatten() {
				if !participants.contains(&key) {
					participants.push(key);
				}
			}
		}
		participants
	}
}

struct DecodedTransaction {
	hash: [u8; 32],
	hash_hex: String,
	envelope_xdr: String,
	transaction: ParsedTransaction,
}

/// Why validation refused a transaction.
enum ValidationFailure {
	NoSourceAccount,
	TooEarly,
	TooLate,
	InsufficientFee,
	BadSeq,
	MissingOperation,
	BadAuth,
	InsufficientBalance,
	BadAuthExtra,
	/// One operation was refused; the results of all of them.
	OperationRefused(Vec<OperationResult>),
}

impl ValidationFailure {
	fn into_result(self) -> TransactionResultResult {
		match self {
			ValidationFailure::NoSourceAccount => TransactionResultResult::TxNoAccount,
			ValidationFailure::TooEarly => TransactionResultResult::TxTooEarly,
			ValidationFailure::TooLate => TransactionResultResult::TxTooLate,
			ValidationFailure::InsufficientFee => TransactionResultResult::TxInsufficientFee,
			ValidationFailure::BadSeq => TransactionResultResult::TxBadSeq,
			ValidationFailure::MissingOperation => TransactionResultResult::TxMissingOperation,
			ValidationFailure::BadAuth => TransactionResultResult::TxBadAuth,
			ValidationFailure::InsufficientBalance => {
				TransactionResultResult::TxInsufficientBalance
			},
			ValidationFailure::BadAuthExtra => TransactionResultResult::TxBadAuthExtra,
			ValidationFailure::OperationRefused(results) => {
				TransactionResultResult::TxFailed(results.try_into().unwrap_or_default())
			},
		}
	}
}

/// Adds up signature weights the way stellar-core's `SignatureChecker` does: in one check each
/// signer of the account counts once, with the first signature it made (hint and ed25519
/// match); a signature may count again in another check; every signature must have counted
/// somewhere or the transaction is `tx_bad_auth_extra` (so signatures beyond a threshold are
/// refused, as on Stellar).
struct SignatureChecker<'a> {
	hash: &'a [u8; 32],
	signatures: &'a [DecoratedSignature],
	used: Vec<bool>,
	/// ed25519 verifications are the expensive part; each (signature, key) pair once.
	verified: HashMap<(usize, [u8; 32]), bool>,
}

impl<'a> SignatureChecker<'a> {
	fn new(hash: &'a [u8; 32], signatures: &'a [DecoratedSignature]) -> Self {
		SignatureChecker {
			hash,
			signatures,
			used: vec![false; signatures.len()],
			verified: HashMap::new(),
		}
	}

	fn signs(&mut self, signature_index: usize, key: &AccountKey) -> bool {
		if let Some(known) = self.verified.get(&(signature_index, key.0)) {
			return *known;
		}
		let valid = self.signatures.get(signature_index).is_some_and(|signature| {
			signature.hint == key.signature_hint()
				&& verify_ed25519(&key.0, self.hash, &signature.signature)
		});
		self.verified.insert((signature_index, key.0), valid);
		valid
	}

	/// Whether the signatures of `account`'s signers weigh at least `threshold`. A threshold
	/// of 0 still needs one signature of a signer with a weight.
	fn reaches(&mut self, account_key: &AccountKey, account: &Account, threshold: u8) -> bool {
		let mut signers: Vec<(AccountKey, u8)> = Vec::with_capacity(account.signers.len() + 1);
		if account.master_weight > 0 {
			signers.push((*account_key, account.master_weight));
		}
		signers.extend(
			account.signers.iter().filter(|(_, weight)| **weight > 0).map(|(key, w)| (*key, *w)),
		);
		let needed = u32::from(threshold.max(1));
		let mut total = 0u32;
		// stellar-core's order: for each signer (master key first, then the signers sorted by
		// key), the first signature it made counts; stop as soon as the threshold is reached.
		for (key, weight) in signers {
			for signature_index in 0..self.signatures.len() {
				if self.signs(signature_index, &key) {
					if let Some(used) = self.used.get_mut(signature_index) {
						*used = true;
					}
					total += u32::from(weight);
					if total >= needed {
						return true;
					}
					break;
				}
			}
		}
		false
	}

	fn all_used(&self) -> bool {
		self.used.iter().all(|used| *used)
	}
}

fn create_account_result(result: CreateAccountResult) -> OperationResult {
	OperationResult::OpInner(OperationResultTr::CreateAccount(result))
}

fn payment_result(result: PaymentResult) -> OperationResult {
	OperationResult::OpInner(OperationResultTr::Payment(result))
}

fn change_trust_result(result: ChangeTrustResult) -> OperationResult {
	OperationResult::OpInner(OperationResultTr::ChangeTrust(result))
}

fn set_options_result(result: SetOptionsResult) -> OperationResult {
	OperationResult::OpInner(OperationResultTr::SetOptions(result))
}

fn is_success(result: &OperationResult) -> bool {
	matches!(
		result,
		OperationResult::OpInner(
			OperationResultTr::CreateAccount(CreateAccountResult::Success)
				| OperationResultTr::Payment(PaymentResult::Success)
				| OperationResultTr::ChangeTrust(ChangeTrustResult::Success)
				| OperationResultTr::SetOptions(SetOptionsResult::Success)
		)
	)
}

/// Horizon's name of a transaction result code (Horizon's `codes` package).
pub fn transaction_result_code(result: &TransactionResultResult) -> &'static str {
	match result {
		TransactionResultResult::TxFeeBumpInnerSuccess(_) => "tx_fee_bump_inner_success",
		TransactionResultResult::TxFeeBumpInnerFailed(_) => "tx_fee_bump_inner_failed",
		TransactionResultResult::TxSuccess(_) => "tx_success",
		TransactionResultResult::TxFailed(_) => "tx_failed",
		TransactionResultResult::TxTooEarly => "tx_too_early",
		TransactionResultResult::TxTooLate => "tx_too_late",
		TransactionResultResult::TxMissingOperation => "tx_missing_operation",
		TransactionResultResult::TxBadSeq => "tx_bad_seq",
		TransactionResultResult::TxBadAuth => "tx_bad_auth",
		TransactionResultResult::TxInsufficientBalance => "tx_insufficient_balance",
		TransactionResultResult::TxNoAccount => "tx_no_source_account",
		TransactionResultResult::TxInsufficientFee => "tx_insufficient_fee",
		TransactionResultResult::TxBadAuthExtra => "tx_bad_auth_extra",
		TransactionResultResult::TxInternalError => "tx_internal_error",
		TransactionResultResult::TxNotSupported => "tx_not_supported",
		TransactionResultResult::TxBadSponsorship => "tx_bad_sponsorship",
		TransactionResultResult::TxBadMinSeqAgeOrGap => "tx_bad_minseq_age_or_gap",
		TransactionResultResult::TxMalformed => "tx_malformed",
		// Never produced by the simulator; named after the XDR.
		_ => "tx_not_supported",
	}
}

/// Horizon's name of an operation result code (Horizon's `codes` package, including its
/// spelling `op_not_aut_maintain_liabilities`).
pub fn operation_result_code(result: &OperationResult) -> &'static str {
	let inner = match result {
		OperationResult::OpInner(inner) => inner,
		OperationResult::OpBadAuth => return "op_bad_auth",
		OperationResult::OpNoAccount => return "op_no_source_account",
		OperationResult::OpNotSupported => return "op_not_supported",
		OperationResult::OpTooManySubentries => return "op_too_many_subentries",
		OperationResult::OpExceededWorkLimit => return "op_exceeded_work_limit",
		OperationResult::OpTooManySponsoring => return "op_too_many_sponsoring",
	};
	match inner {
		OperationResultTr::CreateAccount(code) => match code {
			CreateAccountResult::Success => "op_success",
			CreateAccountResult::Malformed => "op_malformed",
			CreateAccountResult::Underfunded => "op_underfunded",
			CreateAccountResult::LowReserve => "op_low_reserve",
			CreateAccountResult::AlreadyExist => "op_already_exists",
		},
		OperationResultTr::Payment(code) => match code {
			PaymentResult::Success => "op_success",
			PaymentResult::Malformed => "op_malformed",
			PaymentResult::Underfunded => "op_underfunded",
			PaymentResult::SrcNoTrust => "op_src_no_trust",
			PaymentResult::SrcNotAuthorized => "op_src_not_authorized",
			PaymentResult::NoDestination => "op_no_destination",
			PaymentResult::NoTrust => "op_no_trust",
			PaymentResult::NotAuthorized => "op_not_authorized",
			PaymentResult::LineFull => "op_line_full",
			PaymentResult::NoIssuer => "op_no_issuer",
		},
		OperationResultTr::ChangeTrust(code) => match code {
			ChangeTrustResult::Success => "op_success",
			ChangeTrustResult::Malformed => "op_malformed",
			ChangeTrustResult::NoIssuer => "op_no_issuer",
			ChangeTrustResult::InvalidLimit => "op_invalid_limit",
			ChangeTrustResult::LowReserve => "op_low_reserve",
			ChangeTrustResult::SelfNotAllowed => "op_self_not_allowed",
			ChangeTrustResult::TrustLineMissing => "op_trust_line_missing",
			ChangeTrustResult::CannotDelete => "op_cannot_delete",
			ChangeTrustResult::NotAuthMaintainLiabilities => "op_not_aut_maintain_liabilities",
		},
		OperationResultTr::SetOptions(code) => match code {
			SetOptionsResult::Success => "op_success",
			SetOptionsResult::LowReserve => "op_low_reserve",
			SetOptionsResult::TooManySigners => "op_too_many_signers",
			SetOptionsResult::BadFlags => "op_bad_flags",
			SetOptionsResult::InvalidInflation => "op_invalid_inflation",
			SetOptionsResult::CantChange => "op_cant_change",
			SetOptionsResult::UnknownFlag => "op_unknown_flag",
			SetOptionsResult::ThresholdOutOfRange => "op_threshold_out_of_range",
			SetOptionsResult::BadSigner => "op_bad_signer",
			SetOptionsResult::InvalidHomeDomain => "op_invalid_home_domain",
			SetOptionsResult::AuthRevocableRequired => "op_auth_revocable_required",
		},
		// The simulator runs no other operation.
		_ => "op_inner",
	}
}

fn encode_result(fee_charged: i64, result: TransactionResultResult) -> String {
	let result = TransactionResult { fee_charged, result, ext: TransactionResultExt::V0 };
	// Encoding a value built here cannot fail in practice; an empty string would show it.
	result.to_xdr_base64(Limits::none()).unwrap_or_default()
}

fn parse_memo(memo: &Memo) -> ParsedMemo {
	match memo {
		Memo::None => ParsedMemo { memo_type: "none", memo: None, memo_bytes: None },
		Memo::Text(text) => {
			let bytes = text.to_vec();
			ParsedMemo {
				memo_type: "text",
				memo: Some(String::from_utf8_lossy(&bytes).into_owned()),
				memo_bytes: Some(BASE64.encode(&bytes)),
			}
		},
		Memo::Id(id) => {
			ParsedMemo { memo_type: "id", memo: Some(id.to_string()), memo_bytes: None }
		},
		Memo::Hash(xdr::Hash(bytes)) => {
			ParsedMemo { memo_type: "hash", memo: Some(BASE64.encode(bytes)), memo_bytes: None }
		},
		Memo::Return(xdr::Hash(bytes)) => {
			ParsedMemo { memo_type: "return", memo: Some(BASE64.encode(bytes)), memo_bytes: None }
		},
	}
}

fn parse_operation(operation: &Operation) -> Result<ParsedOperation, String> {
	let source = operation.source_account.as_ref().map(AccountKey::from_muxed).transpose()?;
	let kind = match &operation.body {
		OperationBody::CreateAccount(op) => OperationKind::CreateAccount {
			destination: AccountKey::from_account_id(&op.destination),
			starting_balance: op.starting_balance,
		},
		OperationBody::Payment(op) => OperationKind::Payment {
			destination: AccountKey::from_muxed(&op.destination)?,
			asset: AssetSpec::from_asset(&op.asset),
			amount: op.amount,
		},
		OperationBody::ChangeTrust(op) => OperationKind::ChangeTrust {
			asset: AssetSpec::from_change_trust_asset(&op.line)?,
			limit: op.limit,
		},
		OperationBody::SetOptions(op) => {
			// Flags, home domain and inflation destination have no effect here: ignored.
			let signer = match &op.signer {
				None => None,
				Some(signer) => match &signer.key {
					SignerKey::Ed25519(Uint256(key)) => Some((AccountKey(*key), signer.weight)),
					_ => return Err("only ed25519 signer keys are simulated".to_owned()),
				},
			};
			OperationKind::SetOptions(SetOptionsChange {
				master_weight: op.master_weight,
				low_threshold: op.low_threshold,
				med_threshold: op.med_threshold,
				high_threshold: op.high_threshold,
				signer,
			})
		},
		other => {
			return Err(format!(
				"operation {} is not simulated (only create_account, payment, change_trust, \
				 set_options)",
				other.name()
			))
		},
	};
	Ok(ParsedOperation { source, kind })
}

fn parse_transaction(envelope: &TransactionV1Envelope) -> Result<ParsedTransaction, String> {
	let tx = &envelope.tx;
	let time_bounds = match &tx.cond {
		Preconditions::None => None,
		Preconditions::Time(bounds) => {
			Some(TimeBoundsRecord { min_time: bounds.min_time.0, max_time: bounds.max_time.0 })
		},
		Preconditions::V2(_) => {
			return Err("v2 preconditions are not simulated; use time bounds".to_owned())
		},
	};
	if !matches!(tx.ext, TransactionExt::V0) {
		return Err("Soroban transaction data is not simulated".to_owned());
	}
	let operations = tx.operations.iter().map(parse_operation).collect::<Result<Vec<_>, _>>()?;
	let signatures = envelope
		.signatures
		.iter()
		.map(|decorated| DecoratedSignature {
			hint: decorated.hint.0,
			signature: decorated.signature.0.to_vec(),
		})
		.collect();
	Ok(ParsedTransaction {
		source: AccountKey::from_muxed(&tx.source_account)?,
		fee: tx.fee,
		sequence: tx.seq_num.0,
		time_bounds,
		memo: parse_memo(&tx.memo),
		operations,
		signatures,
	})
}

/// Decodes and hashes an envelope; `Err` says why it is malformed (or unsupported).
fn decode_envelope(
	envelope_base64: &str,
	network_id: &[u8; 32],
) -> Result<DecodedTransaction, String> {
	if envelope_base64.len() > MAX_ENVELOPE_BASE64_CHARS {
		return Err(format!("the envelope is larger than {MAX_ENVELOPE_XDR_BYTES} bytes"));
	}
	let limits = Limits { depth: XDR_DEPTH_LIMIT, len: MAX_ENVELOPE_XDR_BYTES };
	let envelope = TransactionEnvelope::from_xdr_base64(envelope_base64, limits)
		.map_err(|error| format!("not a base64 XDR TransactionEnvelope: {error}"))?;
	let TransactionEnvelope::Tx(v1) = &envelope else {
		return Err("only v1 envelopes (ENVELOPE_TYPE_TX) are simulated".to_owned());
	};
	let transaction = parse_transaction(v1)?;
	let hash = envelope
		.hash(*network_id)
		.map_err(|error| format!("the transaction cannot be hashed: {error}"))?;
	let envelope_xdr = envelope
		.to_xdr_base64(Limits::none())
		.map_err(|error| format!("the envelope cannot be encoded again: {error}"))?;
	Ok(DecodedTransaction { hash, hash_hex: hex::encode(hash), envelope_xdr, transaction })
}

/// Hashes a base64 envelope for `network_passphrase`: the Stellar transaction hash, lowercase
/// hex. `Err` says why the envelope cannot be hashed.
pub fn envelope_hash_hex(
	envelope_base64: &str,
	network_passphrase: &str,
) -> Result<String, String> {
	let limits = Limits { depth: XDR_DEPTH_LIMIT, len: MAX_ENVELOPE_XDR_BYTES };
	let envelope = TransactionEnvelope::from_xdr_base64(envelope_base64, limits)
		.map_err(|error| format!("not a base64 XDR TransactionEnvelope: {error}"))?;
	let hash = envelope.hash(network_id(network_passphrase)).map_err(|error| error.to_string())?;
	Ok(hex::encode(hash))
}

impl Ledger {
	/// A new network whose first ledger closed at `now`, with no accounts.
	pub fn new(network_passphrase: &str, now: u64) -> Self {
		Ledger {
			network_id: network_id(network_passphrase),
			state: LedgerState {
				network_passphrase: network_passphrase.to_owned(),
				latest_ledger: 1,
				latest_ledger_closed_at: now,
				accounts: BTreeMap::new(),
				transactions: Vec::new(),
			},
			index_by_hash: HashMap::new(),
			index_by_account: HashMap::new(),
		}
	}

	/// A ledger from a persisted state; checks that its transactions are unique and ordered.
	pub fn from_state(state: LedgerState) -> Result<Self, LedgerStateError> {
		let mut ledger = Ledger {
			network_id: network_id(&state.network_passphrase),
			state,
			index_by_hash: HashMap::new(),
			index_by_account: HashMap::new(),
		};
		let mut previous_token = None;
		for (index, record) in ledger.state.transactions.iter().enumerate() {
			let token = record.paging_token();
			if previous_token.is_some_and(|previous| previous >= token) {
				return Err(LedgerStateError::TransactionsOutOfOrder(record.hash.clone()));
			}
			previous_token = Some(token);
			if ledger.index_by_hash.insert(record.hash.clone(), index).is_some() {
				return Err(LedgerStateError::DuplicateTransaction(record.hash.clone()));
			}
			for participant in &record.participants {
				ledger.index_by_account.entry(*participant).or_default().push(index);
			}
		}
		Ok(ledger)
	}

	pub fn state(&self) -> &LedgerState {
		&self.state
	}

	pub fn network_passphrase(&self) -> &str {
		&self.state.network_passphrase
	}

	pub fn network_id(&self) -> [u8; 32] {
		self.network_id
	}

	pub fn latest_ledger(&self) -> u32 {
		self.state.latest_ledger
	}

	pub fn latest_ledger_closed_at(&self) -> u64 {
		self.state.latest_ledger_closed_at
	}

	pub fn account(&self, key: &AccountKey) -> Option<&Account> {
		self.state.accounts.get(key)
	}

	/// A stored transaction by lowercase hex hash.
	pub fn transaction(&self, hash_hex: &str) -> Option<&TransactionRecord> {
		self.index_by_hash.get(hash_hex).and_then(|index| self.state.transactions.get(*index))
	}

	/// One page of the transactions involving `key`, in the query's order.
	pub fn account_transactions(
		&self,
		key: &AccountKey,
		query: &PageQuery,
	) -> Vec<&TransactionRecord> {
		let Some(indexes) = self.index_by_account.get(key) else {
			return Vec::new();
		};
		let limit = query.limit.clamp(1, MAX_PAGE_LIMIT);
		let token_at = |index: &usize| -> u64 {
			self.state.transactions.get(*index).map_or(u64::MAX, TransactionRecord::paging_token)
		};
		let transactions = &self.state.transactions;
		if query.descending {
			let end = match query.cursor {
				Some(cursor) => indexes.partition_point(|index| token_at(index) < cursor),
				None => indexes.len(),
			};
			indexes[..end]
				.iter()
				.rev()
				.filter_map(|index| transactions.get(*index))
				.filter(|record| query.include_failed || record.successful)
				.take(limit)
				.collect()
		} else {
			let start = match query.cursor {
				Some(cursor) => indexes.partition_point(|index| token_at(index) <= cursor),
				None => 0,
			};
			indexes[start..]
				.iter()
				.filter_map(|index| transactions.get(*index))
				.filter(|record| query.include_failed || record.successful)
				.take(limit)
				.collect()
		}
	}

	/// One page of the operations of the transaction `hash_hex` (lowercase hex), in the
	/// query's order, by operation id. The operations of a failed transaction are listed too,
	/// as Horizon does for one transaction, so `include_failed` plays no part.
	pub fn transaction_operations(
		&self,
		hash_hex: &str,
		query: &PageQuery,
	) -> Result<Vec<OperationRecord>, OperationsError> {
		let record = self.transaction(hash_hex).ok_or(OperationsError::UnknownTransaction)?;
		let operations = record.operations().map_err(OperationsError::UnreadableEnvelope)?;
		let limit = query.limit.clamp(1, MAX_PAGE_LIMIT);
		let page = if query.descending {
			operations
				.into_iter()
				.rev()
				.filter(|operation| query.cursor.is_none_or(|cursor| operation.id < cursor))
				.take(limit)
				.collect()
		} else {
			operations
				.into_iter()
				.filter(|operation| query.cursor.is_none_or(|cursor| operation.id > cursor))
				.take(limit)
				.collect()
		};
		Ok(page)
	}

	/// Closes a new, empty ledger at `now` (never before the previous one).
	fn close_ledger(&mut self, now: u64) -> Option<(u32, u64)> {
		let sequence = self.state.latest_ledger.checked_add(1)?;
		let close_time = now.max(self.state.latest_ledger_closed_at);
		self.state.latest_ledger = sequence;
		self.state.latest_ledger_closed_at = close_time;
		Some((sequence, close_time))
	}

	/// Creates an account with `native_balance` stroops out of nothing, in a new ledger, with
	/// no transaction recorded (the simulator's friendbot and `/sim/accounts`). Its sequence
	/// number is that ledger's sequence shifted left by 32 bits, as Stellar's create_account.
	pub fn fund_account(
		&mut self,
		key: AccountKey,
		native_balance: i64,
		now: u64,
	) -> Result<&Account, FundError> {
		if native_balance < 0 {
			return Err(FundError::NegativeAmount);
		}
		if self.state.accounts.contains_key(&key) {
			return Err(FundError::AlreadyExists);
		}
		if self.state.accounts.len() >= MAX_ACCOUNTS {
			return Err(FundError::StoreFull);
		}
		let (sequence, close_time) = self.close_ledger(now).ok_or(FundError::StoreFull)?;
		let account = self
			.state
			.accounts
			.entry(key)
			.or_insert_with(|| Account::new(native_balance, sequence, close_time));
		Ok(account)
	}

	/// Validates a base64 envelope and, if valid, includes it in a new ledger closed at `now`
	/// (or at the previous ledger's close time if the clock is behind it). Signatures are
	/// always checked: this is the path of every envelope submitted to Horizon.
	pub fn submit(&mut self, envelope_base64: &str, now: u64) -> Submission {
		self.submit_authorized(envelope_base64, now, Authorization::Signatures)
	}

	/// **Simulator only** (`POST /sim/transactions`): applies an envelope that carries no
	/// signatures as if its accounts had signed it. Everything else is [`Ledger::submit`]'s:
	/// decoding, validation (source, time bounds, fee, sequence number, balance, each
	/// operation's source and form), inclusion, fee, sequence number and the stored record
	/// (with no signatures). Only the signature and threshold checks (`tx_bad_auth`,
	/// `op_bad_auth`, `tx_bad_auth_extra`) are skipped. An envelope with signatures is refused
	/// as malformed, so a signed envelope can never bypass its checks here. Never call this
	/// for an envelope received as a Horizon submission.
	pub fn apply_unsigned(&mut self, envelope_base64: &str, now: u64) -> Submission {
		self.submit_authorized(envelope_base64, now, Authorization::AssumedBySimulator)
	}

	fn submit_authorized(
		&mut self,
		envelope_base64: &str,
		now: u64,
		authorization: Authorization,
	) -> Submission {
		let decoded = match decode_envelope(envelope_base64, &self.network_id) {
			Ok(decoded) => decoded,
			Err(reason) => return Submission::Malformed(reason),
		};
		if authorization == Authorization::AssumedBySimulator
			&& !decoded.transaction.signatures.is_empty()
		{
			return Submission::Malformed(
				"an envelope applied without signature checks must carry no signatures".to_owned(),
			);
		}
		// A known transaction is answered from the store, never applied twice.
		if let Some(record) = self.transaction(&decoded.hash_hex) {
			return Submission::Included { record: record.clone(), newly_included: false };
		}
		let close_time = now.max(self.state.latest_ledger_closed_at);
		if let Err(failure) = self.validate(&decoded, close_time, authorization) {
			let result = failure.into_result();
			let transaction_code = transaction_result_code(&result);
			let operation_codes = match &result {
				TransactionResultResult::TxFailed(results) => {
					results.iter().map(operation_result_code).collect()
				},
				_ => Vec::new(),
			};
			return Submission::Rejected(Rejection {
				hash: decoded.hash_hex,
				envelope_xdr: decoded.envelope_xdr,
				result_xdr: encode_result(0, result),
				transaction_code,
				operation_codes,
			});
		}
		let new_accounts = decoded
			.transaction
			.operations
			.iter()
			.filter(|operation| matches!(operation.kind, OperationKind::CreateAccount { .. }))
			.count();
		if self.state.transactions.len() >= MAX_STORED_TRANSACTIONS
			|| self.state.accounts.len() + new_accounts > MAX_ACCOUNTS
		{
			return Submission::StoreFull;
		}
		self.include(decoded, now)
	}

	fn validate(
		&self,
		decoded: &DecodedTransaction,
		close_time: u64,
		authorization: Authorization,
	) -> Result<(), ValidationFailure> {
		let tx = &decoded.transaction;
		let Some(source) = self.state.accounts.get(&tx.source) else {
			return Err(ValidationFailure::NoSourceAccount);
		};
		if let Some(bounds) = tx.time_bounds {
			if bounds.min_time > close_time {
				return Err(ValidationFailure::TooEarly);
			}
			if bounds.max_time != 0 && bounds.max_time < close_time {
				return Err(ValidationFailure::TooLate);
			}
		}
		let minimum_fee = u64::from(BASE_FEE_STROOPS) * tx.operations.len() as u64;
		if u64::from(tx.fee) < minimum_fee {
			return Err(ValidationFailure::InsufficientFee);
		}
		if source.sequence.checked_add(1) != Some(tx.sequence) {
			return Err(ValidationFailure::BadSeq);
		}
		if tx.operations.is_empty() {
			return Err(ValidationFailure::MissingOperation);
		}
		// No checker: the simulator acts as the accounts (`apply_unsigned` only).
		let mut checker = match authorization {
			Authorization::Signatures => Some(SignatureChecker::new(&decoded.hash, &tx.signatures)),
			Authorization::AssumedBySimulator => None,
		};
		if let Some(checker) = checker.as_mut() {
			if !checker.reaches(&tx.source, source, source.low_threshold) {
				return Err(ValidationFailure::BadAuth);
			}
		}
		// stellar-core checks the whole fee the envelope offers, not the fee it will charge.
		if source.native_balance < i64::from(tx.fee) {
			return Err(ValidationFailure::InsufficientBalance);
		}
		let mut results: Vec<OperationResult> =
			tx.operations.iter().map(|operation| operation.kind.success_result()).collect();
		for (position, operation) in tx.operations.iter().enumerate() {
			let source_key = tx.operation_source(operation);
			let refusal = match self.state.accounts.get(&source_key) {
				None => Some(OperationResult::OpNoAccount),
				Some(account) => {
					let threshold = account.threshold(operation.kind.threshold_level());
					let authorized = checker
						.as_mut()
						.is_none_or(|checker| checker.reaches(&source_key, account, threshold));
					if authorized {
						operation.kind.check_well_formed(&source_key)
					} else {
						Some(OperationResult::OpBadAuth)
					}
				},
			};
			if let Some(refusal) = refusal {
				// stellar-core stops at the first refused operation; the others keep their
				// initial (success) results.
				results[position] = refusal;
				return Err(ValidationFailure::OperationRefused(results));
			}
		}
		if checker.as_ref().is_some_and(|checker| !checker.all_used()) {
			return Err(ValidationFailure::BadAuthExtra);
		}
		Ok(())
	}

	fn include(&mut self, decoded: DecodedTransaction, now: u64) -> Submission {
		let Some((ledger_sequence, close_time)) = self.close_ledger(now) else {
			return Submission::StoreFull;
		};
		let tx = decoded.transaction;
		let operation_count = tx.operations.len();
		let fee_charged = i64::from(BASE_FEE_STROOPS) * operation_count as i64;
		// The fee and the sequence number are taken whatever the operations do.
		if let Some(source) = self.state.accounts.get_mut(&tx.source) {
			source.native_balance = source.native_balance.saturating_sub(fee_charged);
			source.sequence = tx.sequence;
			source.sequence_ledger = ledger_sequence;
			source.sequence_time = close_time;
			source.touch(ledger_sequence, close_time);
		}
		// The operations only change the accounts they name: keeping those is enough to undo
		// everything if one operation fails.
		let participants = tx.participants();
		let before: Vec<(AccountKey, Option<Account>)> =
			participants.iter().map(|key| (*key, self.state.accounts.get(key).cloned())).collect();
		let results: Vec<OperationResult> = tx
			.operations
			.iter()
			.map(|operation| {
				let source = tx.operation_source(operation);
				self.apply_operation(&source, &operation.kind, ledger_sequence, close_time)
			})
			.collect();
		let successful = results.iter().all(is_success);
		if !successful {
			for (key, account) in before {
				match account {
					Some(account) => {
						self.state.accounts.insert(key, account);
					},
					None => {
						self.state.accounts.remove(&key);
					},
				}
			}
		}
		let operation_result_codes =
			results.iter().map(|result| operation_result_code(result).to_owned()).collect();
		let results = results.try_into().unwrap_or_default();
		let result = if successful {
			TransactionResultResult::TxSuccess(results)
		} else {
			TransactionResultResult::TxFailed(results)
		};
		let record = TransactionRecord {
			hash: decoded.hash_hex,
			ledger: ledger_sequence,
			application_order: APPLICATION_ORDER,
			successful,
			envelope_xdr: decoded.envelope_xdr,
			result_xdr: encode_result(fee_charged, result),
			source_account: tx.source,
			source_account_sequence: tx.sequence,
			fee_charged,
			max_fee: tx.fee,
			operation_count: u32::try_from(operation_count).unwrap_or(u32::MAX),
			memo_type: tx.memo.memo_type.to_owned(),
			memo: tx.memo.memo,
			memo_bytes: tx.memo.memo_bytes,
			signatures: tx
				.signatures
				.iter()
				.map(|signature| BASE64.encode(&signature.signature))
				.collect(),
			time_bounds: tx.time_bounds,
			created_at: close_time,
			operation_result_codes,
			participants,
		};
		let index = self.state.transactions.len();
		self.index_by_hash.insert(record.hash.clone(), index);
		for participant in &record.participants {
			self.index_by_account.entry(*participant).or_default().push(index);
		}
		self.state.transactions.push(record.clone());
		Submission::Included { record, newly_included: true }
	}

	/// Applies one operation that passed validation. A failing operation changes nothing.
	fn apply_operation(
		&mut self,
		source: &AccountKey,
		kind: &OperationKind,
		ledger_sequence: u32,
		close_time: u64,
	) -> OperationResult {
		if !self.state.accounts.contains_key(source) {
			return OperationResult::OpNoAccount;
		}
		let stamp = (ledger_sequence, close_time);
		match kind {
			OperationKind::CreateAccount { destination, starting_balance } => {
				create_account_result(self.create_account(
					source,
					destination,
					*starting_balance,
					stamp,
				))
			},
			OperationKind::Payment { destination, asset: AssetSpec::Native, amount } => {
				payment_result(self.pay_native(source, destination, *amount, stamp))
			},
			OperationKind::Payment { destination, asset: AssetSpec::Credit(asset), amount } => {
				payment_result(self.pay_credit(source, destination, asset, *amount, stamp))
			},
			OperationKind::Payment { asset: AssetSpec::Invalid, .. } => {
				payment_result(PaymentResult::Malformed)
			},
			OperationKind::ChangeTrust { asset: AssetSpec::Credit(asset), limit } => {
				change_trust_result(self.change_trust(source, asset, *limit, stamp))
			},
			OperationKind::ChangeTrust { .. } => change_trust_result(ChangeTrustResult::Malformed),
			OperationKind::SetOptions(change) => {
				set_options_result(self.set_options(source, change, stamp))
			},
		}
	}

	fn create_account(
		&mut self,
		source: &AccountKey,
		destination: &AccountKey,
		starting_balance: i64,
		(ledger_sequence, close_time): (u32, u64),
	) -> CreateAccountResult {
		if self.state.accounts.contains_key(destination) {
			return CreateAccountResult::AlreadyExist;
		}
		if starting_balance < MIN_STARTING_BALANCE_STROOPS {
			return CreateAccountResult::LowReserve;
		}
		let Some(source_account) = self.state.accounts.get_mut(source) else {
			return CreateAccountResult::Underfunded;
		};
		// Reserves are not simulated: the balance only has to stay non-negative.
		if source_account.native_balance < starting_balance {
			return CreateAccountResult::Underfunded;
		}
		source_account.native_balance -= starting_balance;
		source_account.touch(ledger_sequence, close_time);
		self.state
			.accounts
			.insert(*destination, Account::new(starting_balance, ledger_sequence, close_time));
		CreateAccountResult::Success
	}

	fn pay_native(
		&mut self,
		source: &AccountKey,
		destination: &AccountKey,
		amount: i64,
		(ledger_sequence, close_time): (u32, u64),
	) -> PaymentResult {
		let Some(destination_balance) =
			self.state.accounts.get(destination).map(|account| account.native_balance)
		else {
			return PaymentResult::NoDestination;
		};
		let Some(source_balance) = self.state.accounts.get(source).map(|a| a.native_balance) else {
			return PaymentResult::Underfunded;
		};
		if source != destination && destination_balance.checked_add(amount).is_none() {
			return PaymentResult::LineFull;
		}
		if source_balance < amount {
			return PaymentResult::Underfunded;
		}
		if source == destination {
			if let Some(account) = self.state.accounts.get_mut(source) {
				account.touch(ledger_sequence, close_time);
			}
			return PaymentResult::Success;
		}
		if let Some(account) = self.state.accounts.get_mut(source) {
			account.native_balance -= amount;
			account.touch(ledger_sequence, close_time);
		}
		if let Some(account) = self.state.accounts.get_mut(destination) {
			account.native_balance += amount;
			account.touch(ledger_sequence, close_time);
		}
		PaymentResult::Success
	}

	/// A credit payment. The issuer needs no trustline: paying from the issuer mints, paying
	/// to it burns. The destination is checked before the source, as in stellar-core.
	fn pay_credit(
		&mut self,
		source: &AccountKey,
		destination: &AccountKey,
		asset: &CreditAsset,
		amount: i64,
		(ledger_sequence, close_time): (u32, u64),
	) -> PaymentResult {
		let Some(destination_account) = self.state.accounts.get(destination) else {
			return PaymentResult::NoDestination;
		};
		let source_is_issuer = *source == asset.issuer;
		let destination_is_issuer = *destination == asset.issuer;
		if !destination_is_issuer {
			let Some(line) = destination_account.trustline(asset) else {
				return PaymentResult::NoTrust;
			};
			match line.balance.checked_add(amount) {
				Some(new_balance) if new_balance <= line.limit => {},
				_ => return PaymentResult::LineFull,
			}
		}
		if !source_is_issuer {
			let Some(line) = self.state.accounts.get(source).and_then(|a| a.trustline(asset))
			else {
				return PaymentResult::SrcNoTrust;
			};
			if line.balance < amount {
				return PaymentResult::Underfunded;
			}
		}
		if !source_is_issuer {
			if let Some(account) = self.state.accounts.get_mut(source) {
				if let Some(line) = account.trustline_mut(asset) {
					line.balance -= amount;
					line.last_modified_ledger = ledger_sequence;
				}
				account.touch(ledger_sequence, close_time);
			}
		}
		if !destination_is_issuer {
			if let Some(account) = self.state.accounts.get_mut(destination) {
				if let Some(line) = account.trustline_mut(asset) {
					line.balance = line.balance.saturating_add(amount);
					line.last_modified_ledger = ledger_sequence;
				}
				account.touch(ledger_sequence, close_time);
			}
		}
		PaymentResult::Success
	}

	fn change_trust(
		&mut self,
		source: &AccountKey,
		asset: &CreditAsset,
		limit: i64,
		(ledger_sequence, close_time): (u32, u64),
	) -> ChangeTrustResult {
		let issuer_exists = self.state.accounts.contains_key(&asset.issuer);
		let Some(account) = self.state.accounts.get_mut(source) else {
			return ChangeTrustResult::Malformed;
		};
		match account.trustlines.iter().position(|line| &line.asset == asset) {
			Some(position) => {
				let balance = account.trustlines[position].balance;
				if limit < balance {
					return ChangeTrustResult::InvalidLimit;
				}
				if limit == 0 {
					account.trustlines.remove(position);
				} else {
					let line = &mut account.trustlines[position];
					line.limit = limit;
					line.last_modified_ledger = ledger_sequence;
				}
			},
			None => {
				if limit == 0 {
					return ChangeTrustResult::InvalidLimit;
				}
				if !issuer_exists {
					return ChangeTrustResult::NoIssuer;
				}
				if account.trustlines.len() >= MAX_TRUSTLINES_PER_ACCOUNT {
					return ChangeTrustResult::LowReserve;
				}
				account.trustlines.push(Trustline {
					asset: asset.clone(),
					balance: 0,
					limit,
					last_modified_ledger: ledger_sequence,
				});
			},
		}
		account.touch(ledger_sequence, close_time);
		ChangeTrustResult::Success
	}

	fn set_options(
		&mut self,
		source: &AccountKey,
		change: &SetOptionsChange,
		(ledger_sequence, close_time): (u32, u64),
	) -> SetOptionsResult {
		let Some(account) = self.state.accounts.get_mut(source) else {
			return SetOptionsResult::BadSigner;
		};
		// Validation refused values above 255; saturate rather than trust that here.
		let weight = |value: u32| u8::try_from(value).unwrap_or(u8::MAX);
		if let Some((key, signer_weight)) = change.signer {
			if signer_weight == 0 {
				account.signers.remove(&key);
			} else if account.signers.contains_key(&key) || account.signers.len() < MAX_SIGNERS {
				account.signers.insert(key, weight(signer_weight));
			} else {
				return SetOptionsResult::TooManySigners;
			}
		}
		if let Some(value) = change.master_weight {
			account.master_weight = weight(value);
		}
		if let Some(value) = change.low_threshold {
			account.low_threshold = weight(value);
		}
		if let Some(value) = change.med_threshold {
			account.med_threshold = weight(value);
		}
		if let Some(value) = change.high_threshold {
			account.high_threshold = weight(value);
		}
		account.touch(ledger_sequence, close_time);
		SetOptionsResult::Success
	}

	/// Mutable access to an account, for tests that set up states transactions cannot reach
	/// quickly (a given sequence number).
	#[cfg(test)]
	pub(crate) fn account_mut(&mut self, key: &AccountKey) -> Option<&mut Account> {
		self.state.accounts.get_mut(key)
	}
}

#[cfg(test)]
pub(crate) mod test_support {
	//! Building and signing transactions with stellar-xdr types, for the tests.

	use super::*;
	use ed25519_dalek::{Signer as _, SigningKey};
	use stellar_xdr::{
		AlphaNum4, AssetCode4, ChangeTrustOp, CreateAccountOp, DecoratedSignature as XdrSignature,
		PaymentOp, SequenceNumber, SetOptionsOp, SignatureHint, Signer, TimeBounds, TimePoint,
		Transaction,
	};

	pub const NOW: u64 = 1_800_000_000;

	pub struct TestKey {
		pub signing: SigningKey,
		pub account: AccountKey,
	}

	pub fn key(seed: u8) -> TestKey {
		let signing = SigningKey::from_bytes(&[seed; 32]);
		let account = AccountKey(signing.verifying_key().to_bytes());
		TestKey { signing, account }
	}

	pub fn account_id(key: &AccountKey) -> AccountId {
		AccountId(PublicKey::PublicKeyTypeEd25519(Uint256(key.0)))
	}

	pub fn muxed(key: &AccountKey) -> MuxedAccount {
		MuxedAccount::Ed25519(Uint256(key.0))
	}

	pub fn credit(code: &str, issuer: &AccountKey) -> Asset {
		let mut bytes = [0u8; 4];
		bytes[..code.len()].copy_from_slice(code.as_bytes());
		Asset::CreditAlphanum4(AlphaNum4 {
			asset_code: AssetCode4(bytes),
			issuer: account_id(issuer),
		})
	}

	pub fn credit_asset(code: &str, issuer: &AccountKey) -> CreditAsset {
		CreditAsset { code: code.to_owned(), issuer: *issuer }
	}

	pub fn payment(
		source: Option<&AccountKey>,
		to: &AccountKey,
		asset: Asset,
		amount: i64,
	) -> Operation {
		Operation {
			source_account: source.map(muxed),
			body: OperationBody::Payment(PaymentOp { destination: muxed(to), asset, amount }),
		}
	}

	pub fn create_account(to: &AccountKey, starting_balance: i64) -> Operation {
		Operation {
			source_account: None,
			body: OperationBody::CreateAccount(CreateAccountOp {
				destination: account_id(to),
				starting_balance,
			}),
		}
	}

	pub fn change_trust(code: &str, issuer: &AccountKey, limit: i64) -> Operation {
		let mut bytes = [0u8; 4];
		bytes[..code.len()].copy_from_slice(code.as_bytes());
		Operation {
			source_account: None,
			body: OperationBody::ChangeTrust(ChangeTrustOp {
				line: ChangeTrustAsset::CreditAlphanum4(AlphaNum4 {
					asset_code: AssetCode4(bytes),
					issuer: account_id(issuer),
				}),
				limit,
			}),
		}
	}

	pub fn set_options(op: SetOptionsOp) -> Operation {
		Operation { source_account: None, body: OperationBody::SetOptions(op) }
	}

	pub fn add_signer(signer: &AccountKey, weight: u32) -> SetOptionsOp {
		SetOptionsOp {
			signer: Some(Signer { key: SignerKey::Ed25519(Uint256(signer.0)), weight }),
			..Default::default()
		}
	}

	/// What a test transaction looks like besides its operations.
	#[derive(Clone)]
	pub struct TxSpec {
		pub source: AccountKey,
		pub sequence: i64,
		/// Raised to 100 per operation by [`envelope`]; see [`envelope_with_fee`].
		pub fee: u32,
		pub time_bounds: Option<(u64, u64)>,
		pub memo: Memo,
	}

	impl TxSpec {
		pub fn new(source: &AccountKey, sequence: i64) -> Self {
			TxSpec {
				source: *source,
				sequence,
				fee: 100,
				time_bounds: Some((0, 0)),
				memo: Memo::None,
			}
		}
	}

	fn decorated_signatures(hash: &[u8; 32], signers: &[&SigningKey]) -> Vec<XdrSignature> {
		signers
			.iter()
			.map(|signing| {
				let public = signing.verifying_key().to_bytes();
				XdrSignature {
					hint: SignatureHint([public[28], public[29], public[30], public[31]]),
					signature: xdr::Signature(
						signing.sign(hash).to_bytes().to_vec().try_into().expect("64 bytes"),
					),
				}
			})
			.collect()
	}

	/// A signed v1 envelope, base64, with a fee of at least 100 stroops per operation.
	pub fn envelope(
		network_id: [u8; 32],
		spec: TxSpec,
		operations: Vec<Operation>,
		signers: &[&SigningKey],
	) -> String {
		let minimum_fee = 100 * u32::try_from(operations.len()).expect("few operations");
		let fee = spec.fee.max(minimum_fee);
		envelope_with_fee(network_id, spec, operations, signers, fee)
	}

	/// A signed v1 envelope, base64, whose fee is exactly `fee`.
	pub fn envelope_with_fee(
		network_id: [u8; 32],
		spec: TxSpec,
		operations: Vec<Operation>,
		signers: &[&SigningKey],
		fee: u32,
	) -> String {
		let tx = Transaction {
			source_account: muxed(&spec.source),
			fee,
			seq_num: SequenceNumber(spec.sequence),
			cond: match spec.time_bounds {
				Some((min_time, max_time)) => Preconditions::Time(TimeBounds {
					min_time: TimePoint(min_time),
					max_time: TimePoint(max_time),
				}),
				None => Preconditions::None,
			},
			memo: spec.memo,
			operations: operations.try_into().expect("at most 100 operations"),
			ext: TransactionExt::V0,
		};
		let hash = tx.hash(network_id).expect("hashable");
		let signatures = decorated_signatures(&hash, signers);
		TransactionEnvelope::Tx(TransactionV1Envelope {
			tx,
			signatures: signatures.try_into().expect("at most 20 signatures"),
		})
		.to_xdr_base64(Limits::none())
		.expect("encodable")
	}

	pub fn sequence_of(ledger: &Ledger, key: &AccountKey) -> i64 {
		ledger.account(key).expect("account exists").sequence
	}

	pub fn native_of(ledger: &Ledger, key: &AccountKey) -> i64 {
		ledger.account(key).expect("account exists").native_balance
	}

	pub fn credit_of(ledger: &Ledger, key: &AccountKey, asset: &CreditAsset) -> Option<i64> {
		ledger.account(key).expect("account exists").trustline(asset).map(|line| line.balance)
	}

	pub fn expect_included(submission: Submission) -> TransactionRecord {
		match submission {
			Submission::Included { record, newly_included: true } => record,
			other => panic!("expected a new inclusion, got {other:?}"),
		}
	}

	pub fn expect_rejected(submission: Submission) -> Rejection {
		match submission {
			Submission::Rejected(rejection) => rejection,
			other => panic!("expected a rejection, got {other:?}"),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::test_support::*;
	use super::*;
	use stellar_xdr::{SetOptionsOp, StringM};

	const XLM: i64 = STROOPS_PER_XLM;

	fn ledger() -> Ledger {
		Ledger::new(STANDALONE_NETWORK_PASSPHRASE, NOW)
	}

	fn funded(ledger: &mut Ledger, key: &AccountKey) -> i64 {
		ledger.fund_account(*key, 1_000 * XLM, NOW).expect("funded").sequence
	}

	/// An issuer, and two holders with a TFT trustline (limit 1,000 TFT); returns the asset.
	fn tft_world(ledger: &mut Ledger, issuer: &TestKey, holders: &[&TestKey]) -> CreditAsset {
		funded(ledger, &issuer.account);
		for holder in holders {
			let sequence = funded(ledger, &holder.account);
			let tx = envelope(
				ledger.network_id(),
				TxSpec::new(&holder.account, sequence + 1),
				vec![change_trust("TFT", &issuer.account, 1_000 * XLM)],
				&[&holder.signing],
			);
			expect_included(ledger.submit(&tx, NOW));
		}
		credit_asset("TFT", &issuer.account)
	}

	fn mint(ledger: &mut Ledger, issuer: &TestKey, to: &AccountKey, amount: i64) {
		let sequence = sequence_of(ledger, &issuer.account);
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&issuer.account, sequence + 1),
			vec![payment(None, to, credit("TFT", &issuer.account), amount)],
			&[&issuer.signing],
		);
		let record = expect_included(ledger.submit(&tx, NOW));
		assert!(record.successful, "{record:?}");
	}

	#[test]
	fn a_payment_signed_by_the_master_key_applies_consumes_the_sequence_and_charges_the_fee() {
		let mut ledger = ledger();
		let (alice, bob) = (key(1), key(2));
		let alice_sequence = funded(&mut ledger, &alice.account);
		funded(&mut ledger, &bob.account);
		assert_eq!(alice_sequence, i64::from(2u32) << 32, "created in ledger 2");
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, alice_sequence + 1),
			vec![payment(None, &bob.account, Asset::Native, 5 * XLM)],
			&[&alice.signing],
		);
		let record = expect_included(ledger.submit(&tx, NOW + 5));
		assert!(record.successful);
		assert_eq!(record.ledger, 4);
		assert_eq!(record.fee_charged, 100);
		assert_eq!(record.created_at, NOW + 5);
		assert_eq!(record.operation_result_codes, vec!["op_success"]);
		assert_eq!(sequence_of(&ledger, &alice.account), alice_sequence + 1);
		assert_eq!(native_of(&ledger, &alice.account), 1_000 * XLM - 5 * XLM - 100);
		assert_eq!(native_of(&ledger, &bob.account), 1_005 * XLM);
		assert_eq!(ledger.latest_ledger(), 4);
		// The result is real XDR: feeCharged 100, txSUCCESS, one PAYMENT_SUCCESS.
		let result =
			TransactionResult::from_xdr_base64(&record.result_xdr, Limits::none()).expect("result");
		assert_eq!(result.fee_charged, 100);
		assert_eq!(
			result.result,
			TransactionResultResult::TxSuccess(
				vec![payment_result(PaymentResult::Success)].try_into().expect("one")
			)
		);
		assert_eq!(ledger.transaction(&record.hash), Some(&record));
	}

	#[test]
	fn a_wrong_sequence_is_tx_bad_seq_and_changes_nothing() {
		let mut ledger = ledger();
		let (alice, bob) = (key(1), key(2));
		let sequence = funded(&mut ledger, &alice.account);
		funded(&mut ledger, &bob.account);
		for wrong in [sequence, sequence + 2] {
			let tx = envelope(
				ledger.network_id(),
				TxSpec::new(&alice.account, wrong),
				vec![payment(None, &bob.account, Asset::Native, XLM)],
				&[&alice.signing],
			);
			let rejection = expect_rejected(ledger.submit(&tx, NOW));
			assert_eq!(rejection.transaction_code, "tx_bad_seq");
			assert!(rejection.operation_codes.is_empty());
			let result = TransactionResult::from_xdr_base64(&rejection.result_xdr, Limits::none())
				.expect("result");
			assert_eq!(result.result, TransactionResultResult::TxBadSeq);
			assert_eq!(result.fee_charged, 0);
			assert!(ledger.transaction(&rejection.hash).is_none());
		}
		assert_eq!(sequence_of(&ledger, &alice.account), sequence);
		assert_eq!(native_of(&ledger, &alice.account), 1_000 * XLM);
		assert_eq!(ledger.latest_ledger(), 3);
	}

	#[test]
	fn time_bounds_are_checked_against_the_close_time() {
		let mut ledger = ledger();
		let (alice, bob) = (key(1), key(2));
		let sequence = funded(&mut ledger, &alice.account);
		funded(&mut ledger, &bob.account);
		let send = |ledger: &mut Ledger, bounds: (u64, u64), now: u64| {
			let tx = envelope(
				ledger.network_id(),
				TxSpec { time_bounds: Some(bounds), ..TxSpec::new(&alice.account, sequence + 1) },
				vec![payment(None, &bob.account, Asset::Native, XLM)],
				&[&alice.signing],
			);
			ledger.submit(&tx, now)
		};
		let late = expect_rejected(send(&mut ledger, (0, NOW + 60), NOW + 61));
		assert_eq!(late.transaction_code, "tx_too_late");
		let early = expect_rejected(send(&mut ledger, (NOW + 100, 0), NOW + 61));
		assert_eq!(early.transaction_code, "tx_too_early");
		assert_eq!(sequence_of(&ledger, &alice.account), sequence);
		expect_included(send(&mut ledger, (NOW, NOW + 60), NOW + 60));
	}

	#[test]
	fn a_fee_under_100_stroops_per_operation_is_tx_insufficient_fee() {
		let mut ledger = ledger();
		let (alice, bob) = (key(1), key(2));
		let sequence = funded(&mut ledger, &alice.account);
		funded(&mut ledger, &bob.account);
		let operations = vec![
			payment(None, &bob.account, Asset::Native, XLM),
			payment(None, &bob.account, Asset::Native, XLM),
		];
		let tx = envelope_with_fee(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			operations.clone(),
			&[&alice.signing],
			199,
		);
		assert_eq!(
			expect_rejected(ledger.submit(&tx, NOW)).transaction_code,
			"tx_insufficient_fee"
		);
		let tx = envelope_with_fee(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			operations,
			&[&alice.signing],
			200,
		);
		let record = expect_included(ledger.submit(&tx, NOW));
		assert_eq!(record.fee_charged, 200);
		assert_eq!(record.max_fee, 200);
	}

	#[test]
	fn a_fee_above_the_base_fee_charges_only_the_base_fee() {
		let mut ledger = ledger();
		let (alice, bob) = (key(1), key(2));
		let sequence = funded(&mut ledger, &alice.account);
		funded(&mut ledger, &bob.account);
		let tx = envelope_with_fee(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			vec![payment(None, &bob.account, Asset::Native, XLM)],
			&[&alice.signing],
			100_000,
		);
		let record = expect_included(ledger.submit(&tx, NOW));
		assert_eq!((record.fee_charged, record.max_fee), (100, 100_000));
		assert_eq!(native_of(&ledger, &alice.account), 999 * XLM - 100);
	}

	/// A vault whose master key is off, with three signers of weight 1.
	fn multisig_vault(ledger: &mut Ledger, low: u8, med: u8, high: u8) -> (TestKey, [TestKey; 3]) {
		let vault = key(10);
		let signers = [key(11), key(12), key(13)];
		funded(ledger, &vault.account);
		let account = ledger.account_mut(&vault.account).expect("vault");
		account.master_weight = 0;
		(account.low_threshold, account.med_threshold, account.high_threshold) = (low, med, high);
		for signer in &signers {
			account.signers.insert(signer.account, 1);
		}
		(vault, signers)
	}

	#[test]
	fn one_signature_of_a_two_of_three_vault_is_tx_bad_auth() {
		let mut ledger = ledger();
		let (vault, signers) = multisig_vault(&mut ledger, 2, 2, 2);
		let bob = key(2);
		funded(&mut ledger, &bob.account);
		let sequence = sequence_of(&ledger, &vault.account);
		let pay = |signing: &[&ed25519_dalek::SigningKey], ledger: &Ledger| {
			envelope(
				ledger.network_id(),
				TxSpec::new(&vault.account, sequence + 1),
				vec![payment(None, &bob.account, Asset::Native, XLM)],
				signing,
			)
		};
		let one = pay(&[&signers[0].signing], &ledger);
		assert_eq!(expect_rejected(ledger.submit(&one, NOW)).transaction_code, "tx_bad_auth");
		// The master key no longer counts.
		let master = pay(&[&vault.signing], &ledger);
		assert_eq!(expect_rejected(ledger.submit(&master, NOW)).transaction_code, "tx_bad_auth");
		assert_eq!(sequence_of(&ledger, &vault.account), sequence);
		let two = pay(&[&signers[2].signing, &signers[0].signing], &ledger);
		assert!(expect_included(ledger.submit(&two, NOW)).successful);
	}

	#[test]
	fn weights_below_the_medium_threshold_refuse_the_payment_as_op_bad_auth() {
		// Low threshold 1 passes the transaction-level check; the payment needs medium (2), so
		// stellar-core refuses it as tx_failed / op_bad_auth, before inclusion.
		let mut ledger = ledger();
		let (vault, signers) = multisig_vault(&mut ledger, 1, 2, 2);
		let bob = key(2);
		funded(&mut ledger, &bob.account);
		let sequence = sequence_of(&ledger, &vault.account);
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&vault.account, sequence + 1),
			vec![payment(None, &bob.account, Asset::Native, XLM)],
			&[&signers[1].signing],
		);
		let rejection = expect_rejected(ledger.submit(&tx, NOW));
		assert_eq!(rejection.transaction_code, "tx_failed");
		assert_eq!(rejection.operation_codes, vec!["op_bad_auth"]);
		assert_eq!(sequence_of(&ledger, &vault.account), sequence);
		assert_eq!(native_of(&ledger, &vault.account), 1_000 * XLM);
	}

	#[test]
	fn a_signature_of_no_signer_is_tx_bad_auth_extra() {
		let mut ledger = ledger();
		let (alice, bob, stranger) = (key(1), key(2), key(3));
		let sequence = funded(&mut ledger, &alice.account);
		funded(&mut ledger, &bob.account);
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			vec![payment(None, &bob.account, Asset::Native, XLM)],
			&[&alice.signing, &stranger.signing],
		);
		assert_eq!(expect_rejected(ledger.submit(&tx, NOW)).transaction_code, "tx_bad_auth_extra");
		// The same signature twice: the second matches no signer left.
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			vec![payment(None, &bob.account, Asset::Native, XLM)],
			&[&alice.signing, &alice.signing],
		);
		assert_eq!(expect_rejected(ledger.submit(&tx, NOW)).transaction_code, "tx_bad_auth_extra");
		assert_eq!(sequence_of(&ledger, &alice.account), sequence);
	}

	#[test]
	fn a_signature_over_another_network_is_tx_bad_auth() {
		let mut ledger = ledger();
		let (alice, bob) = (key(1), key(2));
		let sequence = funded(&mut ledger, &alice.account);
		funded(&mut ledger, &bob.account);
		let tx = envelope(
			network_id("Test SDF Network ; September 2015"),
			TxSpec::new(&alice.account, sequence + 1),
			vec![payment(None, &bob.account, Asset::Native, XLM)],
			&[&alice.signing],
		);
		assert_eq!(expect_rejected(ledger.submit(&tx, NOW)).transaction_code, "tx_bad_auth");
	}

	#[test]
	fn missing_source_and_missing_operations_and_empty_balance_are_refused() {
		let mut ledger = ledger();
		let (alice, ghost, bob) = (key(1), key(9), key(2));
		let sequence = funded(&mut ledger, &alice.account);
		funded(&mut ledger, &bob.account);
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&ghost.account, 1),
			vec![payment(None, &bob.account, Asset::Native, XLM)],
			&[&ghost.signing],
		);
		assert_eq!(
			expect_rejected(ledger.submit(&tx, NOW)).transaction_code,
			"tx_no_source_account"
		);
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			vec![],
			&[&alice.signing],
		);
		assert_eq!(
			expect_rejected(ledger.submit(&tx, NOW)).transaction_code,
			"tx_missing_operation"
		);
		ledger.account_mut(&alice.account).expect("alice").native_balance = 99;
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			vec![payment(None, &bob.account, Asset::Native, 1)],
			&[&alice.signing],
		);
		assert_eq!(
			expect_rejected(ledger.submit(&tx, NOW)).transaction_code,
			"tx_insufficient_balance"
		);
	}

	#[test]
	fn a_payment_without_the_destination_trustline_is_included_as_failed() {
		let mut ledger = ledger();
		let (issuer, holder, stranger) = (key(20), key(21), key(22));
		let tft = tft_world(&mut ledger, &issuer, &[&holder]);
		funded(&mut ledger, &stranger.account);
		mint(&mut ledger, &issuer, &holder.account, 50 * XLM);
		let sequence = sequence_of(&ledger, &holder.account);
		let native_before = native_of(&ledger, &holder.account);
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&holder.account, sequence + 1),
			vec![
				payment(None, &issuer.account, Asset::Native, XLM),
				payment(None, &stranger.account, credit("TFT", &issuer.account), 10 * XLM),
			],
			&[&holder.signing],
		);
		let record = expect_included(ledger.submit(&tx, NOW));
		assert!(!record.successful);
		assert_eq!(record.operation_result_codes, vec!["op_success", "op_no_trust"]);
		assert_eq!(record.fee_charged, 200);
		// Sequence consumed and fee charged; the first payment was undone.
		assert_eq!(sequence_of(&ledger, &holder.account), sequence + 1);
		assert_eq!(native_of(&ledger, &holder.account), native_before - 200);
		assert_eq!(credit_of(&ledger, &holder.account, &tft), Some(50 * XLM));
		let result =
			TransactionResult::from_xdr_base64(&record.result_xdr, Limits::none()).expect("result");
		assert_eq!(result.fee_charged, 200);
		assert_eq!(
			result.result,
			TransactionResultResult::TxFailed(
				vec![
					payment_result(PaymentResult::Success),
					payment_result(PaymentResult::NoTrust)
				]
				.try_into()
				.expect("two")
			)
		);
		// Failed transactions are stored and listed with include_failed.
		assert_eq!(ledger.transaction(&record.hash), Some(&record));
	}

	#[test]
	fn underfunded_and_line_full_payments_fail_after_inclusion() {
		let mut ledger = ledger();
		let (issuer, holder, other) = (key(20), key(21), key(22));
		let tft = tft_world(&mut ledger, &issuer, &[&holder, &other]);
		mint(&mut ledger, &issuer, &holder.account, 10 * XLM);
		mint(&mut ledger, &issuer, &other.account, 900 * XLM);
		let pay = |ledger: &mut Ledger, asset: Asset, amount: i64| {
			let sequence = sequence_of(ledger, &holder.account);
			let tx = envelope(
				ledger.network_id(),
				TxSpec::new(&holder.account, sequence + 1),
				vec![payment(None, &other.account, asset, amount)],
				&[&holder.signing],
			);
			expect_included(ledger.submit(&tx, NOW))
		};
		let underfunded = pay(&mut ledger, credit("TFT", &issuer.account), 11 * XLM);
		assert!(!underfunded.successful);
		assert_eq!(underfunded.operation_result_codes, vec!["op_underfunded"]);
		let native_underfunded = pay(&mut ledger, Asset::Native, 5_000 * XLM);
		assert_eq!(native_underfunded.operation_result_codes, vec!["op_underfunded"]);
		// The destination is checked first (as stellar-core does), so a payment that neither
		// fits nor is funded is op_line_full.
		let line_full = pay(&mut ledger, credit("TFT", &issuer.account), 101 * XLM);
		assert_eq!(line_full.operation_result_codes, vec!["op_line_full"]);
		assert_eq!(credit_of(&ledger, &holder.account, &tft), Some(10 * XLM));
		assert_eq!(credit_of(&ledger, &other.account, &tft), Some(900 * XLM));
		let fits = pay(&mut ledger, credit("TFT", &issuer.account), 10 * XLM);
		assert!(fits.successful);
		assert_eq!(credit_of(&ledger, &holder.account, &tft), Some(0));
		assert_eq!(credit_of(&ledger, &other.account, &tft), Some(910 * XLM));
	}

	#[test]
	fn a_zero_amount_is_refused_before_inclusion() {
		// Checked when the op is validated: nothing is charged.
		let mut ledger = ledger();
		let (alice, bob) = (key(1), key(2));
		let sequence = funded(&mut ledger, &alice.account);
		funded(&mut ledger, &bob.account);
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			vec![payment(None, &bob.account, Asset::Native, 0)],
			&[&alice.signing],
		);
		let rejection = expect_rejected(ledger.submit(&tx, NOW));
		assert_eq!(rejection.transaction_code, "tx_failed");
		assert_eq!(rejection.operation_codes, vec!["op_malformed"]);
		assert_eq!(sequence_of(&ledger, &alice.account), sequence);
	}

	#[test]
	fn the_issuer_mints_from_nothing_and_burns_into_nothing() {
		let mut ledger = ledger();
		let (issuer, holder) = (key(20), key(21));
		let tft = tft_world(&mut ledger, &issuer, &[&holder]);
		mint(&mut ledger, &issuer, &holder.account, 123_456_789);
		assert_eq!(credit_of(&ledger, &holder.account, &tft), Some(123_456_789));
		assert!(ledger.account(&issuer.account).expect("issuer").trustlines.is_empty());
		let sequence = sequence_of(&ledger, &holder.account);
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&holder.account, sequence + 1),
			vec![payment(None, &issuer.account, credit("TFT", &issuer.account), 23_456_789)],
			&[&holder.signing],
		);
		assert!(expect_included(ledger.submit(&tx, NOW)).successful);
		assert_eq!(credit_of(&ledger, &holder.account, &tft), Some(100_000_000));
	}

	#[test]
	fn set_options_adds_signers_and_thresholds_then_a_multisig_payment_applies() {
		let mut ledger = ledger();
		let (vault, bob) = (key(10), key(2));
		let signers = [key(11), key(12), key(13)];
		let sequence = funded(&mut ledger, &vault.account);
		funded(&mut ledger, &bob.account);
		let mut operations: Vec<Operation> =
			signers.iter().map(|signer| set_options(add_signer(&signer.account, 1))).collect();
		operations.push(set_options(SetOptionsOp {
			master_weight: Some(0),
			low_threshold: Some(2),
			med_threshold: Some(2),
			high_threshold: Some(2),
			..Default::default()
		}));
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&vault.account, sequence + 1),
			operations,
			&[&vault.signing],
		);
		let record = expect_included(ledger.submit(&tx, NOW));
		assert!(record.successful, "{record:?}");
		let account = ledger.account(&vault.account).expect("vault");
		assert_eq!(account.signers.len(), 3);
		assert_eq!(account.subentry_count(), 3);
		assert_eq!((account.master_weight, account.med_threshold), (0, 2));
		let pay = |ledger: &Ledger, signing: &[&ed25519_dalek::SigningKey]| {
			envelope(
				ledger.network_id(),
				TxSpec::new(&vault.account, sequence + 2),
				vec![payment(None, &bob.account, Asset::Native, 7 * XLM)],
				signing,
			)
		};
		let master_only = pay(&ledger, &[&vault.signing]);
		assert_eq!(
			expect_rejected(ledger.submit(&master_only, NOW)).transaction_code,
			"tx_bad_auth"
		);
		let two = pay(&ledger, &[&signers[1].signing, &signers[2].signing]);
		assert!(expect_included(ledger.submit(&two, NOW)).successful);
		assert_eq!(native_of(&ledger, &bob.account), 1_007 * XLM);
		// One signature no longer reaches even the low threshold (2).
		let remove = envelope(
			ledger.network_id(),
			TxSpec::new(&vault.account, sequence + 3),
			vec![set_options(add_signer(&signers[0].account, 0))],
			&[&signers[0].signing],
		);
		assert_eq!(expect_rejected(ledger.submit(&remove, NOW)).transaction_code, "tx_bad_auth");
	}

	#[test]
	fn a_twenty_first_signer_is_op_too_many_signers() {
		let mut ledger = ledger();
		let alice = key(1);
		let sequence = funded(&mut ledger, &alice.account);
		let operations: Vec<Operation> =
			(100..121u8).map(|seed| set_options(add_signer(&key(seed).account, 1))).collect();
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			operations,
			&[&alice.signing],
		);
		let record = expect_included(ledger.submit(&tx, NOW));
		assert!(!record.successful);
		assert_eq!(
			record.operation_result_codes.last().map(String::as_str),
			Some("op_too_many_signers")
		);
		assert!(ledger.account(&alice.account).expect("alice").signers.is_empty(), "rolled back");
	}

	#[test]
	fn create_account_and_change_trust_follow_stellar_rules() {
		let mut ledger = ledger();
		let (alice, carol, issuer) = (key(1), key(3), key(20));
		let sequence = funded(&mut ledger, &alice.account);
		funded(&mut ledger, &issuer.account);
		let low = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			vec![create_account(&carol.account, XLM - 1)],
			&[&alice.signing],
		);
		assert_eq!(
			expect_included(ledger.submit(&low, NOW)).operation_result_codes,
			vec!["op_low_reserve"]
		);
		let create = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 2),
			vec![create_account(&carol.account, 2 * XLM)],
			&[&alice.signing],
		);
		let record = expect_included(ledger.submit(&create, NOW));
		assert!(record.successful);
		let carol_account = ledger.account(&carol.account).expect("carol");
		assert_eq!(carol_account.sequence, i64::from(record.ledger) << 32);
		assert_eq!(carol_account.native_balance, 2 * XLM);
		let again = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 3),
			vec![create_account(&carol.account, 2 * XLM)],
			&[&alice.signing],
		);
		assert_eq!(
			expect_included(ledger.submit(&again, NOW)).operation_result_codes,
			vec!["op_already_exists"]
		);
		// Trustline lifecycle: created, limit lowered under the balance refused, removed at 0.
		let carol_sequence = sequence_of(&ledger, &carol.account);
		let trust = |ledger: &mut Ledger, offset: i64, limit: i64| {
			let tx = envelope(
				ledger.network_id(),
				TxSpec::new(&carol.account, carol_sequence + offset),
				vec![change_trust("TFT", &issuer.account, limit)],
				&[&carol.signing],
			);
			ledger.submit(&tx, NOW)
		};
		assert!(expect_included(trust(&mut ledger, 1, 100 * XLM)).successful);
		mint(&mut ledger, &issuer, &carol.account, 10 * XLM);
		assert_eq!(
			expect_included(trust(&mut ledger, 2, 5 * XLM)).operation_result_codes,
			vec!["op_invalid_limit"]
		);
		assert_eq!(
			expect_included(trust(&mut ledger, 3, 0)).operation_result_codes,
			vec!["op_invalid_limit"]
		);
		let burn = envelope(
			ledger.network_id(),
			TxSpec::new(&carol.account, carol_sequence + 4),
			vec![payment(None, &issuer.account, credit("TFT", &issuer.account), 10 * XLM)],
			&[&carol.signing],
		);
		assert!(expect_included(ledger.submit(&burn, NOW)).successful);
		assert!(expect_included(trust(&mut ledger, 5, 0)).successful);
		assert!(ledger.account(&carol.account).expect("carol").trustlines.is_empty());
		// Trusting one's own asset is malformed, refused before inclusion.
		let issuer_sequence = sequence_of(&ledger, &issuer.account);
		let own = envelope(
			ledger.network_id(),
			TxSpec::new(&issuer.account, issuer_sequence + 1),
			vec![change_trust("TFT", &issuer.account, XLM)],
			&[&issuer.signing],
		);
		assert_eq!(expect_rejected(ledger.submit(&own, NOW)).operation_codes, vec!["op_malformed"]);
	}

	#[test]
	fn the_same_envelope_twice_applies_once() {
		let mut ledger = ledger();
		let (alice, bob) = (key(1), key(2));
		let sequence = funded(&mut ledger, &alice.account);
		funded(&mut ledger, &bob.account);
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			vec![payment(None, &bob.account, Asset::Native, XLM)],
			&[&alice.signing],
		);
		let first = expect_included(ledger.submit(&tx, NOW));
		match ledger.submit(&tx, NOW + 10) {
			Submission::Included { record, newly_included: false } => assert_eq!(record, first),
			other => panic!("expected the stored record, got {other:?}"),
		}
		assert_eq!(native_of(&ledger, &bob.account), 1_001 * XLM);
		assert_eq!(sequence_of(&ledger, &alice.account), sequence + 1);
		assert_eq!(ledger.state().transactions.len(), 1);
	}

	#[test]
	fn malformed_and_unsupported_envelopes_are_malformed() {
		let mut ledger = ledger();
		assert!(matches!(ledger.submit("not base64!", NOW), Submission::Malformed(_)));
		assert!(matches!(ledger.submit("AAAA", NOW), Submission::Malformed(_)));
		let (alice, bob) = (key(1), key(2));
		let sequence = funded(&mut ledger, &alice.account);
		let merge = Operation {
			source_account: None,
			body: OperationBody::AccountMerge(muxed(&bob.account)),
		};
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			vec![merge],
			&[&alice.signing],
		);
		assert!(matches!(ledger.submit(&tx, NOW), Submission::Malformed(_)));
		// Trailing garbage after a valid envelope.
		let valid = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			vec![payment(None, &bob.account, Asset::Native, 1)],
			&[&alice.signing],
		);
		let mut bytes = BASE64.decode(valid).expect("base64");
		bytes.extend_from_slice(&[0, 0, 0, 0]);
		assert!(matches!(ledger.submit(&BASE64.encode(bytes), NOW), Submission::Malformed(_)));
		assert_eq!(sequence_of(&ledger, &alice.account), sequence);
	}

	#[test]
	fn account_transactions_page_by_cursor_in_both_orders() {
		let mut ledger = ledger();
		let (alice, bob, carol) = (key(1), key(2), key(3));
		let sequence = funded(&mut ledger, &alice.account);
		funded(&mut ledger, &bob.account);
		funded(&mut ledger, &carol.account);
		let mut hashes = Vec::new();
		for i in 0..5i64 {
			// The third payment overdraws: included, but failed.
			let amount = if i == 2 { 10_000 * XLM } else { XLM };
			let tx = envelope(
				ledger.network_id(),
				TxSpec {
					memo: Memo::Text(
						StringM::try_from(format!("burn_{i}").as_str()).expect("short"),
					),
					..TxSpec::new(&alice.account, sequence + 1 + i)
				},
				vec![payment(None, &bob.account, Asset::Native, amount)],
				&[&alice.signing],
			);
			let record = expect_included(ledger.submit(&tx, NOW + i as u64));
			assert_eq!(record.successful, i != 2);
			hashes.push(record.hash);
		}
		// A transaction not involving bob.
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 6),
			vec![payment(None, &carol.account, Asset::Native, XLM)],
			&[&alice.signing],
		);
		expect_included(ledger.submit(&tx, NOW));
		let page = |cursor: Option<u64>, descending: bool, limit: usize, include_failed: bool| {
			ledger
				.account_transactions(
					&bob.account,
					&PageQuery { cursor, descending, limit, include_failed },
				)
				.into_iter()
				.map(|record| record.hash.clone())
				.collect::<Vec<_>>()
		};
		let successful: Vec<String> =
			hashes.iter().enumerate().filter(|(i, _)| *i != 2).map(|(_, h)| h.clone()).collect();
		assert_eq!(page(None, false, 10, false), successful);
		assert_eq!(page(None, false, 10, true), hashes);
		let first_two = page(None, false, 2, true);
		assert_eq!(first_two, hashes[..2].to_vec());
		let second = ledger.transaction(&first_two[1]).expect("stored").paging_token();
		assert_eq!(page(Some(second), false, 2, true), hashes[2..4].to_vec());
		assert_eq!(page(Some(second), false, 2, false), vec![hashes[3].clone(), hashes[4].clone()]);
		let mut reversed = hashes.clone();
		reversed.reverse();
		assert_eq!(page(None, true, 10, true), reversed);
		let fourth = ledger.transaction(&hashes[3]).expect("stored").paging_token();
		assert_eq!(
			page(Some(fourth), true, 10, true),
			vec![hashes[2].clone(), hashes[1].clone(), hashes[0].clone()]
		);
		assert_eq!(page(Some(fourth), true, 10, false), vec![hashes[1].clone(), hashes[0].clone()]);
		assert!(page(Some(u64::MAX), false, 10, true).is_empty());
		assert_eq!(page(None, false, 10, true).len(), 5, "carol's payment is not bob's");
		let everything =
			PageQuery { cursor: None, descending: false, limit: 200, include_failed: true };
		assert_eq!(ledger.account_transactions(&alice.account, &everything).len(), 6);
	}

	#[test]
	fn the_persisted_state_rebuilds_the_same_ledger() {
		let mut ledger = ledger();
		let (alice, bob) = (key(1), key(2));
		let sequence = funded(&mut ledger, &alice.account);
		funded(&mut ledger, &bob.account);
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			vec![payment(None, &bob.account, Asset::Native, XLM)],
			&[&alice.signing],
		);
		let record = expect_included(ledger.submit(&tx, NOW));
		let json = serde_json::to_string(ledger.state()).expect("serializes");
		let state: LedgerState = serde_json::from_str(&json).expect("deserializes");
		let mut restored = Ledger::from_state(state).expect("valid");
		assert_eq!(restored.state(), ledger.state());
		assert_eq!(restored.transaction(&record.hash), Some(&record));
		match restored.submit(&tx, NOW) {
			Submission::Included { newly_included: false, .. } => {},
			other => panic!("expected the stored record, got {other:?}"),
		}
		let mut duplicated = ledger.state().clone();
		duplicated.transactions.push(record.clone());
		assert!(Ledger::from_state(duplicated).is_err());
	}

	#[test]
	fn an_unsigned_transaction_applies_like_a_signed_one_without_signature_checks() {
		// A vault whose master key is off and whose signers need 2 of 3: no signature at all.
		let mut ledger = ledger();
		let (vault, signers) = multisig_vault(&mut ledger, 2, 2, 2);
		let bob = key(2);
		funded(&mut ledger, &bob.account);
		let sequence = sequence_of(&ledger, &vault.account);
		let unsigned = envelope(
			ledger.network_id(),
			TxSpec {
				memo: Memo::Text(StringM::try_from("twin_7").expect("short")),
				..TxSpec::new(&vault.account, sequence + 1)
			},
			vec![payment(None, &bob.account, Asset::Native, 3 * XLM)],
			&[],
		);
		// Horizon's path checks signatures: refused, nothing changed.
		assert_eq!(expect_rejected(ledger.submit(&unsigned, NOW)).transaction_code, "tx_bad_auth");
		assert_eq!(sequence_of(&ledger, &vault.account), sequence);
		let record = expect_included(ledger.apply_unsigned(&unsigned, NOW + 1));
		assert!(record.successful, "{record:?}");
		assert!(record.signatures.is_empty());
		assert_eq!(record.fee_charged, 100);
		assert_eq!(record.memo.as_deref(), Some("twin_7"));
		assert_eq!(record.created_at, NOW + 1);
		assert_eq!(sequence_of(&ledger, &vault.account), sequence + 1);
		assert_eq!(native_of(&ledger, &vault.account), 1_000 * XLM - 3 * XLM - 100);
		assert_eq!(native_of(&ledger, &bob.account), 1_003 * XLM);
		assert_eq!(ledger.transaction(&record.hash), Some(&record));
		let history = ledger.account_transactions(
			&bob.account,
			&PageQuery { cursor: None, descending: false, limit: 10, include_failed: true },
		);
		assert_eq!(history, vec![&record]);
		// The same envelope again is the stored record, by either path.
		match ledger.submit(&unsigned, NOW) {
			Submission::Included { record: again, newly_included: false } => {
				assert_eq!(again, record)
			},
			other => panic!("expected the stored record, got {other:?}"),
		}
		// Everything but the signatures is still checked: the sequence number, and operations
		// that fail are included as failed, charged and consuming the sequence number.
		let stale = unsigned_payment(&ledger, &vault, sequence + 1, &bob, XLM);
		assert_eq!(
			expect_rejected(ledger.apply_unsigned(&stale, NOW)).transaction_code,
			"tx_bad_seq"
		);
		let overdraw = unsigned_payment(&ledger, &vault, sequence + 2, &bob, 10_000 * XLM);
		let failed = expect_included(ledger.apply_unsigned(&overdraw, NOW));
		assert!(!failed.successful);
		assert_eq!(failed.operation_result_codes, vec!["op_underfunded"]);
		assert_eq!(failed.fee_charged, 100);
		assert_eq!(sequence_of(&ledger, &vault.account), sequence + 2);
		assert_eq!(native_of(&ledger, &vault.account), 1_000 * XLM - 3 * XLM - 200);
		let zero = unsigned_payment(&ledger, &vault, sequence + 3, &bob, 0);
		assert_eq!(
			expect_rejected(ledger.apply_unsigned(&zero, NOW)).operation_codes,
			vec!["op_malformed"]
		);
		// An envelope with signatures cannot take this path, valid signatures or not.
		let signed = envelope(
			ledger.network_id(),
			TxSpec::new(&vault.account, sequence + 3),
			vec![payment(None, &bob.account, Asset::Native, XLM)],
			&[&signers[0].signing, &signers[1].signing],
		);
		assert!(matches!(ledger.apply_unsigned(&signed, NOW), Submission::Malformed(_)));
		assert!(expect_included(ledger.submit(&signed, NOW)).successful);
		// An unknown source is tx_no_source_account, as for a signed transaction.
		let ghost = key(99);
		let from_ghost = envelope(
			ledger.network_id(),
			TxSpec::new(&ghost.account, 1),
			vec![payment(None, &bob.account, Asset::Native, XLM)],
			&[],
		);
		assert_eq!(
			expect_rejected(ledger.apply_unsigned(&from_ghost, NOW)).transaction_code,
			"tx_no_source_account"
		);
	}

	fn unsigned_payment(
		ledger: &Ledger,
		from: &TestKey,
		sequence: i64,
		to: &TestKey,
		amount: i64,
	) -> String {
		envelope(
			ledger.network_id(),
			TxSpec::new(&from.account, sequence),
			vec![payment(None, &to.account, Asset::Native, amount)],
			&[],
		)
	}

	#[test]
	fn a_transactions_operations_are_listed_with_their_ids_sources_and_details() {
		let mut ledger = ledger();
		let (alice, bob, carol, issuer, signer) = (key(1), key(2), key(3), key(20), key(11));
		let sequence = funded(&mut ledger, &alice.account);
		funded(&mut ledger, &bob.account);
		funded(&mut ledger, &issuer.account);
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			vec![
				create_account(&carol.account, 2 * XLM),
				payment(Some(&bob.account), &alice.account, Asset::Native, 12_345),
				change_trust("TFT", &issuer.account, 500 * XLM),
				set_options(SetOptionsOp {
					med_threshold: Some(2),
					..add_signer(&signer.account, 1)
				}),
			],
			&[&alice.signing, &bob.signing],
		);
		let record = expect_included(ledger.submit(&tx, NOW));
		assert!(record.successful, "{record:?}");
		let all = PageQuery { cursor: None, descending: false, limit: 200, include_failed: false };
		let operations = ledger.transaction_operations(&record.hash, &all).expect("listed");
		assert_eq!(operations.len(), 4);
		let token = record.paging_token();
		let ids: Vec<u64> = operations.iter().map(|operation| operation.id).collect();
		assert_eq!(ids, vec![token + 1, token + 2, token + 3, token + 4]);
		assert_eq!(operation_toid(record.ledger, 1, 0), token + 1);
		for operation in &operations {
			assert_eq!(operation.transaction_hash, record.hash);
			assert!(operation.transaction_successful);
			assert_eq!(operation.created_at, record.created_at);
		}
		let sources: Vec<AccountKey> =
			operations.iter().map(|operation| operation.source_account).collect();
		assert_eq!(sources, vec![alice.account, bob.account, alice.account, alice.account]);
		assert_eq!(
			operations[0].details,
			OperationDetails::CreateAccount {
				funder: alice.account,
				account: carol.account,
				starting_balance: 2 * XLM,
			}
		);
		assert_eq!(
			operations[1].details,
			OperationDetails::Payment {
				from: bob.account,
				to: alice.account,
				asset: OperationAsset::Native,
				amount: 12_345,
			}
		);
		assert_eq!(
			operations[2].details,
			OperationDetails::ChangeTrust {
				trustor: alice.account,
				asset: OperationAsset::Credit {
					asset_type: "credit_alphanum4",
					code: "TFT".to_owned(),
					issuer: issuer.account,
				},
				limit: 500 * XLM,
			}
		);
		assert_eq!(
			operations[3].details,
			OperationDetails::SetOptions {
				master_key_weight: None,
				low_threshold: None,
				med_threshold: Some(2),
				high_threshold: None,
				signer: Some((signer.account, 1)),
			}
		);
		let types: Vec<(&str, u32)> = operations
			.iter()
			.map(|operation| (operation.details.type_name(), operation.details.type_code()))
			.collect();
		assert_eq!(
			types,
			vec![("create_account", 0), ("payment", 1), ("change_trust", 6), ("set_options", 5)]
		);

		// Pages by operation id, both ways.
		let page = |cursor: Option<u64>, descending: bool, limit: usize| {
			ledger
				.transaction_operations(
					&record.hash,
					&PageQuery { cursor, descending, limit, include_failed: false },
				)
				.expect("listed")
				.into_iter()
				.map(|operation| operation.id)
				.collect::<Vec<_>>()
		};
		assert_eq!(page(None, false, 2), vec![token + 1, token + 2]);
		assert_eq!(page(Some(token + 2), false, 10), vec![token + 3, token + 4]);
		assert_eq!(page(None, true, 3), vec![token + 4, token + 3, token + 2]);
		assert_eq!(page(Some(token + 2), true, 10), vec![token + 1]);
		assert!(page(Some(token + 4), false, 10).is_empty());

		// A failed transaction's operations are listed too (bob has no TFT trustline; alice's
		// medium threshold is 2 now: her master key and the new signer).
		let no_trust = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 2),
			vec![payment(None, &bob.account, credit("TFT", &issuer.account), XLM)],
			&[&alice.signing, &signer.signing],
		);
		let failed = expect_included(ledger.submit(&no_trust, NOW));
		assert_eq!(failed.operation_result_codes, vec!["op_no_trust"]);
		let operations = ledger.transaction_operations(&failed.hash, &all).expect("listed");
		assert_eq!(operations.len(), 1);
		assert!(!operations[0].transaction_successful);
		assert_eq!(operations[0].id, failed.paging_token() + 1);
		assert!(matches!(
			operations[0].details,
			OperationDetails::Payment { asset: OperationAsset::Credit { .. }, amount: XLM, .. }
		));
		assert_eq!(
			ledger.transaction_operations(&"0".repeat(64), &all),
			Err(OperationsError::UnknownTransaction)
		);
	}

	#[test]
	fn toid_and_network_id_match_stellar() {
		// A real Horizon paging token: ledger 8745151, sixth transaction.
		assert_eq!(toid(8_745_151, 6), 37_560_137_543_606_272);
		assert_eq!(toid(2, 1), (2 << 32) | 4096);
		assert_eq!(
			hex::encode(network_id("Test SDF Network ; September 2015")),
			"cee0302d59844d32bdca915c8203dd44b33fbb7edc19051ea37abedf28ecd472"
		);
	}

	#[test]
	fn strkeys_round_trip() {
		let strkey = "GBBQV7NTCNUICRAT2XT6IDD4C67CUIQBBCUP6HMJNZKWKV4YMLXBYEWR";
		let key = AccountKey::from_strkey(strkey).expect("valid");
		assert_eq!(key.to_strkey(), strkey);
		assert!(AccountKey::from_strkey(
			"GBBQV7NTCNUICRAT2XT6IDD4C67CUIQBBCUP6HMJNZKWKV4YMLXBYEWA"
		)
		.is_err());
		assert!(AccountKey::from_strkey("SBBQ").is_err());
		let json = serde_json::to_string(&key).expect("serializes");
		assert_eq!(json, format!("\"{strkey}\""));
	}

	/// The 12 payments of ../../tests/vectors/stellar_payments.json, made by the Python
	/// stellar-sdk: the simulator computes the same hashes, verifies the signatures against
	/// the vault's signers and applies the payments.
	#[test]
	fn the_python_sdk_vectors_hash_verify_and_apply() {
		// Embedded (cargo tracks it): a test binary reused from a checkout elsewhere (a cached
		// target directory) would not find a path baked in at compile time.
		let text = include_str!("../../../tests/vectors/stellar_payments.json");
		let vectors: serde_json::Value = serde_json::from_str(text).expect("json");
		let payments = vectors["payments"].as_array().expect("payments");
		assert_eq!(payments.len(), 12);
		for (case, vector) in payments.iter().enumerate() {
			let field =
				|name: &str| vector[name].as_str().unwrap_or_else(|| panic!("case {case}: {name}"));
			let passphrase = field("network_passphrase");
			let signed = field("expected_signed_envelope_xdr_base64");
			let expected_hash = field("expected_tx_hash_hex");
			assert_eq!(
				envelope_hash_hex(signed, passphrase).expect("hash"),
				expected_hash,
				"case {case}"
			);
			assert_eq!(
				envelope_hash_hex(field("expected_unsigned_envelope_xdr_base64"), passphrase)
					.expect("hash"),
				expected_hash,
				"case {case}"
			);
			let hash: [u8; 32] =
				hex::decode(expected_hash).expect("hex").try_into().expect("32 bytes");
			let signer_keys: Vec<AccountKey> = vector["signer_public_keys"]
				.as_array()
				.expect("keys")
				.iter()
				.map(|key| AccountKey::from_strkey(key.as_str().expect("str")).expect("strkey"))
				.collect();
			let signatures = vector["expected_signatures_base64"].as_array().expect("signatures");
			for (signer, signature) in signer_keys.iter().zip(signatures) {
				let mut bytes = BASE64.decode(signature.as_str().expect("str")).expect("base64");
				assert!(verify_ed25519(&signer.0, &hash, &bytes), "case {case}");
				bytes[10] ^= 1;
				assert!(!verify_ed25519(&signer.0, &hash, &bytes), "case {case}: flipped byte");
			}

			// The vault (source) with the vector's signers, sequence and a TFT balance.
			let tb = &vector["time_bounds"];
			let (min_time, max_time) =
				(tb["min_time"].as_u64().expect("min"), tb["max_time"].as_u64().expect("max"));
			let now = if max_time == 0 { NOW } else { min_time + 1 };
			let mut ledger = Ledger::new(passphrase, now);
			let source = AccountKey::from_strkey(field("source_account")).expect("source");
			let destination = AccountKey::from_strkey(field("destination")).expect("destination");
			let issuer = AccountKey::from_strkey(field("asset_issuer")).expect("issuer");
			let tft = CreditAsset { code: field("asset_code").to_owned(), issuer };
			let amount: i64 = field("amount_stroops").parse().expect("amount");
			for account in [&source, &destination, &issuer] {
				ledger.fund_account(*account, 100 * XLM, now).expect("funded");
			}
			let sequence_before: i64 = field("source_sequence_before").parse().expect("sequence");
			let signer_count = u8::try_from(signer_keys.len()).expect("few");
			let vault = ledger.account_mut(&source).expect("vault");
			vault.sequence = sequence_before;
			vault.master_weight = 0;
			(vault.low_threshold, vault.med_threshold, vault.high_threshold) =
				(1, signer_count, signer_count);
			for signer in &signer_keys {
				vault.signers.insert(*signer, 1);
			}
			vault.trustlines.push(Trustline {
				asset: tft.clone(),
				balance: amount,
				limit: i64::MAX,
				last_modified_ledger: 1,
			});
			ledger.account_mut(&destination).expect("destination").trustlines.push(Trustline {
				asset: tft.clone(),
				balance: 0,
				limit: i64::MAX,
				last_modified_ledger: 1,
			});

			// With the medium threshold one above the signers' weights, the payment is refused.
			let mut stricter = ledger.clone();
			stricter.account_mut(&source).expect("vault").med_threshold = signer_count + 1;
			let rejection = expect_rejected(stricter.submit(signed, now));
			assert_eq!(rejection.transaction_code, "tx_failed", "case {case}");
			assert_eq!(rejection.operation_codes, vec!["op_bad_auth"], "case {case}");

			let record = expect_included(ledger.submit(signed, now));
			assert!(record.successful, "case {case}: {record:?}");
			assert_eq!(record.hash, expected_hash, "case {case}");
			assert_eq!(
				record.source_account_sequence.to_string(),
				field("tx_sequence"),
				"case {case}"
			);
			assert_eq!(record.memo_type, field("memo_type"), "case {case}");
			assert_eq!(credit_of(&ledger, &destination, &tft), Some(amount), "case {case}");
			assert_eq!(credit_of(&ledger, &source, &tft), Some(0), "case {case}");
			assert_eq!(
				record.signatures,
				signatures.iter().map(|s| s.as_str().expect("str").to_owned()).collect::<Vec<_>>(),
				"case {case}"
			);
			// Memo rendering as Horizon: hash/return base64 of the 32 bytes, id decimal, text.
			let memo_value = field("memo_value");
			let expected_memo = match field("memo_type") {
				"hash" | "return" => BASE64.encode(hex::decode(memo_value).expect("hex")),
				_ => memo_value.to_owned(),
			};
			assert_eq!(record.memo.as_deref(), Some(expected_memo.as_str()), "case {case}");
		}
	}
}
