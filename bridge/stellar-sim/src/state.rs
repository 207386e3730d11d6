//! The simulator's state around the [`Ledger`]: the simulated clock and the state file.
//!
//! The clock is real unix time plus an offset that only moves forward (`POST /sim/clock`), so
//! tests can make time bounds expire. The state file holds the ledger and the clock offset; it
//! is written after every change, atomically (a temporary file in the same directory, synced,
//! then renamed over the old one), so a killed simulator restarts exactly where it was.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::ledger::{
	Account, AccountKey, FundError, Ledger, LedgerState, LedgerStateError, Submission,
};

/// The version of the state file's layout.
pub const STATE_FORMAT: u32 = 1;
/// How far the simulated clock may run ahead of real time: 100 years.
pub const MAX_CLOCK_OFFSET_SECONDS: u64 = 100 * 365 * 24 * 60 * 60;

/// Real unix time in seconds (0 if the system clock is before 1970).
pub fn real_unix_time() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|elapsed| elapsed.as_secs()).unwrap_or(0)
}

/// Why the state could not be read or written.
#[derive(Debug)]
pub enum StateError {
	Io {
		path: PathBuf,
		error: io::Error,
	},
	Json {
		path: PathBuf,
		error: serde_json::Error,
	},
	UnsupportedFormat {
		path: PathBuf,
		format: u32,
	},
	/// The file belongs to another network.
	PassphraseMismatch {
		path: PathBuf,
		in_file: String,
		requested: String,
	},
	InvalidLedger {
		path: PathBuf,
		error: LedgerStateError,
	},
}

impl fmt::Display for StateError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			StateError::Io { path, error } => write!(f, "state file {}: {error}", path.display()),
			StateError::Json { path, error } => {
				write!(f, "state file {}: invalid JSON: {error}", path.display())
			},
			StateError::UnsupportedFormat { path, format } => {
				write!(f, "state file {}: format {format} is not {STATE_FORMAT}", path.display())
			},
			StateError::PassphraseMismatch { path, in_file, requested } => write!(
				f,
				"state file {} is for network {in_file:?}, not {requested:?}",
				path.display()
			),
			StateError::InvalidLedger { path, error } => {
				write!(f, "state file {}: {error}", path.display())
			},
		}
	}
}

impl std::error::Error for StateError {
	fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
		match self {
			StateError::Io { error, .. } => Some(error),
			StateError::Json { error, .. } => Some(error),
			StateError::InvalidLedger { error, .. } => Some(error),
			StateError::UnsupportedFormat { .. } | StateError::PassphraseMismatch { .. } => None,
		}
	}
}

/// Why the clock could not be moved.
#[derive(Debug)]
pub enum ClockError {
	/// The offset would pass [`MAX_CLOCK_OFFSET_SECONDS`].
	TooFar,
	Persist(StateError),
}

impl fmt::Display for ClockError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			ClockError::TooFar => write!(
				f,
				"the clock may run at most {MAX_CLOCK_OFFSET_SECONDS} seconds ahead of real time"
			),
			ClockError::Persist(error) => write!(f, "{error}"),
		}
	}
}

impl std::error::Error for ClockError {}

/// Why an account could not be funded.
#[derive(Debug)]
pub enum FundAccountError {
	Refused(FundError),
	/// The account was created in memory but the state file could not be written.
	Persist(StateError),
}

impl fmt::Display for FundAccountError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			FundAccountError::Refused(error) => write!(f, "{error}"),
			FundAccountError::Persist(error) => write!(f, "{error}"),
		}
	}
}

impl std::error::Error for FundAccountError {}

#[derive(Serialize)]
struct PersistedStateRef<'a> {
	format: u32,
	clock_offset_seconds: u64,
	ledger: &'a LedgerState,
}

#[derive(Deserialize)]
struct PersistedState {
	format: u32,
	clock_offset_seconds: u64,
	ledger: LedgerState,
}

/// The whole simulator: ledger, clock and state file.
#[derive(Debug)]
pub struct Simulator {
	ledger: Ledger,
	clock_offset_seconds: u64,
	state_file: Option<PathBuf>,
}

