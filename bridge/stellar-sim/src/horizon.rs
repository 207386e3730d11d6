//! The HTTP API: Horizon's endpoints for the simulated subset, answering in Horizon's JSON
//! shapes (amounts as 7-decimal strings, sequence numbers and fees as strings, problem+json
//! errors with Horizon's result codes), and the simulator's own endpoints under `/sim/`, which
//! are **not Horizon**: they exist so tests can move the clock, inject faults and fund accounts.
//!
//! Horizon endpoints: `GET /`, `GET /accounts/{id}`, `GET /accounts/{id}/transactions`,
//! `GET /transactions/{hash}`, `GET /transactions/{hash}/operations`, `POST /transactions`,
//! `GET|POST /friendbot?addr=`.
//! Simulator endpoints: `GET|POST /sim/clock`, `GET|POST /sim/faults`, `GET /sim/state`,
//! `POST /sim/accounts`, `POST /sim/transactions` (a transaction made as an account without
//! its signatures, see [`crate::sim_transaction`]).
//!
//! Faults (`POST /sim/faults`) apply to Horizon endpoints only; the `/sim/` endpoints always
//! answer at once, so a test can always clear them.

// Handlers answer a refused request with its Horizon problem response, built where the
// request is parsed; it is returned once per request, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::ledger::{
	toid, Account, AccountKey, FundError, OperationAsset, OperationDetails, OperationRecord,
	OperationsError, PageQuery, Submission, TransactionRecord, DEFAULT_PAGE_LIMIT,
	FRIENDBOT_STARTING_BALANCE_STROOPS, MAX_PAGE_LIMIT,
};
use crate::server::ClosableConnection;
use crate::sim_transaction::{UnsignedTransaction, UnsignedTransactionRequest};
use crate::state::{real_unix_time, ClockError, FundAccountError, Simulator};

/// The largest request body accepted (a form with an envelope, or an admin JSON).
pub const MAX_REQUEST_BODY_BYTES: usize = 64 * 1024;
/// The longest response delay a fault may ask for.
pub const MAX_DELAY_MS: u64 = 60_000;

const PROBLEM_TYPE_PREFIX: &str = "https://stellar.org/horizon-errors/";
const PROBLEM_CONTENT_TYPE: &str = "application/problem+json; charset=utf-8";
const HAL_CONTENT_TYPE: &str = "application/hal+json; charset=utf-8";
const ZERO_AMOUNT: &str = "0.0000000";
const ED25519_SIGNER: &str = "ed25519_public_key";

/// Faults injected into `POST /transactions` and into every Horizon request (never into the
/// `/sim/` endpoints).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Faults {
	/// The next N submissions are answered with `fail_status`, without being applied.
	pub fail_next_submissions: u32,
	pub fail_status: u16,
	/// The next N submissions that get included are answered 504 Timeout, as Horizon does
	/// when a submission outlives its timeout: the client must look the hash up.
	pub apply_then_timeout_next: u32,
	/// Every Horizon response (not `/sim/`) waits this long first.
	pub delay_ms: u64,
	/// The next N Horizon requests (any endpoint but `/sim/`) get no HTTP answer at all:
	/// their connection is closed, as by a server that drops connections. Each request
	/// counts, on a new connection or a kept-alive one; nothing is applied. See
	/// [`crate::server`].
	pub close_connections_next: u32,
}

impl Default for Faults {
	fn default() -> Self {
		Faults {
			fail_next_submissions: 0,
			fail_status: 503,
			apply_then_timeout_next: 0,
			delay_ms: 0,
			close_connections_next: 0,
		}
	}
}

/// What `POST /sim/faults` takes: fields not given stay as they are; `clear` resets all
/// first.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsRequest {
	pub fail_next_submissions: Option<u32>,
	pub status: Option<u16>,
	pub apply_then_timeout_next: Option<u32>,
	pub delay_ms: Option<u64>,
	pub close_connections_next: Option<u32>,
	#[serde(default)]
	pub clear: bool,
}

/// The state shared by the handlers.
#[derive(Clone)]
pub struct AppState {
	shared: Arc<Shared>,
}

struct Shared {
	simulator: Mutex<Simulator>,
	faults: Mutex<Faults>,
}

impl AppState {
	pub fn new(simulator: Simulator) -> Self {
		AppState {
			shared: Arc::new(Shared {
				simulator: Mutex::new(simulator),
				faults: Mutex::new(Faults::default()),
			}),
		}
	}

	/// The simulator. A panic elsewhere cannot leave it half-changed in a way that matters
	/// more than refusing every later request, so a poisoned lock is taken over.
	pub fn simulator(&self) -> MutexGuard<'_, Simulator> {
		self.shared.simulator.lock().unwrap_or_else(PoisonError::into_inner)
	}

	pub fn faults(&self) -> MutexGuard<'_, Faults> {
		self.shared.faults.lock().unwrap_or_else(PoisonError::into_inner)
	}
}

/// The whole HTTP API.
pub fn router(state: AppState) -> Router {
	Router::new()
		.route("/", get(get_root))
		.route("/accounts/{account_id}", get(get_account))
		.route("/accounts/{account_id}/transactions", get(get_account_transactions))
		.route("/transactions", post(post_transaction))
		.route("/transactions/{hash}", get(get_transaction))
		.route("/transactions/{hash}/operations", get(get_transaction_operations))
		.route("/friendbot", get(friendbot).post(friendbot))
		.route("/sim/clock", get(get_clock).post(post_clock))
		.route("/sim/faults", get(get_faults).post(post_faults))
		.route("/sim/state", get(get_state))
		.route("/sim/accounts", post(post_sim_account))
		.route("/sim/transactions", post(post_sim_transaction))
		.fallback(unknown_route)
		.layer(middleware::from_fn_with_state(state.clone(), delay_responses))
		// Outermost: a dropped connection is dropped at once, not after the delay.
		.layer(middleware::from_fn_with_state(state.clone(), close_connections))
		.layer(DefaultBodyLimit::max(MAX_REQUEST_BODY_BYTES))
		.with_state(state)
}

// ----- Formatting -----

/// A stroop amount as Horizon writes it: a decimal string with exactly 7 decimals.
pub fn format_amount(stroops: i64) -> String {
	let sign = if stroops < 0 { "-" } else { "" };
	let magnitude = stroops.unsigned_abs();
	format!("{sign}{}.{:07}", magnitude / 10_000_000, magnitude % 10_000_000)
}

