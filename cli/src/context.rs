//! What every command works with: the connection, the signing key, how to wait for
//! transactions and how to show results.

use crate::{error::CliError, format};
use gridchain_client::{
	runtime, subxt, subxt::utils::AccountId32, Connection, Included, Progress, Signer, Wait,
};
use serde_json::Value;
use std::path::PathBuf;

/// The `--wait` option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum WaitFor {
	/// In a best block: quick, but the block can still be reverted.
	InBlock,
	/// In a finalized block.
	Finalized,
}

impl From<WaitFor> for Wait {
	fn from(wait: WaitFor) -> Self {
		match wait {
			WaitFor::InBlock => Wait::InBlock,
			WaitFor::Finalized => Wait::Finalized,
		}
	}
}

/// Where the signing key comes from: `--key-file`, else `GRIDCHAIN_SURI`.
pub struct KeySource {
	file: Option<PathBuf>,
	environment: Option<String>,
}

/// The longest key file read: a 24-word mnemonic with a derivation path and password is far
/// shorter; anything longer is not a key file.
const MAX_KEY_FILE_BYTES: u64 = 4096;

impl KeySource {
	pub fn new(file: Option<PathBuf>, environment: Option<String>) -> Self {
		KeySource { file, environment }
	}

	/// Whether a key was given at all.
	fn is_given(&self) -> bool {
		self.file.is_some() || self.environment.is_some()
	}

	/// The key pair, or why there is none. Only read by commands that sign.
	pub fn signer(&self) -> Result<Signer, CliError> {
		let uri = match (&self.file, &self.environment) {
			(Some(path), _) => read_key_file(path)?,
			(None, Some(uri)) => uri.clone(),
			(None, None) => {
				return Err(CliError::Key(
					"this command signs: give --key-file PATH or set GRIDCHAIN_SURI".into(),
				))
			},
		};
		gridchain_client::signer_from_uri(&uri).map_err(|e| CliError::Key(e.to_string()))
	}
}

fn read_key_file(path: &std::path::Path) -> Result<String, CliError> {
	format::read_bounded(path, MAX_KEY_FILE_BYTES, "a key file")
		.map(|uri| uri.trim().to_owned())
		.map_err(CliError::Key)
}

/// A command's result: text for people and the same as JSON for scripts.
pub struct Report {
	pub text: String,
	pub json: Value,
}

impl Report {
	pub fn new(text: impl Into<String>, json: Value) -> Self {
		Report { text: text.into(), json }
	}

	/// On stdout; a closed stdout (`| head`) is not an error worth a panic.
	pub fn print(&self, json: bool) {
		use std::io::Write;
		let text = if json {
			serde_json::to_string_pretty(&self.json).unwrap_or_default()
		} else {
			self.text.trim_end().to_owned()
		};
		let _ = writeln!(std::io::stdout().lock(), "{text}");
	}
}

/// A block where a transaction went through, for reports.
pub struct Landed {
	pub included: Included,
	/// `#number (time)`.
	pub text: String,
	pub json: Value,
}

/// How long [`Context::submit`] waits for a transaction.
const SUBMIT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// The chain's time at `at`: milliseconds since the epoch.
async fn timestamp(at: &AtBlock) -> Result<u64, CliError> {
	at.storage()
		.fetch(runtime::storage().timestamp().now(), ())
		.await
		.map_err(CliError::read)?
		.decode()
		.map_err(CliError::read)
}

/// A typed view of the chain at one block.
pub type AtBlock = subxt::client::ClientAtBlock<
	gridchain_client::Config,
	subxt::client::OnlineClientAtBlockImpl<gridchain_client::Config>,
>;

/// The connection and what the command line asked for.
pub struct Context {
	pub conn: Connection,
	key: KeySource,
	signer: std::sync::OnceLock<Signer>,
	json: bool,
	wait: Wait,
}

impl Context {
	pub async fn connect(
		url: &str,
		insecure: bool,
		key: KeySource,
		json: bool,
		wait: Wait,
	) -> Result<Self, CliError> {
		let conn = gridchain_client::connect(url, insecure).await?;
		Ok(Context { conn, key, signer: std::sync::OnceLock::new(), json, wait })
	}

	/// Where the signing key comes from.
	pub fn key(&self) -> &KeySource {
		&self.key
	}

	/// Whether progress stays off stderr (`--json`).
	pub fn quiet(&self) -> bool {
		self.json
	}

	/// What `--wait` asked for.
	pub fn wait(&self) -> Wait {
		self.wait
	}

	/// The key that signs, read and derived once (a mnemonic's derivation is slow on purpose).
	pub fn signer(&self) -> Result<Signer, CliError> {
		if let Some(signer) = self.signer.get() {
			return Ok(signer.clone());
		}
		let signer = self.key.signer()?;
		Ok(self.signer.get_or_init(|| signer).clone())
	}

	/// The signing key's account.
	pub fn me(&self) -> Result<AccountId32, CliError> {
		Ok(AccountId32(self.signer()?.public_key().0))
	}

	/// The chain as reads show it: at the latest finalized block, or at the best block with
	/// `--wait in-block` (what a transaction just made there is seen at once).
	pub async fn at(&self) -> Result<AtBlock, CliError> {
		match self.wait {
			Wait::Finalized => self.conn.client.at_current_block().await.map_err(CliError::read),
			Wait::InBlock => self.at_best().await,
		}
	}

