//! The relay's Horizon client: the few endpoints it needs, each answer bounded in time and
//! size, parsed into what the relay uses. Horizon is outside the chain: every answer is hostile
//! until parsed, and a slow or flooding server costs one timed-out request.

use serde::Deserialize;
use std::time::Duration;

/// The largest Horizon answer read: a page of 200 transactions is far below it.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// What can go wrong talking to Horizon.
#[derive(Debug, thiserror::Error)]
pub enum HorizonError {
	#[error("Horizon URL {0:?} is not an http(s) URL")]
	BadUrl(String),
	#[error("Horizon request failed: {0}")]
	Transport(#[from] reqwest::Error),
	#[error("Horizon's answer is larger than {MAX_ANSWER_BYTES} bytes")]
	TooLarge,
	#[error("Horizon answered {status}: {body}")]
	Status { status: u16, body: String },
	#[error("Horizon's answer is not what Horizon sends: {0}")]
	Malformed(String),
}

/// The network as Horizon sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
	pub passphrase: String,
	pub latest_ledger: u32,
	/// When the latest ledger closed, in seconds since 1970.
	pub latest_closed_at: u64,
}

/// An account's sequence number and who may sign for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
	pub sequence: i64,
	pub low_threshold: u8,
	pub med_threshold: u8,
	pub high_threshold: u8,
	/// Ed25519 signers with their weights (the master key among them).
	pub signers: Vec<([u8; 32], u8)>,
}

/// A transaction as Horizon lists it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct TxRecord {
	#[serde(deserialize_with = "hex32")]
	pub hash: [u8; 32],
	pub paging_token: String,
	pub successful: bool,
	pub ledger: u32,
	/// The transaction envelope (base64 XDR): what the relay reads, not Horizon's summary.
	pub envelope_xdr: String,
}

/// What became of a submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Submitted {
	/// Included in a ledger: successful or not (an operation failed, the sequence is used).
	Included(TxRecord),
	/// Refused before inclusion with this transaction result code (`tx_bad_seq`,
	/// `tx_too_late`, `tx_insufficient_fee`, ...): nothing happened.
	Refused(String),
	/// Included but its operations failed (`tx_failed`): codes of each operation.
	Failed { operations: Vec<String> },
	/// Horizon timed out waiting for the ledger: it may or may not be included; look it up.
	Unknown,
}

/// A Horizon server.
#[derive(Clone)]
pub struct Horizon {
	http: reqwest::Client,
	base: String,
}

impl Horizon {
	/// A client of the Horizon at `base_url`, each request bounded by `timeout` (connection,
	/// headers and body).
	pub fn new(base_url: &str, timeout: Duration) -> Result<Self, HorizonError> {
		let base = base_url.trim_end_matches('/').to_owned();
		if !(base.starts_with("http://") || base.starts_with("https://")) {
			return Err(HorizonError::BadUrl(base_url.to_owned()));
		}
		let http = reqwest::Client::builder().timeout(timeout).build()?;
		Ok(Self { http, base })
	}

	async fn get(&self, path: &str) -> Result<Option<serde_json::Value>, HorizonError> {
		let response = self.http.get(format!("{}{path}", self.base)).send().await?;
		let status = response.status();
		let body = read_capped(response).await?;
		if status == reqwest::StatusCode::NOT_FOUND {
			return Ok(None);
		}
		if !status.is_success() {
			return Err(HorizonError::Status { status: status.as_u16(), body: excerpt(&body) });
		}
		serde_json::from_slice(&body).map(Some).map_err(|e| HorizonError::Malformed(e.to_string()))
	}