/// Unix seconds as RFC 3339 in UTC, Horizon's `2026-11-22T10:00:00Z`.
pub fn rfc3339_utc(unix_seconds: u64) -> String {
	let days = (unix_seconds / 86_400) as i64;
	let seconds_of_day = unix_seconds % 86_400;
	let (year, month, day) = civil_from_days(days);
	format!(
		"{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
		seconds_of_day / 3_600,
		seconds_of_day % 3_600 / 60,
		seconds_of_day % 60
	)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
	let z = days + 719_468;
	let era = z.div_euclid(146_097);
	let day_of_era = z.rem_euclid(146_097);
	let year_of_era =
		(day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
	let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	let month_index = (5 * day_of_year + 2) / 153;
	let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
	let month = if month_index < 10 { month_index + 3 } else { month_index - 9 } as u32;
	let year = year_of_era + era * 400 + i64::from(month <= 2);
	(year, month, day)
}

/// The scheme and host of links, from the request's Host header (so that links work behind
/// any port, including one chosen by the OS).
fn base_url(headers: &HeaderMap) -> String {
	let host = headers
		.get(header::HOST)
		.and_then(|value| value.to_str().ok())
		.filter(|host| {
			!host.is_empty()
				&& host.len() <= 255
				&& host
					.bytes()
					.all(|byte| byte.is_ascii_alphanumeric() || b"-.:[]_".contains(&byte))
		})
		.unwrap_or("localhost");
	format!("http://{host}")
}

fn href(url: String) -> Value {
	json!({ "href": url })
}

/// A templated link: `url` followed by `{?cursor,limit,order}`, as Horizon writes list links.
fn list_link(url: &str) -> Value {
	json!({ "href": format!("{url}{{?cursor,limit,order}}"), "templated": true })
}

/// Horizon's account resource.
pub fn account_json(base: &str, key: &AccountKey, account: &Account) -> Value {
	let id = key.to_strkey();
	let mut balances: Vec<Value> = account
		.trustlines
		.iter()
		.map(|line| {
			json!({
				"balance": format_amount(line.balance),
				"limit": format_amount(line.limit),
				"buying_liabilities": ZERO_AMOUNT,
				"selling_liabilities": ZERO_AMOUNT,
				"last_modified_ledger": line.last_modified_ledger,
				"is_authorized": true,
				"is_authorized_to_maintain_liabilities": true,
				"is_clawback_enabled": false,
				"asset_type": line.asset.asset_type(),
				"asset_code": line.asset.code,
				"asset_issuer": line.asset.issuer.to_strkey(),
			})
		})
		.collect();
	balances.push(json!({
		"balance": format_amount(account.native_balance),
		"buying_liabilities": ZERO_AMOUNT,
		"selling_liabilities": ZERO_AMOUNT,
		"asset_type": "native",
	}));
	// Horizon lists the master key among the signers while its weight is above 0.
	let mut signers: Vec<(String, u8)> =
		account.signers.iter().map(|(signer, weight)| (signer.to_strkey(), *weight)).collect();
	if account.master_weight > 0 {
		signers.push((id.clone(), account.master_weight));
	}
	signers.sort();
	let signers: Vec<Value> = signers
		.into_iter()
		.map(|(signer, weight)| json!({ "weight": weight, "key": signer, "type": ED25519_SIGNER }))
		.collect();
	let account_url = format!("{base}/accounts/{id}");
	json!({
		"_links": {
			"self": href(account_url.clone()),
			"transactions": list_link(&format!("{account_url}/transactions")),
			"operations": list_link(&format!("{account_url}/operations")),
			"payments": list_link(&format!("{account_url}/payments")),
			"effects": list_link(&format!("{account_url}/effects")),
			"offers": list_link(&format!("{account_url}/offers")),
			"trades": list_link(&format!("{account_url}/trades")),
			"data": { "href": format!("{account_url}/data/{{key}}"), "templated": true },
		},
		"id": id,
		"account_id": id,
		"sequence": account.sequence.to_string(),
		"sequence_ledger": account.sequence_ledger,
		"sequence_time": account.sequence_time.to_string(),
		"subentry_count": account.subentry_count(),
		"last_modified_ledger": account.last_modified_ledger,
		"last_modified_time": rfc3339_utc(account.last_modified_time),
		"thresholds": {
			"low_threshold": account.low_threshold,
			"med_threshold": account.med_threshold,
			"high_threshold": account.high_threshold,
		},
		"flags": {
			"auth_required": false,
			"auth_revocable": false,
			"auth_immutable": false,
			"auth_clawback_enabled": false,
		},
		"balances": balances,
		"signers": signers,
		"data": {},
		"num_sponsoring": 0,
		"num_sponsored": 0,
		"paging_token": id,
	})
}

/// Horizon's transaction resource.
pub fn transaction_json(base: &str, record: &TransactionRecord) -> Value {
	let source = record.source_account.to_strkey();
	let token = record.paging_token();
	let self_url = format!("{base}/transactions/{}", record.hash);
	let mut value = json!({
		"_links": {
			"self": href(self_url.clone()),
			"account": href(format!("{base}/accounts/{source}")),
			"ledger": href(format!("{base}/ledgers/{}", record.ledger)),
			"operations": list_link(&format!("{self_url}/operations")),
			"effects": list_link(&format!("{self_url}/effects")),
			"precedes": href(format!("{base}/transactions?order=asc&cursor={token}")),
			"succeeds": href(format!("{base}/transactions?order=desc&cursor={token}")),
			"transaction": href(self_url),
		},
		"id": record.hash,
		"paging_token": token.to_string(),
		"successful": record.successful,
		"hash": record.hash,
		"ledger": record.ledger,
		"created_at": rfc3339_utc(record.created_at),
		"source_account": source,
		"source_account_sequence": record.source_account_sequence.to_string(),
		"fee_account": source,
		"fee_charged": record.fee_charged.to_string(),
		"max_fee": record.max_fee.to_string(),
		"operation_count": record.operation_count,
		"envelope_xdr": record.envelope_xdr,
		"result_xdr": record.result_xdr,
		"memo_type": record.memo_type,
		"signatures": record.signatures,
	});
	if let Some(fields) = value.as_object_mut() {
		if let Some(memo) = &record.memo {
			fields.insert("memo".to_owned(), json!(memo));
		}
		if let Some(memo_bytes) = &record.memo_bytes {
			fields.insert("memo_bytes".to_owned(), json!(memo_bytes));
		}
		if let Some(bounds) = record.time_bounds {
			let mut timebounds = Map::new();
			timebounds.insert("min_time".to_owned(), json!(bounds.min_time.to_string()));
			if bounds.max_time != 0 {
				timebounds.insert("max_time".to_owned(), json!(bounds.max_time.to_string()));
			}
			fields.insert("preconditions".to_owned(), json!({ "timebounds": timebounds }));
			fields.insert("valid_after".to_owned(), json!(rfc3339_utc(bounds.min_time)));
			if bounds.max_time != 0 {
				fields.insert("valid_before".to_owned(), json!(rfc3339_utc(bounds.max_time)));
			}
		}
	}
	value
}

/// The fields of an asset, as Horizon writes them in operations (none but the type for
/// lumens).
fn asset_fields(asset: &OperationAsset) -> Vec<(&'static str, Value)> {
	match asset {
		OperationAsset::Native => vec![("asset_type", json!("native"))],
		OperationAsset::Credit { asset_type, code, issuer } => vec![
			("asset_type", json!(asset_type)),
			("asset_code", json!(code)),
			("asset_issuer", json!(issuer.to_strkey())),
		],
	}
}

/// The fields Horizon adds for each type of operation.
fn operation_type_fields(details: &OperationDetails) -> Vec<(&'static str, Value)> {
	match details {
		OperationDetails::CreateAccount { funder, account, starting_balance } => vec![
			("starting_balance", json!(format_amount(*starting_balance))),
			("funder", json!(funder.to_strkey())),
			("account", json!(account.to_strkey())),
		],
		OperationDetails::Payment { from, to, asset, amount } => {
			let mut fields = asset_fields(asset);
			fields.push(("from", json!(from.to_strkey())));
			fields.push(("to", json!(to.to_strkey())));
			fields.push(("amount", json!(format_amount(*amount))));
			fields
		},
		OperationDetails::ChangeTrust { trustor, asset, limit } => {
			let mut fields = asset_fields(asset);
			fields.push(("limit", json!(format_amount(*limit))));
			if let OperationAsset::Credit { issuer, .. } = asset {
				fields.push(("trustee", json!(issuer.to_strkey())));
			}
			fields.push(("trustor", json!(trustor.to_strkey())));
			fields
		},
		OperationDetails::SetOptions {
			master_key_weight,
			low_threshold,
			med_threshold,
			high_threshold,
			signer,
		} => {
			let weights = [
				("master_key_weight", *master_key_weight),
				("low_threshold", *low_threshold),
				("med_threshold", *med_threshold),
				("high_threshold", *high_threshold),
			];
			let mut fields: Vec<(&'static str, Value)> = weights
				.into_iter()
				.filter_map(|(name, value)| value.map(|value| (name, json!(value))))
				.collect();
			if let Some((key, weight)) = signer {
				fields.push(("signer_key", json!(key.to_strkey())));
				fields.push(("signer_weight", json!(weight)));
			}
			fields
		},
	}
}

/// Horizon's operation resource: the fields of every operation, then its type's.
pub fn operation_json(base: &str, operation: &OperationRecord) -> Value {
	let id = operation.id.to_string();
	let self_url = format!("{base}/operations/{id}");
	let mut value = json!({
		"_links": {
			"self": href(self_url.clone()),
			"transaction": href(format!("{base}/transactions/{}", operation.transaction_hash)),
			"effects": href(format!("{self_url}/effects")),
			"succeeds": href(format!("{base}/effects?order=desc&cursor={id}")),
			"precedes": href(format!("{base}/effects?order=asc&cursor={id}")),
		},
		"id": id,
		"paging_token": id,
		"transaction_successful": operation.transaction_successful,
		"source_account": operation.source_account.to_strkey(),
		"type": operation.details.type_name(),
		"type_i": operation.details.type_code(),
		"created_at": rfc3339_utc(operation.created_at),
		"transaction_hash": operation.transaction_hash,
	});
	if let Some(fields) = value.as_object_mut() {
		for (name, field) in operation_type_fields(&operation.details) {
			fields.insert(name.to_owned(), field);
		}
	}
	value
}

// ----- Responses -----

fn with_content_type(mut response: Response, content_type: &'static str) -> Response {
	response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
	response
}

fn hal(status: StatusCode, body: Value) -> Response {
	with_content_type((status, Json(body)).into_response(), HAL_CONTENT_TYPE)
}

fn problem(
	status: StatusCode,
	kind: &str,
	title: &str,
	detail: impl Into<String>,
	extras: Option<Value>,
) -> Response {
	let mut body = json!({
		"type": format!("{PROBLEM_TYPE_PREFIX}{kind}"),
		"title": title,
		"status": status.as_u16(),
		"detail": detail.into(),
	});
	if let Some(extras) = extras {
		body["extras"] = extras;
	}
	with_content_type((status, Json(body)).into_response(), PROBLEM_CONTENT_TYPE)
}

fn not_found() -> Response {
	problem(
		StatusCode::NOT_FOUND,
		"not_found",
		"Resource Missing",
		"The resource at the url requested was not found.  This usually occurs for one of two \
		 reasons:  The url requested is not valid, or no data in our database could be found with \
		 the parameters provided.",
		None,
	)
}

fn bad_request(field: &str, reason: impl Into<String>) -> Response {
	problem(
		StatusCode::BAD_REQUEST,
		"bad_request",
		"Bad Request",
		"The request you sent was invalid in some way.",
		Some(json!({ "invalid_field": field, "reason": reason.into() })),
	)
}

fn server_error(detail: impl Into<String>) -> Response {
	problem(
		StatusCode::INTERNAL_SERVER_ERROR,
		"server_error",
		"Internal Server Error",
		detail,
		None,
	)
}

fn timeout() -> Response {
	problem(
		StatusCode::GATEWAY_TIMEOUT,
		"timeout",
		"Timeout",
		"Your request timed out before completing.  Please try your request again. If you are \
		 submitting a transaction make sure you are sending exactly the same transaction (with \
		 the same sequence number).",
		None,
	)
}

fn service_unavailable(detail: impl Into<String>) -> Response {
	problem(
		StatusCode::SERVICE_UNAVAILABLE,
		"service_unavailable",
		"Service Unavailable",
		detail,
		None,
	)
}

/// A failure answered as an injected fault.
fn injected_failure(status: u16) -> Response {
	let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
	match status {
		StatusCode::GATEWAY_TIMEOUT => timeout(),
		StatusCode::SERVICE_UNAVAILABLE => {
			service_unavailable("The simulator was told to fail this submission (fault injection).")
		},
		StatusCode::INTERNAL_SERVER_ERROR => {
			server_error("The simulator was told to fail this submission (fault injection).")
		},
		StatusCode::TOO_MANY_REQUESTS => problem(
			status,
			"rate_limit_exceeded",
			"Rate Limit Exceeded",
			"The simulator was told to fail this submission (fault injection).",
			None,
		),
		other => problem(
			other,
			"sim_fault",
			other.canonical_reason().unwrap_or("Injected Fault"),
			"The simulator was told to fail this submission (fault injection).",
			None,
		),
	}
}

/// A request whose body could not be read: too large (413) or not what was expected (400).
fn body_rejection(status: StatusCode, text: String) -> Response {
	if status == StatusCode::PAYLOAD_TOO_LARGE {
		problem(
			StatusCode::PAYLOAD_TOO_LARGE,
			"request_entity_too_large",
			"Request Entity Too Large",
			format!("The request body is larger than {MAX_REQUEST_BODY_BYTES} bytes."),
			None,
		)
	} else {
		bad_request("body", text)
	}
}

fn transaction_failed(
	hash: &str,
	envelope_xdr: &str,
	result_xdr: &str,
	transaction_code: &str,
	operation_codes: &[impl AsRef<str>],
) -> Response {
	let mut result_codes = json!({ "transaction": transaction_code });
	if transaction_code == "tx_failed" {
		let operations: Vec<&str> = operation_codes.iter().map(AsRef::as_ref).collect();
		result_codes["operations"] = json!(operations);
	}
	problem(
		StatusCode::BAD_REQUEST,
		"transaction_failed",
		"Transaction Failed",
		"The transaction failed when submitted to the stellar network. The `extras.result_codes` \
		 field on this response contains further details.  Descriptions of each code can be found \
		 at: https://developers.stellar.org/docs/data/apis/horizon/api-reference/errors/\
		 http-status-codes/horizon-specific/transaction-failed",
		Some(json!({
			"envelope_xdr": envelope_xdr,
			"result_codes": result_codes,
			"result_xdr": result_xdr,
			"hash": hash,
		})),
	)
}

fn submission_response(base: &str, submitted: &str, submission: Submission) -> Response {
	match submission {
		Submission::Included { record, .. } if record.successful => {
			hal(StatusCode::OK, transaction_json(base, &record))
		},
		Submission::Included { record, .. } => transaction_failed(
			&record.hash,
			&record.envelope_xdr,
			&record.result_xdr,
			"tx_failed",
			record.operation_result_codes.as_slice(),
		),
		Submission::Rejected(rejection) => transaction_failed(
			&rejection.hash,
			&rejection.envelope_xdr,
			&rejection.result_xdr,
			rejection.transaction_code,
			rejection.operation_codes.as_slice(),
		),
		Submission::Malformed(reason) => problem(
			StatusCode::BAD_REQUEST,
			"transaction_malformed",
			"Transaction Malformed",
			format!(
				"Horizon could not decode the transaction envelope in this request. A transaction \
				 should be an XDR TransactionEnvelope struct encoded using base64.  The envelope \
				 read from this request is echoed in the `extras.envelope_xdr` field of this \
				 response for your convenience. (stellar-sim: {reason})"
			),
			Some(json!({ "envelope_xdr": submitted })),
		),
		Submission::StoreFull => {
			service_unavailable("The simulator's bounded stores are full; start a new network.")
		},
	}
}

fn parse_account_path(path: Result<Path<String>, PathRejection>) -> Result<AccountKey, Response> {
	let text = match path {
		Ok(Path(text)) => text,
		Err(rejection) => return Err(bad_request("account_id", rejection.body_text())),
	};
	AccountKey::from_strkey(&text).map_err(|_| {
		bad_request(
			"account_id",
			"Account ID must start with `G` and contain 56 alphanum characters",
		)
	})
}

// ----- Horizon handlers -----

async fn get_root(State(state): State<AppState>, headers: HeaderMap) -> Response {
	root(&state, &base_url(&headers))
}

fn root(state: &AppState, base: &str) -> Response {
	let simulator = state.simulator();
	let ledger = simulator.ledger();
	let latest = ledger.latest_ledger();
	let body = json!({
		"_links": {
			"account": { "href": format!("{base}/accounts/{{account_id}}"), "templated": true },
			"account_transactions":
				list_link(&format!("{base}/accounts/{{account_id}}/transactions")),
			"friendbot": { "href": format!("{base}/friendbot{{?addr}}"), "templated": true },
			"self": href(base.to_owned()),
			"transaction": { "href": format!("{base}/transactions/{{hash}}"), "templated": true },
		},
		"horizon_version": "stellar-sim",
		"core_version": "stellar-sim",
		"ingest_latest_ledger": latest,
		"history_latest_ledger": latest,
		"history_latest_ledger_closed_at": rfc3339_utc(ledger.latest_ledger_closed_at()),
		"history_elder_ledger": 1,
		"core_latest_ledger": latest,
		"network_passphrase": ledger.network_passphrase(),
		"current_protocol_version": 23,
		"supported_protocol_version": 23,
		"core_supported_protocol_version": 23,
	});
	hal(StatusCode::OK, body)
}

async fn get_account(
	State(state): State<AppState>,
	headers: HeaderMap,
	path: Result<Path<String>, PathRejection>,
) -> Response {
	let key = match parse_account_path(path) {
		Ok(key) => key,
		Err(response) => return response,
	};
	account_response(&state, &base_url(&headers), &key)
}

fn account_response(state: &AppState, base: &str, key: &AccountKey) -> Response {
	let simulator = state.simulator();
	match simulator.ledger().account(key) {
		Some(account) => hal(StatusCode::OK, account_json(base, key, account)),
		None => not_found(),
	}
}

/// The query of a page of records, as Horizon names it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PageParams {
	pub cursor: Option<String>,
	pub order: Option<String>,
	pub limit: Option<String>,
	pub include_failed: Option<String>,
}

/// A parsed page query and how to write it back into links.
struct Page {
	query: PageQuery,
	/// The cursor as the links repeat it when the page is empty.
	cursor_text: String,
	limit: usize,
	include_failed: bool,
}

fn parse_page(params: &PageParams, latest_ledger: u32) -> Result<Page, Response> {
	let descending = match params.order.as_deref() {
		None | Some("") | Some("asc") => false,
		Some("desc") => true,
		Some(_) => return Err(bad_request("order", "order: Must be one of \"asc\" or \"desc\"")),
	};
	let limit = match params.limit.as_deref() {
		None | Some("") => DEFAULT_PAGE_LIMIT,
		Some(text) => match text.parse::<usize>() {
			Ok(limit) if (1..=MAX_PAGE_LIMIT).contains(&limit) => limit,
			_ => {
				return Err(bad_request(
					"limit",
					format!("limit: The limit must be a number between 1 and {MAX_PAGE_LIMIT}"),
				))
			},
		},
	};
	let include_failed = match params.include_failed.as_deref() {
		None | Some("") | Some("false") => false,
		Some("true") => true,
		Some(_) => {
			return Err(bad_request("include_failed", "include_failed: Must be true or false"))
		},
	};
	let cursor = match params.cursor.as_deref() {
		None | Some("") => None,
		// "now": just after the latest ledger, so ascending pages hold only what comes later.
		Some("now") => Some(toid(latest_ledger.saturating_add(1), 0).saturating_sub(1)),
		Some(text) => match text.parse::<i64>() {
			Ok(cursor) if cursor >= 0 => Some(cursor as u64),
			_ => {
				return Err(bad_request(
					"cursor",
					"cursor: Must be a non-negative integer or \"now\"",
				))
			},
		},
	};
	Ok(Page {
		query: PageQuery { cursor, descending, limit, include_failed },
		cursor_text: cursor.map(|cursor| cursor.to_string()).unwrap_or_default(),
		limit,
		include_failed,
	})
}

fn page_url(
	base_path: &str,
	cursor: &str,
	limit: usize,
	descending: bool,
	include_failed: bool,
) -> String {
	let order = if descending { "desc" } else { "asc" };
	let failed = if include_failed { "&include_failed=true" } else { "" };
	format!("{base_path}?cursor={cursor}&limit={limit}&order={order}{failed}")
}

/// Horizon's page: `_links` (self, next, prev) and `_embedded.records`. `next` continues
/// after the last record's paging token, `prev` goes back from the first one's (an empty page
/// repeats the query's cursor).
fn page_json(
	base_path: &str,
	page: &Page,
	first_token: Option<u64>,
	last_token: Option<u64>,
	records: Vec<Value>,
) -> Value {
	let descending = page.query.descending;
	let cursor_or_query = |token: Option<u64>| {
		token.map_or_else(|| page.cursor_text.clone(), |token| token.to_string())
	};
	let next_cursor = cursor_or_query(last_token);
	let prev_cursor = cursor_or_query(first_token);
	let link = |cursor: &str, descending: bool| {
		href(page_url(base_path, cursor, page.limit, descending, page.include_failed))
	};
	json!({
		"_links": {
			"self": link(&page.cursor_text, descending),
			"next": link(&next_cursor, descending),
			"prev": link(&prev_cursor, !descending),
		},
		"_embedded": { "records": records },
	})
}

/// A page of an account's transactions.
fn transactions_page(
	base: &str,
	account: &AccountKey,
	page: &Page,
	records: &[&TransactionRecord],
) -> Value {
	let base_path = format!("{base}/accounts/{}/transactions", account.to_strkey());
	let first = records.first().map(|record| record.paging_token());
	let last = records.last().map(|record| record.paging_token());
	let records: Vec<Value> = records.iter().map(|record| transaction_json(base, record)).collect();
	page_json(&base_path, page, first, last, records)
}

/// A page of a transaction's operations.
fn operations_page(base: &str, hash: &str, page: &Page, operations: &[OperationRecord]) -> Value {
	let base_path = format!("{base}/transactions/{hash}/operations");
	let first = operations.first().map(|operation| operation.id);
	let last = operations.last().map(|operation| operation.id);
	let records: Vec<Value> =
		operations.iter().map(|operation| operation_json(base, operation)).collect();
	page_json(&base_path, page, first, last, records)
}

async fn get_account_transactions(
	State(state): State<AppState>,
	headers: HeaderMap,
	path: Result<Path<String>, PathRejection>,
	query: Result<Query<PageParams>, QueryRejection>,
) -> Response {
	let key = match parse_account_path(path) {
		Ok(key) => key,
		Err(response) => return response,
	};
	let params = match query {
		Ok(Query(params)) => params,
		Err(rejection) => return bad_request("query", rejection.body_text()),
	};
	account_transactions_response(&state, &base_url(&headers), &key, &params)
}

fn account_transactions_response(
	state: &AppState,
	base: &str,
	key: &AccountKey,
	params: &PageParams,
) -> Response {
	let simulator = state.simulator();
	let ledger = simulator.ledger();
	if ledger.account(key).is_none() {
		return not_found();
	}
	let page = match parse_page(params, ledger.latest_ledger()) {
		Ok(page) => page,
		Err(response) => return response,
	};
	let records = ledger.account_transactions(key, &page.query);
	hal(StatusCode::OK, transactions_page(base, key, &page, &records))
}

/// A transaction hash from the path, lowercased.
fn parse_hash_path(path: Result<Path<String>, PathRejection>) -> Result<String, Response> {
	let hash = match path {
		Ok(Path(hash)) => hash.to_ascii_lowercase(),
		Err(rejection) => return Err(bad_request("tx_id", rejection.body_text())),
	};
	if hash.len() != 64 || !hash.bytes().all(|byte| byte.is_ascii_hexdigit()) {
		return Err(bad_request(
			"tx_id",
			"Transaction hash must be a hex-encoded, lowercase SHA-256 hash",
		));
	}
	Ok(hash)
}

async fn get_transaction(
	State(state): State<AppState>,
	headers: HeaderMap,
	path: Result<Path<String>, PathRejection>,
) -> Response {
	let hash = match parse_hash_path(path) {
		Ok(hash) => hash,
		Err(response) => return response,
	};
	transaction_response(&state, &base_url(&headers), &hash)
}

fn transaction_response(state: &AppState, base: &str, hash: &str) -> Response {
	let simulator = state.simulator();
	match simulator.ledger().transaction(hash) {
		Some(record) => hal(StatusCode::OK, transaction_json(base, record)),
		None => not_found(),
	}
}

async fn get_transaction_operations(
	State(state): State<AppState>,
	headers: HeaderMap,
	path: Result<Path<String>, PathRejection>,
	query: Result<Query<PageParams>, QueryRejection>,
) -> Response {
	let hash = match parse_hash_path(path) {
		Ok(hash) => hash,
		Err(response) => return response,
	};
	let params = match query {
		Ok(Query(params)) => params,
		Err(rejection) => return bad_request("query", rejection.body_text()),
	};
	transaction_operations_response(&state, &base_url(&headers), &hash, &params)
}

fn transaction_operations_response(
	state: &AppState,
	base: &str,
	hash: &str,
	params: &PageParams,
) -> Response {
	let simulator = state.simulator();
	let ledger = simulator.ledger();
	let page = match parse_page(params, ledger.latest_ledger()) {
		Ok(page) => page,
		Err(response) => return response,
	};
	match ledger.transaction_operations(hash, &page.query) {
		Ok(operations) => hal(StatusCode::OK, operations_page(base, hash, &page, &operations)),
		Err(OperationsError::UnknownTransaction) => not_found(),
		Err(OperationsError::UnreadableEnvelope(error)) => server_error(error.to_string()),
	}
}

#[derive(Clone, Debug, Default, Deserialize)]
struct SubmitForm {
	tx: Option<String>,
}

async fn post_transaction(
	State(state): State<AppState>,
	headers: HeaderMap,
	form: Result<Form<SubmitForm>, FormRejection>,
) -> Response {
	let form = match form {
		Ok(Form(form)) => form,
		Err(rejection) => return body_rejection(rejection.status(), rejection.body_text()),
	};
	let Some(envelope) = form.tx.filter(|envelope| !envelope.trim().is_empty()) else {
		return bad_request("tx", "tx: The transaction envelope is required (form field `tx`)");
	};
	submit(&state, &base_url(&headers), &envelope)
}

fn submit(state: &AppState, base: &str, envelope: &str) -> Response {
	// The faults stay locked during the submission so that each counted fault is used once.
	let mut faults = state.faults();
	if faults.fail_next_submissions > 0 {
		faults.fail_next_submissions -= 1;
		return injected_failure(faults.fail_status);
	}
	let submission = match state.simulator().submit(envelope) {
		Ok(submission) => submission,
		Err(error) => {
			return server_error(format!(
				"The transaction was applied but the simulator's state could not be saved: {error}"
			))
		},
	};
	let newly_included = matches!(submission, Submission::Included { newly_included: true, .. });
	if newly_included && faults.apply_then_timeout_next > 0 {
		faults.apply_then_timeout_next -= 1;
		return timeout();
	}
	drop(faults);
	submission_response(base, envelope, submission)
}

#[derive(Clone, Debug, Default, Deserialize)]
struct FriendbotParams {
	addr: Option<String>,
}

async fn friendbot(
	State(state): State<AppState>,
	query: Result<Query<FriendbotParams>, QueryRejection>,
) -> Response {
	let address = match query {
		Ok(Query(FriendbotParams { addr: Some(address) })) => address,
		Ok(_) => return bad_request("addr", "addr: The account to fund is required"),
		Err(rejection) => return bad_request("addr", rejection.body_text()),
	};
	let Ok(key) = AccountKey::from_strkey(&address) else {
		return bad_request("addr", "addr: Must be a G... account id");
	};
	fund(&state, &key, FRIENDBOT_STARTING_BALANCE_STROOPS, true)
}

/// Creates a funded account. The friendbot answers like the test network's (a transaction-like
/// `hash` and `successful`), but records no transaction: its `hash` is a simulator-made id
/// that `GET /transactions/{hash}` does not know.
fn fund(state: &AppState, key: &AccountKey, native_balance: i64, friendbot: bool) -> Response {
	let account = match state.simulator().fund_account(*key, native_balance) {
		Ok(account) => account,
		Err(FundAccountError::Refused(FundError::AlreadyExists)) if friendbot => {
			return problem(
				StatusCode::BAD_REQUEST,
				"transaction_failed",
				"Transaction Failed",
				"The friendbot could not fund the account: it already exists \
				 (createAccountAlreadyExist).",
				Some(json!({
					"result_codes": {
						"transaction": "tx_failed",
						"operations": ["op_already_exists"],
					},
				})),
			)
		},
		Err(FundAccountError::Refused(FundError::StoreFull)) => {
			return service_unavailable("The simulator's account store is full.")
		},
		Err(FundAccountError::Refused(refusal)) => {
			return bad_request("account", refusal.to_string())
		},
		Err(FundAccountError::Persist(error)) => {
			return server_error(format!("The account was created but not saved: {error}"))
		},
	};
	let id = key.to_strkey();
	if friendbot {
		let mut hasher = Sha256::new();
		hasher.update(b"stellar-sim friendbot");
		hasher.update(key.0);
		hasher.update(account.sequence_ledger.to_be_bytes());
		let pseudo_hash = hex::encode(hasher.finalize());
		return hal(
			StatusCode::OK,
			json!({
				"hash": pseudo_hash,
				"successful": true,
				"ledger": account.sequence_ledger,
				"account": id,
				"stellar_sim": "the friendbot creates accounts directly, recording no transaction",
			}),
		);
	}
	hal(
		StatusCode::OK,
		json!({
			"account": id,
			"sequence": account.sequence.to_string(),
			"ledger": account.sequence_ledger,
			"native": account.native_balance.to_string(),
			"balance": format_amount(account.native_balance),
		}),
	)
}

async fn unknown_route() -> Response {
	not_found()
}

/// The simulator's own endpoints, which faults never touch.
fn is_simulator_path(path: &str) -> bool {
	path.starts_with("/sim/")
}

/// The delay fault, for every Horizon route (the `/sim/` routes answer at once, so a test can
/// always clear it).
async fn delay_responses(State(state): State<AppState>, request: Request, next: Next) -> Response {
	let delay_ms = response_delay_ms(&state, request.uri().path());
	if delay_ms > 0 {
		tokio::time::sleep(Duration::from_millis(delay_ms)).await;
	}
	next.run(request).await
}

fn response_delay_ms(state: &AppState, path: &str) -> u64 {
	if is_simulator_path(path) {
		0
	} else {
		state.faults().delay_ms.min(MAX_DELAY_MS)
	}
}

/// The `close_connections_next` fault, for every Horizon route: the request is not handled
/// and its connection is closed without an answer. hyper cannot do that from a handler, so
/// the connection's [`ClosableConnection`] (which only [`crate::server::serve`] provides) is
/// switched off: the response returned here is never sent.
async fn close_connections(
	State(state): State<AppState>,
	request: Request,
	next: Next,
) -> Response {
	if is_simulator_path(request.uri().path()) || !take_close_connection_fault(&state) {
		return next.run(request).await;
	}
	match request.extensions().get::<ConnectInfo<ClosableConnection>>() {
		Some(ConnectInfo(connection)) => {
			connection.close();
			// Never sent: the connection now fails every write, and hyper drops it.
			StatusCode::SERVICE_UNAVAILABLE.into_response()
		},
		None => server_error(
			"The close_connections_next fault needs a server started with stellar_sim::serve, \
			 which can close connections; this one can only answer.",
		),
	}
}

/// Uses one count of the `close_connections_next` fault, if any is left.
fn take_close_connection_fault(state: &AppState) -> bool {
	let mut faults = state.faults();
	if faults.close_connections_next == 0 {
		return false;
	}
	faults.close_connections_next -= 1;
	true
}

// ----- Simulator endpoints (not Horizon) -----

async fn get_clock(State(state): State<AppState>) -> Response {
	clock_json(&state)
}

fn clock_json(state: &AppState) -> Response {
	let simulator = state.simulator();
	hal(
		StatusCode::OK,
		json!({
			"now": simulator.now(),
			"real": real_unix_time(),
			"offset_seconds": simulator.clock_offset_seconds(),
		}),
	)
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockRequest {
	advance_seconds: u64,
}

async fn post_clock(
	State(state): State<AppState>,
	body: Result<Json<ClockRequest>, JsonRejection>,
) -> Response {
	let request = match body {
		Ok(Json(request)) => request,
		Err(rejection) => return body_rejection(rejection.status(), rejection.body_text()),
	};
	advance_clock(&state, request.advance_seconds)
}

fn advance_clock(state: &AppState, seconds: u64) -> Response {
	let result = state.simulator().advance_clock(seconds);
	match result {
		Ok(_) => clock_json(state),
		Err(ClockError::TooFar) => bad_request("advance_seconds", ClockError::TooFar.to_string()),
		Err(ClockError::Persist(error)) => server_error(error.to_string()),
	}
}

async fn get_faults(State(state): State<AppState>) -> Response {
	let faults = state.faults().clone();
	hal(StatusCode::OK, json!(faults))
}

async fn post_faults(
	State(state): State<AppState>,
	body: Result<Json<FaultsRequest>, JsonRejection>,
) -> Response {
	let request = match body {
		Ok(Json(request)) => request,
		Err(rejection) => return body_rejection(rejection.status(), rejection.body_text()),
	};
	set_faults(&state, &request)
}

fn set_faults(state: &AppState, request: &FaultsRequest) -> Response {
	if let Some(status) = request.status {
		if !(400..=599).contains(&status) {
			return bad_request("status", "status: Must be an HTTP error status (400 to 599)");
		}
	}
	if request.delay_ms.is_some_and(|delay| delay > MAX_DELAY_MS) {
		return bad_request("delay_ms", format!("delay_ms: At most {MAX_DELAY_MS}"));
	}
	let mut faults = state.faults();
	if request.clear {
		*faults = Faults::default();
	}
	if let Some(count) = request.fail_next_submissions {
		faults.fail_next_submissions = count;
	}
	if let Some(status) = request.status {
		faults.fail_status = status;
	}
	if let Some(count) = request.apply_then_timeout_next {
		faults.apply_then_timeout_next = count;
	}
	if let Some(delay) = request.delay_ms {
		faults.delay_ms = delay;
	}
	if let Some(count) = request.close_connections_next {
		faults.close_connections_next = count;
	}
	let current = faults.clone();
	drop(faults);
	hal(StatusCode::OK, json!(current))
}

async fn get_state(State(state): State<AppState>) -> Response {
	whole_state(&state)
}

fn whole_state(state: &AppState) -> Response {
	let simulator = state.simulator();
	let ledger = match serde_json::to_value(simulator.ledger().state()) {
		Ok(ledger) => ledger,
		Err(error) => return server_error(format!("The state could not be serialized: {error}")),
	};
	hal(
		StatusCode::OK,
		json!({
			"now": simulator.now(),
			"clock_offset_seconds": simulator.clock_offset_seconds(),
			"state_file": simulator.state_file().map(|path| path.display().to_string()),
			"ledger": ledger,
		}),
	)
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SimAccountRequest {
	account: String,
	/// Stroops.
	native: i64,
}

async fn post_sim_account(
	State(state): State<AppState>,
	body: Result<Json<SimAccountRequest>, JsonRejection>,
) -> Response {
	let request = match body {
		Ok(Json(request)) => request,
		Err(rejection) => return body_rejection(rejection.status(), rejection.body_text()),
	};
	let Ok(key) = AccountKey::from_strkey(&request.account) else {
		return bad_request("account", "account: Must be a G... account id");
	};
	fund(&state, &key, request.native, false)
}

async fn post_sim_transaction(
	State(state): State<AppState>,
	headers: HeaderMap,
	body: Result<Json<UnsignedTransactionRequest>, JsonRejection>,
) -> Response {
	let request = match body {
		Ok(Json(request)) => request,
		Err(rejection) => return body_rejection(rejection.status(), rejection.body_text()),
	};
	let transaction = match UnsignedTransaction::from_request(&request) {
		Ok(transaction) => transaction,
		Err(error) => return bad_request(&error.field, error.reason),
	};
	apply_unsigned(&state, &base_url(&headers), &transaction)
}

/// Builds the envelope with the source's next sequence number and applies it without
/// signature checks, under one lock so that no submission takes that number in between.
/// Answered like `POST /transactions`; the submission faults do not apply (`/sim/`).
fn apply_unsigned(state: &AppState, base: &str, transaction: &UnsignedTransaction) -> Response {
	let mut simulator = state.simulator();
	// An unknown source: any number does, the ledger answers tx_no_source_account.
	let sequence = simulator
		.ledger()
		.account(&transaction.source)
		.map_or(1, |account| account.sequence.saturating_add(1));
	let envelope = match transaction.envelope_base64(sequence) {
		Ok(envelope) => envelope,
		Err(error) => {
			return server_error(format!("The transaction could not be encoded: {error}"))
		},
	};
	let submission = match simulator.apply_unsigned(&envelope) {
		Ok(submission) => submission,
		Err(error) => {
			return server_error(format!(
				"The transaction was applied but the simulator's state could not be saved: {error}"
			))
		},
	};
	drop(simulator);
	submission_response(base, &envelope, submission)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::ledger::test_support::*;
	use crate::ledger::{
		envelope_hash_hex, Ledger, STANDALONE_NETWORK_PASSPHRASE, STROOPS_PER_XLM,
	};
	use base64::Engine as _;
	use std::io::{Read as _, Write as _};
	use std::net::SocketAddr;
	use stellar_xdr::{Hash as XdrHash, Memo, StringM};

	const XLM: i64 = STROOPS_PER_XLM;
	const BASE: &str = "http://sim.test";

	#[test]
	fn amounts_have_seven_decimals() {
		assert_eq!(format_amount(0), "0.0000000");
		assert_eq!(format_amount(1), "0.0000001");
		assert_eq!(format_amount(123_456_789), "12.3456789");
		assert_eq!(format_amount(100_000_000_000), "10000.0000000");
		assert_eq!(format_amount(i64::MAX), "922337203685.4775807");
		assert_eq!(format_amount(-5), "-0.0000005");
	}

	#[test]
	fn times_are_rfc3339_utc() {
		assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
		assert_eq!(rfc3339_utc(1_700_000_000), "2023-11-14T22:13:20Z");
		assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
		assert_eq!(rfc3339_utc(1_795_341_600), "2026-11-22T10:00:00Z");
		// No panic at the far end.
		assert!(rfc3339_utc(u64::MAX).ends_with('Z'));
	}

	/// A ledger with alice (funded) and bob (with a TFT trustline and 12.3456789 TFT).
	fn world() -> (Ledger, TestKey, TestKey, TestKey) {
		let mut ledger = Ledger::new(STANDALONE_NETWORK_PASSPHRASE, NOW);
		let (alice, bob, issuer) = (key(1), key(2), key(20));
		for account in [&alice, &bob, &issuer] {
			ledger.fund_account(account.account, 1_000 * XLM, NOW).expect("funded");
		}
		let bob_sequence = ledger.account(&bob.account).expect("bob").sequence;
		let trust = envelope(
			ledger.network_id(),
			TxSpec::new(&bob.account, bob_sequence + 1),
			vec![change_trust("TFT", &issuer.account, 1_000 * XLM)],
			&[&bob.signing],
		);
		expect_included(ledger.submit(&trust, NOW));
		let issuer_sequence = ledger.account(&issuer.account).expect("issuer").sequence;
		let mint = envelope(
			ledger.network_id(),
			TxSpec::new(&issuer.account, issuer_sequence + 1),
			vec![payment(None, &bob.account, credit("TFT", &issuer.account), 123_456_789)],
			&[&issuer.signing],
		);
		expect_included(ledger.submit(&mint, NOW));
		(ledger, alice, bob, issuer)
	}

	fn pay_with_memo(
		ledger: &mut Ledger,
		from: &TestKey,
		to: &TestKey,
		memo: Memo,
	) -> TransactionRecord {
		let sequence = ledger.account(&from.account).expect("payer").sequence;
		let tx = envelope(
			ledger.network_id(),
			TxSpec { memo, ..TxSpec::new(&from.account, sequence + 1) },
			vec![payment(None, &to.account, stellar_xdr::Asset::Native, XLM)],
			&[&from.signing],
		);
		expect_included(ledger.submit(&tx, NOW))
	}

	#[test]
	fn the_account_resource_has_horizons_shapes() {
		let (ledger, _alice, bob, issuer) = world();
		let account = ledger.account(&bob.account).expect("bob");
		let json = account_json(BASE, &bob.account, account);
		let id = bob.account.to_strkey();
		assert_eq!(json["id"], json!(id));
		assert_eq!(json["account_id"], json!(id));
		assert_eq!(json["paging_token"], json!(id));
		assert_eq!(json["sequence"], json!(account.sequence.to_string()));
		assert!(json["sequence"].is_string());
		assert_eq!(json["subentry_count"], json!(1));
		assert_eq!(
			json["thresholds"],
			json!({ "low_threshold": 0, "med_threshold": 0, "high_threshold": 0 })
		);
		assert_eq!(json["flags"]["auth_required"], json!(false));
		let balances = json["balances"].as_array().expect("balances");
		assert_eq!(balances.len(), 2);
		assert_eq!(balances[0]["asset_type"], json!("credit_alphanum4"));
		assert_eq!(balances[0]["asset_code"], json!("TFT"));
		assert_eq!(balances[0]["asset_issuer"], json!(issuer.account.to_strkey()));
		assert_eq!(balances[0]["balance"], json!("12.3456789"));
		assert_eq!(balances[0]["limit"], json!("1000.0000000"));
		assert_eq!(balances[0]["buying_liabilities"], json!("0.0000000"));
		assert_eq!(balances[1]["asset_type"], json!("native"));
		assert_eq!(balances[1]["balance"], json!("999.9999900"));
		assert!(balances[1].get("asset_code").is_none());
		assert_eq!(
			json["signers"],
			json!([{ "weight": 1, "key": id, "type": "ed25519_public_key" }])
		);
		assert_eq!(json["data"], json!({}));
		assert_eq!(json["num_sponsoring"], json!(0));
		assert_eq!(json["_links"]["self"]["href"], json!(format!("{BASE}/accounts/{id}")));
	}

	#[test]
	fn the_transaction_resource_has_horizons_shapes_for_every_memo() {
		let (mut ledger, alice, bob, _issuer) = world();
		let none = pay_with_memo(&mut ledger, &alice, &bob, Memo::None);
		let json = transaction_json(BASE, &none);
		assert_eq!(json["memo_type"], json!("none"));
		assert!(json.get("memo").is_none(), "no memo field for memo none");
		assert!(json.get("memo_bytes").is_none());
		assert_eq!(json["id"], json!(none.hash));
		assert_eq!(json["hash"], json!(none.hash));
		assert_eq!(json["paging_token"], json!(toid(none.ledger, 1).to_string()));
		assert_eq!(json["successful"], json!(true));
		assert_eq!(json["ledger"], json!(none.ledger));
		assert_eq!(json["created_at"], json!(rfc3339_utc(NOW)));
		assert_eq!(json["source_account"], json!(alice.account.to_strkey()));
		assert_eq!(json["fee_account"], json!(alice.account.to_strkey()));
		assert_eq!(
			json["source_account_sequence"],
			json!(none.source_account_sequence.to_string())
		);
		assert_eq!(json["fee_charged"], json!("100"));
		assert_eq!(json["max_fee"], json!("100"));
		assert_eq!(json["operation_count"], json!(1));
		assert_eq!(json["envelope_xdr"], json!(none.envelope_xdr));
		assert_eq!(json["result_xdr"], json!("AAAAAAAAAGQAAAAAAAAAAQAAAAAAAAABAAAAAAAAAAA="));
		assert_eq!(json["signatures"].as_array().map(Vec::len), Some(1));
		assert_eq!(json["preconditions"], json!({ "timebounds": { "min_time": "0" } }));

		let text = pay_with_memo(
			&mut ledger,
			&alice,
			&bob,
			Memo::Text(StringM::try_from("burn_62").expect("short")),
		);
		let json = transaction_json(BASE, &text);
		assert_eq!(json["memo_type"], json!("text"));
		assert_eq!(json["memo"], json!("burn_62"));
		assert_eq!(json["memo_bytes"], json!("YnVybl82Mg=="));

		let id = pay_with_memo(&mut ledger, &alice, &bob, Memo::Id(18_446_744_073_709_551_615));
		let json = transaction_json(BASE, &id);
		assert_eq!(json["memo_type"], json!("id"));
		assert_eq!(json["memo"], json!("18446744073709551615"));

		let mut bytes = [0u8; 32];
		bytes[31] = 0xff;
		let hash = pay_with_memo(&mut ledger, &alice, &bob, Memo::Hash(XdrHash(bytes)));
		let json = transaction_json(BASE, &hash);
		assert_eq!(json["memo_type"], json!("hash"));
		assert_eq!(json["memo"], json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAP8="));
		assert!(json.get("memo_bytes").is_none());

		let returned = pay_with_memo(&mut ledger, &alice, &bob, Memo::Return(XdrHash(bytes)));
		assert_eq!(transaction_json(BASE, &returned)["memo_type"], json!("return"));

		// Time bounds with a maximum, and a page's links.
		let sequence = ledger.account(&alice.account).expect("alice").sequence;
		let bounded = envelope(
			ledger.network_id(),
			TxSpec {
				time_bounds: Some((5, NOW + 100)),
				..TxSpec::new(&alice.account, sequence + 1)
			},
			vec![payment(None, &bob.account, stellar_xdr::Asset::Native, XLM)],
			&[&alice.signing],
		);
		let bounded = expect_included(ledger.submit(&bounded, NOW));
		let json = transaction_json(BASE, &bounded);
		assert_eq!(
			json["preconditions"],
			json!({ "timebounds": { "min_time": "5", "max_time": (NOW + 100).to_string() } })
		);
		let params = PageParams { limit: Some("2".to_owned()), ..PageParams::default() };
		let page = parse_page(&params, ledger.latest_ledger()).expect("valid");
		let records = ledger.account_transactions(&bob.account, &page.query);
		let json = transactions_page(BASE, &bob.account, &page, &records);
		let records_json = json["_embedded"]["records"].as_array().expect("records");
		assert_eq!(records_json.len(), 2);
		let last_token = records[1].paging_token();
		let path = format!("{BASE}/accounts/{}/transactions", bob.account.to_strkey());
		assert_eq!(
			json["_links"]["next"]["href"],
			json!(format!("{path}?cursor={last_token}&limit=2&order=asc"))
		);
		assert_eq!(
			json["_links"]["prev"]["href"],
			json!(format!("{path}?cursor={}&limit=2&order=desc", records[0].paging_token()))
		);
	}

	#[test]
	fn page_parameters_are_checked_like_horizon() {
		let parse = |cursor: &str, order: &str, limit: &str, failed: &str| {
			let params = PageParams {
				cursor: Some(cursor.to_owned()),
				order: Some(order.to_owned()),
				limit: Some(limit.to_owned()),
				include_failed: Some(failed.to_owned()),
			};
			parse_page(&params, 7).map(|page| page.query).ok()
		};
		assert_eq!(
			parse("", "", "", ""),
			Some(PageQuery { cursor: None, descending: false, limit: 10, include_failed: false })
		);
		assert_eq!(
			parse("now", "asc", "200", "true").and_then(|query| query.cursor),
			Some((8u64 << 32) - 1)
		);
		assert!(parse("12", "desc", "1", "false").is_some_and(|query| query.descending));
		assert!(parse("", "", "201", "").is_none());
		assert!(parse("", "", "0", "").is_none());
		assert!(parse("-1", "", "", "").is_none());
		assert!(parse("abc", "", "", "").is_none());
		assert!(parse("", "up", "", "").is_none());
		assert!(parse("", "", "", "yes").is_none());
	}

	/// Form-encodes a value (base64's `+`, `/` and `=` must be escaped).
	fn form_encode(value: &str) -> String {
		value
			.bytes()
			.map(|byte| match byte {
				b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
					(byte as char).to_string()
				},
				other => format!("%{other:02X}"),
			})
			.collect()
	}

	/// One HTTP/1.1 exchange over a plain socket; returns the status and the JSON body.
	async fn http(
		address: SocketAddr,
		method: &str,
		path: &str,
		body: Option<(&str, String)>,
	) -> (u16, Value) {
		let request = match body {
			Some((content_type, body)) => format!(
				"{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {content_type}\r\n\
				 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
				body.len()
			),
			None => {
				format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")
			},
		};
		tokio::task::spawn_blocking(move || {
			let mut stream = std::net::TcpStream::connect(address).expect("connects");
			stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout set");
			// A server refusing a large body may close before reading all of it: what it
			// answered before closing is what counts.
			let _ = stream.write_all(request.as_bytes());
			let mut response = Vec::new();
			let _ = stream.read_to_end(&mut response);
			let text = String::from_utf8(response).expect("utf-8");
			let (head, body) = text.split_once("\r\n\r\n").expect("a header and a body");
			let status: u16 =
				head.split(' ').nth(1).and_then(|code| code.parse().ok()).expect("status");
			let body: Value = if body.is_empty() {
				Value::Null
			} else {
				serde_json::from_str(body).expect("json")
			};
			(status, body)
		})
		.await
		.expect("joined")
	}

	async fn post_form(address: SocketAddr, envelope: &str) -> (u16, Value) {
		let body = format!("tx={}", form_encode(envelope));
		http(address, "POST", "/transactions", Some(("application/x-www-form-urlencoded", body)))
			.await
	}

	async fn post_json(address: SocketAddr, path: &str, body: Value) -> (u16, Value) {
		http(address, "POST", path, Some(("application/json", body.to_string()))).await
	}

	/// The API on an OS-chosen port, served as the binary serves it.
	async fn start_server(
		state: &AppState,
	) -> (SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>) {
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bound");
		let address = listener.local_addr().expect("address");
		let serving = crate::server::serve(listener, state.clone(), std::future::pending());
		(address, tokio::spawn(serving))
	}

	fn get_request(address: SocketAddr, path: &str) -> String {
		format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n")
	}

	fn submission_request(address: SocketAddr, envelope: &str) -> String {
		let body = format!("tx={}", form_encode(envelope));
		format!(
			"POST /transactions HTTP/1.1\r\nHost: {address}\r\n\
			 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
			body.len()
		)
	}

	/// A connection that stays open across requests (HTTP/1.1 keep-alive).
	async fn connect(address: SocketAddr) -> std::net::TcpStream {
		tokio::task::spawn_blocking(move || {
			let stream = std::net::TcpStream::connect(address).expect("connects");
			stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout set");
			stream
		})
		.await
		.expect("joined")
	}

	/// Sends `request` on `stream` and reads one answer: `Some(status)` once its head and body
	/// are read, `None` when the server closed the connection without sending a byte.
	async fn exchange_on(
		mut stream: std::net::TcpStream,
		request: String,
	) -> (std::net::TcpStream, Option<u16>) {
		tokio::task::spawn_blocking(move || {
			let answer = read_answer(&mut stream, &request);
			(stream, answer)
		})
		.await
		.expect("joined")
	}

	fn read_answer(stream: &mut std::net::TcpStream, request: &str) -> Option<u16> {
		// A connection the server already closed may refuse the request itself.
		if stream.write_all(request.as_bytes()).is_err() {
			return None;
		}
		let mut head = Vec::new();
		let mut byte = [0u8; 1];
		while !head.ends_with(b"\r\n\r\n") {
			match stream.read(&mut byte) {
				Ok(0) => {
					assert!(head.is_empty(), "closed in the middle of an answer");
					return None;
				},
				Ok(_) => head.push(byte[0]),
				Err(error)
					if head.is_empty()
						&& matches!(
							error.kind(),
							std::io::ErrorKind::ConnectionReset
								| std::io::ErrorKind::ConnectionAborted
						) =>
				{
					return None
				},
				// A read timeout: neither an answer nor a closed connection.
				Err(error) => panic!("no answer and no close: {error}"),
			}
		}
		let head = String::from_utf8(head).expect("utf-8");
		let status = head.split(' ').nth(1).and_then(|code| code.parse().ok()).expect("status");
		let length: usize = head
			.lines()
			.find_map(|line| {
				let (name, value) = line.split_once(':')?;
				name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok())?
			})
			.expect("content-length");
		let mut body = vec![0u8; length];
		stream.read_exact(&mut body).expect("body");
		Some(status)
	}

	/// An operation without the fields every operation has, to compare its type's fields.
	fn type_fields(operation: &Value) -> Value {
		let mut fields = operation.as_object().expect("an object").clone();
		for common in [
			"_links",
			"id",
			"paging_token",
			"transaction_successful",
			"created_at",
			"transaction_hash",
		] {
			assert!(fields.remove(common).is_some(), "{common} in {operation}");
		}
		Value::Object(fields)
	}

	#[test]
	fn operations_have_horizons_shapes() {
		let (mut ledger, alice, bob, issuer) = world();
		let (carol, signer) = (key(3), key(11));
		let sequence = ledger.account(&alice.account).expect("alice").sequence;
		let tx = envelope(
			ledger.network_id(),
			TxSpec::new(&alice.account, sequence + 1),
			vec![
				change_trust("TFT", &issuer.account, 500 * XLM),
				create_account(&carol.account, 2 * XLM),
				payment(
					Some(&bob.account),
					&alice.account,
					credit("TFT", &issuer.account),
					23_456_789,
				),
				payment(None, &bob.account, stellar_xdr::Asset::Native, 5),
				set_options(stellar_xdr::SetOptionsOp {
					master_weight: Some(2),
					low_threshold: Some(1),
					..add_signer(&signer.account, 1)
				}),
			],
			&[&alice.signing, &bob.signing],
		);
		let record = expect_included(ledger.submit(&tx, NOW));
		assert!(record.successful, "{record:?}");
		let everything =
			PageQuery { cursor: None, descending: false, limit: 200, include_failed: false };
		let operations = ledger.transaction_operations(&record.hash, &everything).expect("listed");
		let json: Vec<Value> =
			operations.iter().map(|operation| operation_json(BASE, operation)).collect();
		assert_eq!(json.len(), 5);
		let token = record.paging_token();
		for (index, operation) in json.iter().enumerate() {
			let id = (token + index as u64 + 1).to_string();
			assert_eq!(operation["id"], json!(id));
			assert_eq!(operation["paging_token"], json!(id));
			assert_eq!(operation["transaction_successful"], json!(true));
			assert_eq!(operation["transaction_hash"], json!(record.hash));
			assert_eq!(operation["created_at"], json!(rfc3339_utc(NOW)));
			assert_eq!(
				operation["_links"]["self"]["href"],
				json!(format!("{BASE}/operations/{id}"))
			);
			assert_eq!(
				operation["_links"]["transaction"]["href"],
				json!(format!("{BASE}/transactions/{}", record.hash))
			);
		}
		let (alice_id, bob_id, issuer_id) =
			(alice.account.to_strkey(), bob.account.to_strkey(), issuer.account.to_strkey());
		assert_eq!(
			type_fields(&json[0]),
			json!({
				"type": "change_trust",
				"type_i": 6,
				"source_account": alice_id,
				"asset_type": "credit_alphanum4",
				"asset_code": "TFT",
				"asset_issuer": issuer_id,
				"limit": "500.0000000",
				"trustee": issuer_id,
				"trustor": alice_id,
			})
		);
		assert_eq!(
			type_fields(&json[1]),
			json!({
				"type": "create_account",
				"type_i": 0,
				"source_account": alice_id,
				"starting_balance": "2.0000000",
				"funder": alice_id,
				"account": carol.account.to_strkey(),
			})
		);
		assert_eq!(
			type_fields(&json[2]),
			json!({
				"type": "payment",
				"type_i": 1,
				"source_account": bob_id,
				"asset_type": "credit_alphanum4",
				"asset_code": "TFT",
				"asset_issuer": issuer_id,
				"from": bob_id,
				"to": alice_id,
				"amount": "2.3456789",
			})
		);
		assert_eq!(
			type_fields(&json[3]),
			json!({
				"type": "payment",
				"type_i": 1,
				"source_account": alice_id,
				"asset_type": "native",
				"from": alice_id,
				"to": bob_id,
				"amount": "0.0000005",
			})
		);
		assert_eq!(
			type_fields(&json[4]),
			json!({
				"type": "set_options",
				"type_i": 5,
				"source_account": alice_id,
				"master_key_weight": 2,
				"low_threshold": 1,
				"signer_key": signer.account.to_strkey(),
				"signer_weight": 1,
			})
		);

		// A page's links continue from its last operation and go back from its first.
		let params = PageParams { limit: Some("2".to_owned()), ..PageParams::default() };
		let page = parse_page(&params, ledger.latest_ledger()).expect("valid");
		let first_two = ledger.transaction_operations(&record.hash, &page.query).expect("listed");
		let json = operations_page(BASE, &record.hash, &page, &first_two);
		assert_eq!(json["_embedded"]["records"].as_array().map(Vec::len), Some(2));
		let path = format!("{BASE}/transactions/{}/operations", record.hash);
		assert_eq!(
			json["_links"]["next"]["href"],
			json!(format!("{path}?cursor={}&limit=2&order=asc", token + 2))
		);
		assert_eq!(
			json["_links"]["prev"]["href"],
			json!(format!("{path}?cursor={}&limit=2&order=desc", token + 1))
		);
		assert_eq!(
			json["_links"]["self"]["href"],
			json!(format!("{path}?cursor=&limit=2&order=asc"))
		);
	}

	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn unsigned_transactions_are_applied_and_answered_like_submissions() {
		let state = AppState::new(Simulator::in_memory(STANDALONE_NETWORK_PASSPHRASE));
		let (address, server) = start_server(&state).await;
		let network_id = state.simulator().ledger().network_id();
		let (vault, user, issuer, relay) = (key(10), key(2), key(20), key(30));
		let (vault_id, user_id, issuer_id, relay_id) = (
			vault.account.to_strkey(),
			user.account.to_strkey(),
			issuer.account.to_strkey(),
			relay.account.to_strkey(),
		);
		for account in [&vault_id, &user_id, &issuer_id] {
			let (status, body) = post_json(
				address,
				"/sim/accounts",
				json!({ "account": account, "native": 100 * XLM }),
			)
			.await;
			assert_eq!(status, 200, "{body}");
		}
		let sim_transaction = |body: Value| post_json(address, "/sim/transactions", body);
		let tft = json!({ "code": "TFT", "issuer": issuer_id });
		let account_sequence = |account: String| async move {
			let (status, body) = http(address, "GET", &format!("/accounts/{account}"), None).await;
			assert_eq!(status, 200, "{body}");
			body["sequence"].as_str().expect("a string").parse::<i64>().expect("a number")
		};

		// Trustlines and a mint, made as their accounts: no signatures anywhere.
		for holder in [&user_id, &vault_id] {
			let (status, record) = sim_transaction(json!({
				"source": holder,
				"operations": [{ "type": "change_trust", "asset": tft }],
			}))
			.await;
			assert_eq!(status, 200, "{record}");
			assert_eq!(record["signatures"], json!([]));
			assert_eq!(record["fee_charged"], json!("100"));
		}
		let (status, record) = sim_transaction(json!({
			"source": issuer_id,
			"operations": [
				{ "type": "payment", "destination": user_id, "asset": tft, "amount": "500000000" },
			],
		}))
		.await;
		assert_eq!(status, 200, "{record}");

		// A user's deposit with a hash memo and mixed operations.
		let before = account_sequence(user_id.clone()).await;
		let memo_hex = format!("{}01", "ab".repeat(31));
		let (status, deposit) = sim_transaction(json!({
			"source": user_id,
			"memo": { "type": "hash", "value": memo_hex },
			"operations": [
				{ "type": "payment", "destination": vault_id, "asset": tft, "amount": "123456789" },
				{ "type": "payment", "destination": vault_id, "asset": "native", "amount": "1" },
				{
					"type": "set_options",
					"master_weight": 0,
					"low_threshold": 1,
					"med_threshold": 1,
					"high_threshold": 1,
					"signer": { "key": relay_id, "weight": 1 },
				},
			],
		}))
		.await;
		assert_eq!(status, 200, "{deposit}");
		assert_eq!(deposit["successful"], json!(true));
		assert_eq!(deposit["signatures"], json!([]));
		assert_eq!(
			(deposit["fee_charged"].clone(), deposit["max_fee"].clone()),
			(json!("300"), json!("300"))
		);
		assert_eq!(deposit["operation_count"], json!(3));
		assert_eq!(deposit["source_account_sequence"], json!((before + 1).to_string()));
		assert_eq!(deposit["memo_type"], json!("hash"));
		assert_eq!(
			deposit["memo"],
			json!(base64::engine::general_purpose::STANDARD
				.encode(hex::decode(&memo_hex).expect("hex")))
		);
		let hash = deposit["hash"].as_str().expect("hash").to_owned();
		let envelope_xdr = deposit["envelope_xdr"].as_str().expect("envelope");
		assert_eq!(
			envelope_hash_hex(envelope_xdr, STANDALONE_NETWORK_PASSPHRASE)
				.expect("a real envelope"),
			hash
		);
		assert_eq!(account_sequence(user_id.clone()).await, before + 1);
		let (_, user_account) = http(address, "GET", &format!("/accounts/{user_id}"), None).await;
		assert_eq!(user_account["balances"][0]["balance"], json!("37.6543211"));
		assert_eq!(user_account["balances"][1]["balance"], json!("99.9999599"));
		let (_, vault_account) = http(address, "GET", &format!("/accounts/{vault_id}"), None).await;
		assert_eq!(vault_account["balances"][0]["balance"], json!("12.3456789"));
		let (status, history) = http(
			address,
			"GET",
			&format!("/accounts/{vault_id}/transactions?order=desc&limit=1"),
			None,
		)
		.await;
		assert_eq!(status, 200);
		assert_eq!(history["_embedded"]["records"][0]["hash"], json!(hash));

		// Its operations, as Horizon lists them.
		let (status, page) =
			http(address, "GET", &format!("/transactions/{hash}/operations"), None).await;
		assert_eq!(status, 200, "{page}");
		let records = page["_embedded"]["records"].as_array().expect("records");
		let token = state.simulator().ledger().transaction(&hash).expect("stored").paging_token();
		let ids: Vec<Value> = records.iter().map(|record| record["id"].clone()).collect();
		assert_eq!(ids, (1..=3).map(|i| json!((token + i).to_string())).collect::<Vec<_>>());
		let types: Vec<Value> = records.iter().map(|record| record["type"].clone()).collect();
		assert_eq!(types, vec![json!("payment"), json!("payment"), json!("set_options")]);
		assert_eq!(records[0]["from"], json!(user_id));
		assert_eq!(records[0]["to"], json!(vault_id));
		assert_eq!(records[0]["asset_code"], json!("TFT"));
		assert_eq!(records[0]["amount"], json!("12.3456789"));
		assert_eq!(records[1]["asset_type"], json!("native"));
		assert!(records[1].get("asset_code").is_none());
		assert_eq!(records[2]["master_key_weight"], json!(0));
		assert_eq!(records[2]["signer_key"], json!(relay_id));
		for record in records {
			assert_eq!(record["transaction_successful"], json!(true));
			assert_eq!(record["source_account"], json!(user_id));
		}
		let (status, newest) = http(
			address,
			"GET",
			&format!("/transactions/{hash}/operations?order=desc&limit=1"),
			None,
		)
		.await;
		assert_eq!(status, 200);
		assert_eq!(newest["_embedded"]["records"][0]["type"], json!("set_options"));
		let next = newest["_links"]["next"]["href"].as_str().expect("next");
		let next_path = next.strip_prefix(&format!("http://{address}")).expect("absolute link");
		let (status, second) = http(address, "GET", next_path, None).await;
		assert_eq!(status, 200);
		assert_eq!(second["_embedded"]["records"][0]["id"], json!((token + 2).to_string()));

		// The user's master key is off now: Horizon's path still checks signatures...
		let signed = envelope(
			network_id,
			TxSpec::new(&user.account, before + 2),
			vec![payment(None, &vault.account, stellar_xdr::Asset::Native, 1)],
			&[&user.signing],
		);
		let (status, problem) = post_form(address, &signed).await;
		assert_eq!(status, 400);
		assert_eq!(problem["extras"]["result_codes"], json!({ "transaction": "tx_bad_auth" }));
		// ... while the simulator still acts as the user. A failing operation: 400 with the
		// result codes, stored as failed, charged, its operations listed.
		let (status, problem) = sim_transaction(json!({
			"source": user_id,
			"memo": { "type": "id", "value": "42" },
			"operations": [
				{ "type": "payment", "destination": relay_id, "asset": tft, "amount": "1" },
			],
		}))
		.await;
		assert_eq!(status, 400, "{problem}");
		assert_eq!(problem["type"], json!("https://stellar.org/horizon-errors/transaction_failed"));
		assert_eq!(
			problem["extras"]["result_codes"],
			json!({ "transaction": "tx_failed", "operations": ["op_no_destination"] })
		);
		let failed_hash = problem["extras"]["hash"].as_str().expect("hash").to_owned();
		let (status, failed) =
			http(address, "GET", &format!("/transactions/{failed_hash}"), None).await;
		assert_eq!(status, 200);
		assert_eq!(failed["successful"], json!(false));
		assert_eq!(failed["memo"], json!("42"));
		assert_eq!(account_sequence(user_id.clone()).await, before + 2);
		let (status, page) =
			http(address, "GET", &format!("/transactions/{failed_hash}/operations"), None).await;
		assert_eq!(status, 200);
		assert_eq!(page["_embedded"]["records"][0]["transaction_successful"], json!(false));

		// Refused before inclusion, like a submission: nothing consumed.
		let (status, problem) = sim_transaction(json!({
			"source": user_id,
			"operations": [
				{ "type": "payment", "destination": vault_id, "asset": "native", "amount": "0" },
			],
		}))
		.await;
		assert_eq!(status, 400);
		assert_eq!(
			problem["extras"]["result_codes"],
			json!({ "transaction": "tx_failed", "operations": ["op_malformed"] })
		);
		assert_eq!(account_sequence(user_id.clone()).await, before + 2);
		let (status, problem) = sim_transaction(json!({
			"source": key(99).account.to_strkey(),
			"operations": [
				{ "type": "payment", "destination": vault_id, "asset": "native", "amount": "1" },
			],
		}))
		.await;
		assert_eq!(status, 400);
		assert_eq!(
			problem["extras"]["result_codes"],
			json!({ "transaction": "tx_no_source_account" })
		);

		// Requests the simulator cannot build: bad_request naming the field.
		let (status, problem) = sim_transaction(json!({
			"source": user_id,
			"memo": { "type": "text", "value": "a memo longer than twenty-eight bytes" },
			"operations": [],
		}))
		.await;
		assert_eq!(status, 400);
		assert_eq!(problem["extras"]["invalid_field"], json!("memo.value"));
		let (status, problem) = sim_transaction(json!({
			"source": user_id,
			"operations": [{ "type": "account_merge", "destination": vault_id }],
		}))
		.await;
		assert_eq!(status, 400);
		assert_eq!(problem["type"], json!("https://stellar.org/horizon-errors/bad_request"));

		// Submission faults are Horizon's: the simulator's own endpoint is not affected.
		let (status, _) =
			post_json(address, "/sim/faults", json!({ "fail_next_submissions": 1 })).await;
		assert_eq!(status, 200);
		let (status, record) = sim_transaction(json!({
			"source": vault_id,
			"operations": [
				{ "type": "payment", "destination": user_id, "asset": "native", "amount": "1" },
			],
		}))
		.await;
		assert_eq!(status, 200, "{record}");
		let (_, faults) = http(address, "GET", "/sim/faults", None).await;
		assert_eq!(faults["fail_next_submissions"], json!(1));

		// Operations of unknown or malformed hashes.
		let (status, problem) =
			http(address, "GET", &format!("/transactions/{}/operations", "0".repeat(64)), None)
				.await;
		assert_eq!(status, 404);
		assert_eq!(problem["type"], json!("https://stellar.org/horizon-errors/not_found"));
		let (status, _) = http(address, "GET", "/transactions/xyz/operations", None).await;
		assert_eq!(status, 400);

		server.abort();
	}

	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn close_connections_next_closes_connections_without_an_answer() {
		let state = AppState::new(Simulator::in_memory(STANDALONE_NETWORK_PASSPHRASE));
		let (address, server) = start_server(&state).await;
		let network_id = state.simulator().ledger().network_id();
		let (alice, bob) = (key(1), key(2));
		for account in [&alice, &bob] {
			let (status, body) = post_json(
				address,
				"/sim/accounts",
				json!({ "account": account.account.to_strkey(), "native": 100 * XLM }),
			)
			.await;
			assert_eq!(status, 200, "{body}");
		}
		// A kept-alive connection, answered once.
		let kept = connect(address).await;
		let (kept, answer) = exchange_on(kept, get_request(address, "/")).await;
		assert_eq!(answer, Some(200));

		let (status, faults) =
			post_json(address, "/sim/faults", json!({ "close_connections_next": 2 })).await;
		assert_eq!(status, 200);
		assert_eq!(faults["close_connections_next"], json!(2));
		// The simulator's endpoints answer and do not count.
		let (status, faults) = http(address, "GET", "/sim/faults", None).await;
		assert_eq!((status, faults["close_connections_next"].clone()), (200, json!(2)));

		// The kept-alive connection's next request: closed, not a byte of answer.
		let (_, answer) = exchange_on(kept, get_request(address, "/")).await;
		assert_eq!(answer, None);
		// A submission on a new connection: closed, and not applied.
		let sequence = state.simulator().ledger().account(&alice.account).expect("alice").sequence;
		let pay = envelope(
			network_id,
			TxSpec::new(&alice.account, sequence + 1),
			vec![payment(None, &bob.account, stellar_xdr::Asset::Native, XLM)],
			&[&alice.signing],
		);
		let hash = envelope_hash_hex(&pay, STANDALONE_NETWORK_PASSPHRASE).expect("hash");
		let (_, answer) =
			exchange_on(connect(address).await, submission_request(address, &pay)).await;
		assert_eq!(answer, None);
		let (_, faults) = http(address, "GET", "/sim/faults", None).await;
		assert_eq!(faults["close_connections_next"], json!(0));
		let (status, _) = http(address, "GET", &format!("/transactions/{hash}"), None).await;
		assert_eq!(status, 404, "the dropped submission was not applied");

		// Everything answers again, on new and kept-alive connections.
		let (status, record) = post_form(address, &pay).await;
		assert_eq!(status, 200, "{record}");
		let kept = connect(address).await;
		let (kept, answer) = exchange_on(kept, get_request(address, "/")).await;
		assert_eq!(answer, Some(200));
		let (_, answer) =
			exchange_on(kept, get_request(address, &format!("/transactions/{hash}"))).await;
		assert_eq!(answer, Some(200));

		// `clear` resets every fault first; the fields given with it apply after.
		let (_, faults) = post_json(
			address,
			"/sim/faults",
			json!({ "close_connections_next": 5, "clear": true }),
		)
		.await;
		assert_eq!(faults["close_connections_next"], json!(5));
		let (_, faults) = post_json(address, "/sim/faults", json!({ "clear": true })).await;
		assert_eq!(faults["close_connections_next"], json!(0));

		server.abort();
	}

	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn the_http_api_answers_like_horizon() {
		let state = AppState::new(Simulator::in_memory(STANDALONE_NETWORK_PASSPHRASE));
		let (address, server) = start_server(&state).await;
		let network_id = state.simulator().ledger().network_id();
		let (alice, bob) = (key(1), key(2));

		let (status, root) = http(address, "GET", "/", None).await;
		assert_eq!(status, 200);
		assert_eq!(root["network_passphrase"], json!(STANDALONE_NETWORK_PASSPHRASE));
		assert_eq!(root["history_latest_ledger"], json!(1));

		let (status, created) = post_json(
			address,
			"/sim/accounts",
			json!({ "account": alice.account.to_strkey(), "native": 100 * XLM }),
		)
		.await;
		assert_eq!(status, 200, "{created}");
		let (status, funded) =
			http(address, "GET", &format!("/friendbot?addr={}", bob.account), None).await;
		assert_eq!(status, 200, "{funded}");
		assert_eq!(funded["successful"], json!(true));
		let (status, again) =
			http(address, "GET", &format!("/friendbot?addr={}", bob.account), None).await;
		assert_eq!(status, 400);
		assert_eq!(again["extras"]["result_codes"]["operations"], json!(["op_already_exists"]));

		let (status, account) =
			http(address, "GET", &format!("/accounts/{}", alice.account), None).await;
		assert_eq!(status, 200);
		assert_eq!(account["balances"][0]["balance"], json!("100.0000000"));
		let sequence: i64 =
			account["sequence"].as_str().expect("a string").parse().expect("number");
		let (status, bob_account) =
			http(address, "GET", &format!("/accounts/{}", bob.account), None).await;
		assert_eq!(status, 200);
		assert_eq!(bob_account["balances"][0]["balance"], json!("10000.0000000"));

		let pay = |sequence: i64, amount: i64| {
			envelope(
				network_id,
				TxSpec::new(&alice.account, sequence),
				vec![payment(None, &bob.account, stellar_xdr::Asset::Native, amount)],
				&[&alice.signing],
			)
		};
		let first = pay(sequence + 1, XLM);
		let (status, record) = post_form(address, &first).await;
		assert_eq!(status, 200, "{record}");
		assert_eq!(record["successful"], json!(true));
		assert_eq!(record["fee_charged"], json!("100"));
		let hash = record["hash"].as_str().expect("hash").to_owned();
		// The same envelope again: the stored record, nothing applied.
		let (status, again) = post_form(address, &first).await;
		assert_eq!(status, 200);
		assert_eq!(again["hash"], json!(hash));
		assert_eq!(again["ledger"], record["ledger"]);
		let (status, looked_up) =
			http(address, "GET", &format!("/transactions/{hash}"), None).await;
		assert_eq!(status, 200);
		assert_eq!(looked_up["envelope_xdr"], record["envelope_xdr"]);

		// A stale sequence: 400 with Horizon's result codes.
		let (status, problem) = post_form(address, &pay(sequence + 1, 2 * XLM)).await;
		assert_eq!(status, 400);
		assert_eq!(problem["type"], json!("https://stellar.org/horizon-errors/transaction_failed"));
		assert_eq!(problem["extras"]["result_codes"], json!({ "transaction": "tx_bad_seq" }));
		assert_eq!(problem["extras"]["result_xdr"], json!("AAAAAAAAAAD////7AAAAAA=="));

		// Apply, then time out: the transaction is in the ledger though the answer was 504.
		let (status, _) =
			post_json(address, "/sim/faults", json!({ "apply_then_timeout_next": 1 })).await;
		assert_eq!(status, 200);
		let second = pay(sequence + 2, XLM);
		let (status, timed_out) = post_form(address, &second).await;
		assert_eq!(status, 504);
		assert_eq!(timed_out["type"], json!("https://stellar.org/horizon-errors/timeout"));
		let second_hash = envelope_hash_hex(&second, STANDALONE_NETWORK_PASSPHRASE).expect("hash");
		let (status, _) = http(address, "GET", &format!("/transactions/{second_hash}"), None).await;
		assert_eq!(status, 200);

		// Fail without applying: the same envelope then applies.
		let (status, faults) =
			post_json(address, "/sim/faults", json!({ "fail_next_submissions": 1, "status": 503 }))
				.await;
		assert_eq!((status, faults["fail_next_submissions"].clone()), (200, json!(1)));
		let third = pay(sequence + 3, XLM);
		let (status, _) = post_form(address, &third).await;
		assert_eq!(status, 503);
		let (status, applied) = post_form(address, &third).await;
		assert_eq!(status, 200, "{applied}");

		// Paging, newest first.
		let (status, page) = http(
			address,
			"GET",
			&format!("/accounts/{}/transactions?order=desc&limit=2", bob.account),
			None,
		)
		.await;
		assert_eq!(status, 200);
		let records = page["_embedded"]["records"].as_array().expect("records");
		assert_eq!(records.len(), 2);
		assert_eq!(records[0]["hash"], applied["hash"]);
		assert_eq!(records[1]["hash"], json!(second_hash));
		let next = page["_links"]["next"]["href"].as_str().expect("next");
		let next_path = next.strip_prefix(&format!("http://{address}")).expect("absolute link");
		let (status, page) = http(address, "GET", next_path, None).await;
		assert_eq!(status, 200);
		let records = page["_embedded"]["records"].as_array().expect("records");
		assert_eq!(records.len(), 1);
		assert_eq!(records[0]["hash"], json!(hash));

		// The clock.
		let (status, clock) =
			post_json(address, "/sim/clock", json!({ "advance_seconds": 3600 })).await;
		assert_eq!(status, 200);
		assert!(clock["offset_seconds"] == json!(3600));

		// Errors.
		let (status, problem) = post_form(address, "bm90IGFuIGVudmVsb3Bl").await;
		assert_eq!(status, 400);
		assert_eq!(
			problem["type"],
			json!("https://stellar.org/horizon-errors/transaction_malformed")
		);
		let (status, problem) = http(address, "GET", "/accounts/GABC", None).await;
		assert_eq!((status, problem["status"].clone()), (400, json!(400)));
		let (status, problem) =
			http(address, "GET", &format!("/accounts/{}", key(99).account), None).await;
		assert_eq!(status, 404);
		assert_eq!(problem["type"], json!("https://stellar.org/horizon-errors/not_found"));
		assert_eq!(problem["title"], json!("Resource Missing"));
		let (status, _) =
			http(address, "GET", &format!("/transactions/{}", "0".repeat(64)), None).await;
		assert_eq!(status, 404);
		let (status, _) = http(address, "GET", "/nowhere", None).await;
		assert_eq!(status, 404);
		let huge = "A".repeat(MAX_REQUEST_BODY_BYTES + 10);
		let (status, _) = post_form(address, &huge).await;
		assert_eq!(status, 413);
		let (status, state_json) = http(address, "GET", "/sim/state", None).await;
		assert_eq!(status, 200);
		assert_eq!(state_json["ledger"]["transactions"].as_array().map(Vec::len), Some(3));

		server.abort();
	}
}