	/// The chain at its best block.
	pub async fn at_best(&self) -> Result<AtBlock, CliError> {
		self.conn.at_best_block().await.map_err(CliError::Read)
	}

	/// Signs and submits `call`, showing its progress on stderr, and waits as `--wait` says, at
	/// most [`SUBMIT_TIMEOUT`] (a stalled finality must not hang a script).
	pub async fn submit<Call: subxt::transactions::Payload>(
		&self,
		call: &Call,
	) -> Result<Landed, CliError> {
		let signer = self.signer()?;
		let show = !self.quiet();
		let submitted = std::sync::Mutex::new(None);
		let mut on_progress = |progress: Progress| {
			if let Progress::Submitted { hash } = progress {
				*submitted.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(hash);
			}
			if !show {
				return;
			}
			match progress {
				Progress::Submitted { hash } => eprintln!("submitted {hash:?}"),
				Progress::InBlock { number, .. } => eprintln!("in block #{number}"),
				Progress::Finalized { number, .. } => eprintln!("finalized #{number}"),
			}
		};
		let watched = self.conn.submit_watched(call, &signer, self.wait, &mut on_progress);
		let included = match tokio::time::timeout(SUBMIT_TIMEOUT, watched).await {
			Ok(included) => included.map_err(CliError::from)?,
			Err(_) => {
				let hash = submitted.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
				return Err(CliError::Timeout(match hash {
					Some(hash) => format!(
						"transaction {hash:?} not {} after {} s: it may still go through; look \
						 before sending it again",
						if self.wait == Wait::InBlock { "in a block" } else { "finalized" },
						SUBMIT_TIMEOUT.as_secs()
					),
					None => format!(
						"the node did not take the transaction in {} s",
						SUBMIT_TIMEOUT.as_secs()
					),
				}));
			},
		};
		// It went through: the block's time is for people only, and its absence no failure.
		let time = match self.conn.client.at_block(included.block_hash).await {
			Ok(at) => timestamp(&at).await.ok(),
			Err(_) => None,
		};
		let text = match time {
			Some(time) => format!("#{} ({})", included.block_number, format::date(time)),
			None => format!("#{}", included.block_number),
		};
		let json = serde_json::json!({
			"block": included.block_number,
			"blockHash": format!("{:?}", included.block_hash),
			"time": time.map(format::date_json),
			"finalized": included.finalized,
		});
		Ok(Landed { included, text, json })
	}

	/// The chain's time at `block` in milliseconds since the epoch: the block's timestamp
	/// when `at` has reached it (and the node still has its state), else estimated from `at`'s
	/// at the target block time.
	pub async fn block_time(&self, at: &AtBlock, block: u32) -> Result<u64, CliError> {
		let now_block = at.block_number();
		let now = timestamp(at).await?;
		let per_block = gridchain_primitives::time::MILLISECS_PER_BLOCK;
		let block = u64::from(block);
		let estimate = if block >= now_block {
			now.saturating_add(block.saturating_sub(now_block).saturating_mul(per_block))
		} else {
			now.saturating_sub(now_block.saturating_sub(block).saturating_mul(per_block))
		};
		if block >= now_block {
			return Ok(estimate);
		}
		// A node that keeps only recent state no longer answers for old blocks.
		let Ok(Some(hash)) = self.conn.block_hash(block).await else {
			return Ok(estimate);
		};
		match self.conn.client.at_block(hash).await {
			Ok(then) => Ok(timestamp(&then).await.unwrap_or(estimate)),
			Err(_) => Ok(estimate),
		}
	}

	/// `account` if given, else the signing key's account.
	pub fn account_or_me(&self, account: Option<&str>) -> Result<AccountId32, CliError> {
		match account {
			Some(account) => format::parse_account(account),
			None => self.me(),
		}
	}

	/// The signing key's account if a key was given (a key given and unusable is an error).
	pub fn me_if_given(&self) -> Result<Option<AccountId32>, CliError> {
		if self.key.is_given() {
			self.me().map(Some)
		} else {
			Ok(None)
		}
	}

	/// `#block (date)` and its JSON for a report after a transaction went through: without the
	/// date when it cannot be read (the transaction's success does not depend on it).
	pub async fn when(&self, block: u32) -> (String, serde_json::Value) {
		let fallback =
			|| (format!("#{block}"), serde_json::json!({ "block": block, "time": null }));
		match self.at_best().await {
			Ok(at) => self.block_and_time(&at, block).await.unwrap_or_else(|_| fallback()),
			Err(_) => fallback(),
		}
	}

	/// The chain at the block `landed` went into, to read what it did; `None` if the node no
	/// longer answers for it (the report then leaves that out).
	pub async fn at_landed(&self, landed: &Landed) -> Option<AtBlock> {
		self.conn.client.at_block(landed.included.block_hash).await.ok()
	}

	/// `#block (date)`, and the JSON of it.
	pub async fn block_and_time(
		&self,
		at: &AtBlock,
		block: u32,
	) -> Result<(String, Value), CliError> {
		let time = self.block_time(at, block).await?;
		Ok((
			format!("#{block} ({})", format::date(time)),
			serde_json::json!({ "block": block, "time": format::date_json(time) }),
		))
	}
}