impl Simulator {
	/// A simulator that keeps nothing on disk.
	pub fn in_memory(network_passphrase: &str) -> Self {
		Simulator {
			ledger: Ledger::new(network_passphrase, real_unix_time()),
			clock_offset_seconds: 0,
			state_file: None,
		}
	}

	/// A simulator persisted in `state_file`: loaded from it if it exists (it must be for the
	/// same network), else created and written there.
	pub fn open(network_passphrase: &str, state_file: &Path) -> Result<Self, StateError> {
		let path = state_file.to_path_buf();
		match fs::read(&path) {
			Ok(bytes) => {
				let persisted: PersistedState = serde_json::from_slice(&bytes)
					.map_err(|error| StateError::Json { path: path.clone(), error })?;
				if persisted.format != STATE_FORMAT {
					return Err(StateError::UnsupportedFormat { path, format: persisted.format });
				}
				if persisted.ledger.network_passphrase != network_passphrase {
					return Err(StateError::PassphraseMismatch {
						path,
						in_file: persisted.ledger.network_passphrase,
						requested: network_passphrase.to_owned(),
					});
				}
				let ledger = Ledger::from_state(persisted.ledger)
					.map_err(|error| StateError::InvalidLedger { path: path.clone(), error })?;
				Ok(Simulator {
					ledger,
					clock_offset_seconds: persisted
						.clock_offset_seconds
						.min(MAX_CLOCK_OFFSET_SECONDS),
					state_file: Some(path),
				})
			},
			Err(error) if error.kind() == io::ErrorKind::NotFound => {
				let simulator = Simulator {
					ledger: Ledger::new(network_passphrase, real_unix_time()),
					clock_offset_seconds: 0,
					state_file: Some(path),
				};
				simulator.save()?;
				Ok(simulator)
			},
			Err(error) => Err(StateError::Io { path, error }),
		}
	}

	pub fn ledger(&self) -> &Ledger {
		&self.ledger
	}

	pub fn state_file(&self) -> Option<&Path> {
		self.state_file.as_deref()
	}

	pub fn clock_offset_seconds(&self) -> u64 {
		self.clock_offset_seconds
	}

	/// The simulated time: real unix time plus the offset.
	pub fn now(&self) -> u64 {
		real_unix_time().saturating_add(self.clock_offset_seconds)
	}

	/// Moves the simulated clock forward; returns the new simulated time.
	pub fn advance_clock(&mut self, seconds: u64) -> Result<u64, ClockError> {
		let offset = self.clock_offset_seconds.checked_add(seconds).ok_or(ClockError::TooFar)?;
		if offset > MAX_CLOCK_OFFSET_SECONDS {
			return Err(ClockError::TooFar);
		}
		self.clock_offset_seconds = offset;
		self.save().map_err(ClockError::Persist)?;
		Ok(self.now())
	}

	/// Submits a base64 envelope at the simulated time. `Err` only when the transaction was
	/// included but the state file could not be written (the ledger in memory has it).
	pub fn submit(&mut self, envelope_base64: &str) -> Result<Submission, StateError> {
		let now = self.now();
		let submission = self.ledger.submit(envelope_base64, now);
		self.save_if_included(&submission)?;
		Ok(submission)
	}

	/// **Simulator only** (`POST /sim/transactions`): applies an envelope without signatures
	/// at the simulated time, as if its accounts had signed it; see [`Ledger::apply_unsigned`].
	/// `Err` only when the transaction was included but the state file could not be written.
	pub fn apply_unsigned(&mut self, envelope_base64: &str) -> Result<Submission, StateError> {
		let now = self.now();
		let submission = self.ledger.apply_unsigned(envelope_base64, now);
		self.save_if_included(&submission)?;
		Ok(submission)
	}

	fn save_if_included(&self, submission: &Submission) -> Result<(), StateError> {
		if matches!(submission, Submission::Included { newly_included: true, .. }) {
			self.save()?;
		}
		Ok(())
	}