	/// The network's passphrase and latest ledger.
	pub async fn network(&self) -> Result<Network, HorizonError> {
		#[derive(Deserialize)]
		struct Root {
			network_passphrase: String,
			history_latest_ledger: u32,
			history_latest_ledger_closed_at: String,
		}
		let root: Root = parse(self.get("/").await?.ok_or_else(|| missing("/"))?)?;
		Ok(Network {
			latest_closed_at: unix_seconds(&root.history_latest_ledger_closed_at)
				.ok_or_else(|| HorizonError::Malformed("history_latest_ledger_closed_at".into()))?,
			passphrase: root.network_passphrase,
			latest_ledger: root.history_latest_ledger,
		})
	}

	/// An account, or `None` when it does not exist.
	pub async fn account(&self, id: &[u8; 32]) -> Result<Option<Account>, HorizonError> {
		#[derive(Deserialize)]
		struct Thresholds {
			low_threshold: u8,
			med_threshold: u8,
			high_threshold: u8,
		}
		#[derive(Deserialize)]
		struct Signer {
			key: String,
			weight: u8,
			#[serde(rename = "type")]
			kind: String,
		}
		#[derive(Deserialize)]
		struct Resource {
			sequence: String,
			thresholds: Thresholds,
			signers: Vec<Signer>,
		}
		let Some(value) = self.get(&format!("/accounts/{}", strkey(id))).await? else {
			return Ok(None);
		};
		let resource: Resource = parse(value)?;
		let sequence =
			resource.sequence.parse().map_err(|_| HorizonError::Malformed("sequence".into()))?;
		let signers = resource
			.signers
			.iter()
			.filter(|signer| signer.kind == "ed25519_public_key")
			.map(|signer| {
				stellar_strkey::ed25519::PublicKey::from_string(&signer.key)
					.map(|key| (key.0, signer.weight))
					.map_err(|_| HorizonError::Malformed(format!("signer {}", signer.key)))
			})
			.collect::<Result<_, _>>()?;
		Ok(Some(Account {
			sequence,
			low_threshold: resource.thresholds.low_threshold,
			med_threshold: resource.thresholds.med_threshold,
			high_threshold: resource.thresholds.high_threshold,
			signers,
		}))
	}

	/// Up to `limit` (≤ 200) transactions of `account` after `cursor`, oldest first, failed
	/// ones included.
	pub async fn transactions(
		&self,
		account: &[u8; 32],
		cursor: &str,
		limit: u32,
	) -> Result<Vec<TxRecord>, HorizonError> {
		#[derive(Deserialize)]
		struct Embedded {
			records: Vec<TxRecord>,
		}
		#[derive(Deserialize)]
		struct Page {
			#[serde(rename = "_embedded")]
			embedded: Embedded,
		}
		let cursor: String = cursor.chars().filter(char::is_ascii_digit).collect();
		let path = format!(
			"/accounts/{}/transactions?cursor={cursor}&order=asc&limit={}&include_failed=true",
			strkey(account),
			limit.clamp(1, 200)
		);
		let page: Page = parse(self.get(&path).await?.ok_or_else(|| missing("the vault"))?)?;
		Ok(page.embedded.records)
	}

	/// A transaction by its hash, or `None` when no ledger holds it.
	pub async fn transaction(&self, hash: &[u8; 32]) -> Result<Option<TxRecord>, HorizonError> {
		self.get(&format!("/transactions/{}", hex::encode(hash))).await?.map(parse).transpose()
	}

