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
	use std::io::Read;
	let unreadable = |e: std::io::Error| CliError::Key(format!("{}: {e}", path.display()));
	let file = std::fs::File::open(path).map_err(unreadable)?;
	let mut uri = String::new();
	file.take(MAX_KEY_FILE_BYTES + 1).read_to_string(&mut uri).map_err(unreadable)?;
	if uri.len() as u64 > MAX_KEY_FILE_BYTES {
		return Err(CliError::Key(format!(
			"{}: longer than {MAX_KEY_FILE_BYTES} bytes, not a key file",
			path.display()
		)));
	}
	Ok(uri.trim().to_owned())
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

/// A typed view of the chain at one block.
pub type AtBlock = subxt::client::ClientAtBlock<
	gridchain_client::Config,
	subxt::client::OnlineClientAtBlockImpl<gridchain_client::Config>,
>;

/// The connection and what the command line asked for.
pub struct Context {
	pub conn: Connection,
	key: KeySource,
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
		Ok(Context { conn, key, json, wait })
	}

	/// Whether progress stays off stderr (`--json`).
	pub fn quiet(&self) -> bool {
		self.json
	}

	/// What `--wait` asked for.
	pub fn wait(&self) -> Wait {
		self.wait
	}

	/// The key that signs.
	pub fn signer(&self) -> Result<Signer, CliError> {
		self.key.signer()
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

	/// Signs and submits `call`, showing its progress on stderr, and waits as `--wait` says.
	pub async fn submit<Call: subxt::transactions::Payload>(
		&self,
		call: &Call,
	) -> Result<Landed, CliError> {
		let signer = self.signer()?;
		let show = !self.quiet();
		let mut on_progress = |progress: Progress| {
			if !show {
				return;
			}
			match progress {
				Progress::Submitted { hash } => eprintln!("submitted {hash:?}"),
				Progress::InBlock { number, .. } => eprintln!("in block #{number}"),
				Progress::Finalized { number, .. } => eprintln!("finalized #{number}"),
			}
		};
		let included = self
			.conn
			.submit_watched(call, &signer, self.wait, &mut on_progress)
			.await
			.map_err(CliError::from)?;
		let at = self.at_best().await?;
		let time = self.block_time(&at, included.block_number as u32).await?;
		let text = format!("#{} ({})", included.block_number, format::date(time));
		let json = serde_json::json!({
			"block": included.block_number,
			"blockHash": format!("{:?}", included.block_hash),
			"finalized": included.finalized,
		});
		Ok(Landed { included, text, json })
	}

	/// The chain's time at `block` in milliseconds since the epoch: the block's timestamp
	/// when `at` has reached it, else estimated from `at`'s at the target block time.
	pub async fn block_time(&self, at: &AtBlock, block: u32) -> Result<u64, CliError> {
		let now_block = at.block_number();
		let now: u64 = at
			.storage()
			.fetch(runtime::storage().timestamp().now(), ())
			.await
			.map_err(CliError::read)?
			.decode()
			.map_err(CliError::read)?;
		let per_block = gridchain_primitives::time::MILLISECS_PER_BLOCK;
		let block = u64::from(block);
		if block >= now_block {
			return Ok(
				now.saturating_add(block.saturating_sub(now_block).saturating_mul(per_block))
			);
		}
		let hash = self.conn.block_hash(block).await.map_err(CliError::Read)?;
		match hash {
			Some(hash) => {
				let then = self.conn.client.at_block(hash).await.map_err(CliError::read)?;
				then.storage()
					.fetch(runtime::storage().timestamp().now(), ())
					.await
					.map_err(CliError::read)?
					.decode()
					.map_err(CliError::read)
			},
			None => {
				Ok(now.saturating_sub(now_block.saturating_sub(block).saturating_mul(per_block)))
			},
		}
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
			serde_json::json!({ "block": block, "time": format::date(time) }),
		))
	}
}