	/// Creates a funded account out of nothing (friendbot, `/sim/accounts`).
	pub fn fund_account(
		&mut self,
		key: AccountKey,
		native_balance: i64,
	) -> Result<Account, FundAccountError> {
		let now = self.now();
		let account = self
			.ledger
			.fund_account(key, native_balance, now)
			.map_err(FundAccountError::Refused)?
			.clone();
		self.save().map_err(FundAccountError::Persist)?;
		Ok(account)
	}

	/// Writes the state file, if there is one.
	pub fn save(&self) -> Result<(), StateError> {
		let Some(path) = &self.state_file else {
			return Ok(());
		};
		let persisted = PersistedStateRef {
			format: STATE_FORMAT,
			clock_offset_seconds: self.clock_offset_seconds,
			ledger: self.ledger.state(),
		};
		let bytes = serde_json::to_vec(&persisted)
			.map_err(|error| StateError::Json { path: path.clone(), error })?;
		write_atomically(path, &bytes).map_err(|error| StateError::Io { path: path.clone(), error })
	}
}

/// Replaces `path` with `bytes` so that a crash leaves either the old or the new file.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
	let directory = match path.parent() {
		Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
		_ => PathBuf::from("."),
	};
	let Some(file_name) = path.file_name() else {
		return Err(io::Error::new(io::ErrorKind::InvalidInput, "the state path names no file"));
	};
	let mut temporary_name = file_name.to_os_string();
	temporary_name.push(format!(".tmp-{}", std::process::id()));
	let temporary = directory.join(temporary_name);
	let written = (|| {
		let mut file = File::create(&temporary)?;
		file.write_all(bytes)?;
		file.sync_all()?;
		fs::rename(&temporary, path)
	})();
	if written.is_err() {
		// Best effort: the temporary file is useless now.
		let _ = fs::remove_file(&temporary);
		return written;
	}
	// The rename itself is durable only once the directory is synced.
	#[cfg(unix)]
	if let Ok(directory) = File::open(&directory) {
		let _ = directory.sync_all();
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::ledger::test_support::*;
	use crate::ledger::{PageQuery, STANDALONE_NETWORK_PASSPHRASE, STROOPS_PER_XLM};
	use stellar_xdr::Asset;

	#[test]
	fn the_clock_moves_forward_and_makes_time_bounds_expire() {
		let mut simulator = Simulator::in_memory(STANDALONE_NETWORK_PASSPHRASE);
		let (alice, bob) = (key(1), key(2));
		let sequence =
			simulator.fund_account(alice.account, 100 * STROOPS_PER_XLM).expect("alice").sequence;
		simulator.fund_account(bob.account, 100 * STROOPS_PER_XLM).expect("bob");
		let now = simulator.now();
		let tx = envelope(
			simulator.ledger().network_id(),
			TxSpec {
				time_bounds: Some((0, now + 60)),
				..TxSpec::new(&alice.account, sequence + 1)
			},
			vec![payment(None, &bob.account, Asset::Native, 1)],
			&[&alice.signing],
		);
		let before = simulator.now();
		let after = simulator.advance_clock(120).expect("advanced");
		assert!(after >= before + 120);
		let rejection = expect_rejected(simulator.submit(&tx).expect("in memory"));
		assert_eq!(rejection.transaction_code, "tx_too_late");
		assert!(matches!(
			simulator.advance_clock(MAX_CLOCK_OFFSET_SECONDS),
			Err(ClockError::TooFar)
		));
	}

	#[test]
	fn a_restart_with_the_same_state_file_continues_exactly() {
		let directory = tempfile::tempdir().expect("temporary directory");
		let path = directory.path().join("state.json");
		let (alice, bob) = (key(1), key(2));
		let (first_hash, ledger_after_first, offset) = {
			let mut simulator = Simulator::open(STANDALONE_NETWORK_PASSPHRASE, &path).expect("new");
			assert!(path.exists(), "written at creation");
			let sequence = simulator
				.fund_account(alice.account, 100 * STROOPS_PER_XLM)
				.expect("alice")
				.sequence;
			simulator.fund_account(bob.account, 100 * STROOPS_PER_XLM).expect("bob");
			simulator.advance_clock(30).expect("advanced");
			let tx = envelope(
				simulator.ledger().network_id(),
				TxSpec::new(&alice.account, sequence + 1),
				vec![payment(None, &bob.account, Asset::Native, 5)],
				&[&alice.signing],
			);
			let record = expect_included(simulator.submit(&tx).expect("saved"));
			(record.hash, simulator.ledger().latest_ledger(), simulator.clock_offset_seconds())
		};
		let mut simulator =
			Simulator::open(STANDALONE_NETWORK_PASSPHRASE, &path).expect("reopened");
		assert_eq!(simulator.clock_offset_seconds(), offset);
		assert_eq!(simulator.ledger().latest_ledger(), ledger_after_first);
		let first = simulator.ledger().transaction(&first_hash).expect("kept").clone();
		let alice_sequence = simulator.ledger().account(&alice.account).expect("alice").sequence;
		assert_eq!(alice_sequence, first.source_account_sequence);
		assert_eq!(
			simulator.ledger().account(&bob.account).expect("bob").native_balance,
			100 * STROOPS_PER_XLM + 5
		);
		// The next transaction continues the sequence, the ledgers and the paging.
		let tx = envelope(
			simulator.ledger().network_id(),
			TxSpec::new(&alice.account, alice_sequence + 1),
			vec![payment(None, &bob.account, Asset::Native, 5)],
			&[&alice.signing],
		);
		let second = expect_included(simulator.submit(&tx).expect("saved"));
		assert_eq!(second.ledger, ledger_after_first + 1);
		let query = PageQuery {
			cursor: Some(first.paging_token()),
			descending: false,
			limit: 10,
			include_failed: false,
		};
		let page = simulator.ledger().account_transactions(&bob.account, &query);
		assert_eq!(page.len(), 1);
		assert_eq!(page[0].hash, second.hash);
		// Another network's passphrase is refused.
		assert!(matches!(
			Simulator::open("Test SDF Network ; September 2015", &path),
			Err(StateError::PassphraseMismatch { .. })
		));
		// No temporary file is left behind.
		let names: Vec<_> = std::fs::read_dir(directory.path())
			.expect("listable")
			.map(|entry| entry.expect("entry").file_name())
			.collect();
		assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
	}

	#[test]
	fn an_unsigned_transaction_is_saved_like_a_submission() {
		let directory = tempfile::tempdir().expect("temporary directory");
		let path = directory.path().join("state.json");
		let (alice, bob) = (key(1), key(2));
		let hash = {
			let mut simulator = Simulator::open(STANDALONE_NETWORK_PASSPHRASE, &path).expect("new");
			let sequence = simulator
				.fund_account(alice.account, 100 * STROOPS_PER_XLM)
				.expect("alice")
				.sequence;
			simulator.fund_account(bob.account, 100 * STROOPS_PER_XLM).expect("bob");
			let unsigned = envelope(
				simulator.ledger().network_id(),
				TxSpec::new(&alice.account, sequence + 1),
				vec![payment(None, &bob.account, Asset::Native, 5)],
				&[],
			);
			// Horizon's path refuses it; the simulator's applies it.
			let rejection = expect_rejected(simulator.submit(&unsigned).expect("in memory"));
			assert_eq!(rejection.transaction_code, "tx_bad_auth");
			expect_included(simulator.apply_unsigned(&unsigned).expect("saved")).hash
		};
		let simulator = Simulator::open(STANDALONE_NETWORK_PASSPHRASE, &path).expect("reopened");
		let record = simulator.ledger().transaction(&hash).expect("kept");
		assert!(record.successful);
		assert!(record.signatures.is_empty());
		assert_eq!(
			simulator.ledger().account(&bob.account).expect("bob").native_balance,
			100 * STROOPS_PER_XLM + 5
		);
	}

	#[test]
	fn a_corrupt_state_file_is_an_error_not_a_fresh_start() {
		let directory = tempfile::tempdir().expect("temporary directory");
		let path = directory.path().join("state.json");
		std::fs::write(&path, b"{not json").expect("written");
		assert!(matches!(
			Simulator::open(STANDALONE_NETWORK_PASSPHRASE, &path),
			Err(StateError::Json { .. })
		));
	}
}