	/// Submits a signed envelope (base64 XDR).
	pub async fn submit(&self, envelope_xdr: &str) -> Result<Submitted, HorizonError> {
		let response = self
			.http
			.post(format!("{}/transactions", self.base))
			.form(&[("tx", envelope_xdr)])
			.send()
			.await?;
		let status = response.status();
		let body = read_capped(response).await?;
		if status.is_success() {
			let value = serde_json::from_slice(&body)
				.map_err(|e| HorizonError::Malformed(e.to_string()))?;
			return Ok(Submitted::Included(parse(value)?));
		}
		if matches!(status.as_u16(), 504 | 503) {
			return Ok(Submitted::Unknown);
		}
		#[derive(Deserialize, Default)]
		struct Codes {
			transaction: Option<String>,
			#[serde(default)]
			operations: Vec<String>,
		}
		#[derive(Deserialize, Default)]
		struct Extras {
			#[serde(default)]
			result_codes: Codes,
		}
		#[derive(Deserialize)]
		struct Problem {
			#[serde(default)]
			extras: Extras,
		}
		let problem: Option<Problem> = if status == reqwest::StatusCode::BAD_REQUEST {
			serde_json::from_slice(&body).ok()
		} else {
			None
		};
		match problem.and_then(|p| {
			p.extras.result_codes.transaction.map(|t| (t, p.extras.result_codes.operations))
		}) {
			Some((code, operations)) if code == "tx_failed" => Ok(Submitted::Failed { operations }),
			Some((code, _)) => Ok(Submitted::Refused(code)),
			None => Err(HorizonError::Status { status: status.as_u16(), body: excerpt(&body) }),
		}
	}
}

/// Reads a body, refusing more than [`MAX_ANSWER_BYTES`].
async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, HorizonError> {
	if response.content_length().is_some_and(|length| length > MAX_ANSWER_BYTES as u64) {
		return Err(HorizonError::TooLarge);
	}
	let mut body = Vec::new();
	while let Some(chunk) = response.chunk().await? {
		if body.len() + chunk.len() > MAX_ANSWER_BYTES {
			return Err(HorizonError::TooLarge);
		}
		body.extend_from_slice(&chunk);
	}
	Ok(body)
}

fn parse<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, HorizonError> {
	serde_json::from_value(value).map_err(|e| HorizonError::Malformed(e.to_string()))
}

fn missing(what: &str) -> HorizonError {
	HorizonError::Malformed(format!("{what} not found"))
}

fn excerpt(body: &[u8]) -> String {
	String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned()
}

/// A Stellar account's strkey (`G…`).
pub fn strkey(account: &[u8; 32]) -> String {
	format!("{}", stellar_strkey::ed25519::PublicKey(*account))
}

fn hex32<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<[u8; 32], D::Error> {
	let text = String::deserialize(deserializer)?;
	let mut bytes = [0u8; 32];
	hex::decode_to_slice(&text, &mut bytes).map_err(serde::de::Error::custom)?;
	Ok(bytes)
}

/// Seconds since 1970 of an RFC 3339 UTC time as Horizon writes it (`2026-11-22T10:00:00Z`).
pub fn unix_seconds(text: &str) -> Option<u64> {
	let bytes = text.as_bytes();
	if bytes.len() != 20
		|| bytes[4] != b'-'
		|| bytes[7] != b'-'
		|| bytes[10] != b'T'
		|| bytes[19] != b'Z'
	{
		return None;
	}
	let number = |range: core::ops::Range<usize>| -> Option<i64> { text.get(range)?.parse().ok() };
	let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
	let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
	if !(1..=12).contains(&month)
		|| !(1..=31).contains(&day)
		|| hour > 23
		|| minute > 59
		|| second > 60
	{
		return None;
	}
	// Days from the civil date (Howard Hinnant's algorithm).
	let y = if month <= 2 { year - 1 } else { year };
	let era = y.div_euclid(400);
	let year_of_era = y - era * 400;
	let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
	let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	let days = era * 146_097 + day_of_era - 719_468;
	u64::try_from(days * 86_400 + hour * 3_600 + minute * 60 + second).ok()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn horizon_times_are_read_exactly() {
		assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
		assert_eq!(unix_seconds("2000-03-01T00:00:00Z"), Some(951_868_800));
		assert_eq!(unix_seconds("2026-11-22T10:00:00Z"), Some(1_795_341_600));
		assert_eq!(unix_seconds("2026-11-22 10:00:00"), None);
		assert_eq!(unix_seconds("2026-13-22T10:00:00Z"), None);
	}
}
