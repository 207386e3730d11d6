//! What can go wrong, how it is shown and the exit code it gives.

use gridchain_client::{ClientError, Failure, SubmitError};
use serde_json::json;

/// Why a command failed. Nothing was changed on chain unless a transaction was included and
/// failed ([`CliError::Failed`]): then only its fee was paid.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
	/// The command line asks for something that cannot be: a bad amount, address or size.
	#[error("{0}")]
	Input(String),
	/// No signing key, or not a usable one.
	#[error("{0}")]
	Key(String),
	/// The node could not be reached.
	#[error(transparent)]
	Connect(#[from] ClientError),
	/// Reading the chain failed.
	#[error("reading the chain: {0}")]
	Read(String),
	/// What was asked for is not on chain.
	#[error("{0}")]
	NotFound(String),
	/// The node refused the transaction (fees, nonce) or stopped reporting on it.
	#[error("the transaction was not accepted: {0}")]
	NotAccepted(String),
	/// The transaction was included and the runtime refused it.
	#[error("{}", .0.error)]
	Failed(Failure),
	/// The transaction is in a block, and what it did could not be read: look before sending
	/// it again.
	#[error("{0}")]
	OutcomeUnknown(String),
	/// A wait ran out.
	#[error("{0}")]
	Timeout(String),
	/// A file could not be written.
	#[error("{0}")]
	Io(String),
}

impl From<SubmitError> for CliError {
	fn from(error: SubmitError) -> Self {
		match error {
			SubmitError::NotAccepted(reason) => CliError::NotAccepted(reason),
			SubmitError::Failed(failure) => CliError::Failed(failure),
			unknown @ SubmitError::OutcomeUnknown { .. } => {
				CliError::OutcomeUnknown(unknown.to_string())
			},
		}
	}
}

impl CliError {
	/// For `map_err` on any read error.
	pub fn read(error: impl std::fmt::Display) -> Self {
		CliError::Read(error.to_string())
	}

	/// A runtime API's error (e.g. a quote's), named and documented from `at`'s metadata as a
	/// failed transaction's would be.
	pub fn dispatch(
		at: &crate::context::AtBlock,
		error: &gridchain_client::runtime::runtime_types::sp_runtime::DispatchError,
	) -> Self {
		use gridchain_client::runtime::runtime_types::sp_runtime::DispatchError;
		let named = match error {
			DispatchError::Module(module) => {
				Failure::of_module(at.metadata_ref(), module.index, module.error[0])
			},
			_ => None,
		};
		CliError::Failed(
			named.unwrap_or_else(|| Failure { error: format!("{error:?}"), docs: String::new() }),
		)
	}

	/// 2 for bad input (as for a bad command line), 1 for everything else.
	pub fn exit_code(&self) -> i32 {
		match self {
			CliError::Input(_) | CliError::Key(_) => 2,
			_ => 1,
		}
	}

	fn kind(&self) -> &'static str {
		match self {
			CliError::Input(_) => "input",
			CliError::Key(_) => "key",
			CliError::Connect(_) => "connect",
			CliError::Read(_) => "read",
			CliError::NotFound(_) => "notFound",
			CliError::NotAccepted(_) => "notAccepted",
			CliError::Failed(_) => "failed",
			CliError::OutcomeUnknown(_) => "outcomeUnknown",
			CliError::Timeout(_) => "timeout",
			CliError::Io(_) => "io",
		}
	}

	/// On stderr for people; with `--json`, as a JSON document on stdout, where a script
	/// reads the result.
	pub fn print(&self, json: bool) {
		use std::io::Write;
		if json {
			let docs = match self {
				CliError::Failed(failure) => failure.docs.as_str(),
				_ => "",
			};
			let document = json!({ "error": { "kind": self.kind(), "message": self.to_string(), "docs": docs } });
			let text = serde_json::to_string_pretty(&document).unwrap_or_default();
			let _ = writeln!(std::io::stdout().lock(), "{text}");
			return;
		}
		match self {
			CliError::Failed(failure) => {
				eprintln!("error: the chain refused it: {}", failure.error);
				for line in failure.docs.lines() {
					eprintln!("  {}", line.trim());
				}
			},
			other => eprintln!("error: {other}"),
		}
	}
}
