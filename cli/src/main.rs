//! `gridchain`: the command line of gridchain.
//!
//! Each common flow of a grid user, a farmer, a guardian or a bridge user is one command: the
//! ZOS challenge of an agreement computed and signed, an IOU signed over its SCALE payload, a
//! guardian's pending votes gathered. It reaches the chain through `gridchain-client`, the typed
//! client the Stellar relay uses. docs/cli.md shows a session for each kind of user.

mod account;
mod agreement;
mod bridge;
mod circle;
mod context;
mod cooperative;
mod error;
mod format;
mod grid;
mod iou;
mod validator;

use clap::{Parser, Subcommand};
use context::{Context, KeySource, Report};
use error::CliError;

/// gridchain's command line: agreements, farms and nodes, circles, IOUs and the Stellar bridge.
///
/// Commands that sign read the secret URI (a mnemonic, a 0x hex seed or a development path such
/// as //Alice) from --key-file or from the GRIDCHAIN_SURI environment variable; never from the
/// command line, where other users of the machine and the shell's history would see it.
#[derive(Parser, Debug)]
#[command(name = "gridchain", version, about, long_about)]
struct Cli {
	/// The node's WebSocket RPC address.
	#[arg(
		long,
		global = true,
		env = "GRIDCHAIN_URL",
		hide_env_values = true,
		default_value = "ws://127.0.0.1:9944"
	)]
	url: String,

	/// Allow an unencrypted ws:// connection to a node that is not on this machine.
	#[arg(long, global = true)]
	insecure: bool,

	/// A file holding the secret URI of the account that signs.
	#[arg(long, global = true, value_name = "PATH")]
	key_file: Option<std::path::PathBuf>,

	/// Print one JSON document (errors too) instead of text for people.
	#[arg(long, global = true)]
	json: bool,

	/// How long to wait for a transaction: until it is in a block, or until that block is
	/// final (it can no longer be reverted). Reads and `follow` look at the same: the best
	/// block with in-block, the latest finalized block otherwise.
	#[arg(long, global = true, value_enum, default_value = "finalized")]
	wait: context::WaitFor,

	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
	/// Balances and transfers.
	#[command(subcommand)]
	Account(account::AccountCommand),
	/// Twins: the identity that owns farms and agreements.
	#[command(subcommand)]
	Twin(grid::TwinCommand),
	/// Farms: prices, operators, their nodes.
	#[command(subcommand)]
	Farm(grid::FarmCommand),
	/// Nodes: capacity offered, reserved and free.
	#[command(subcommand)]
	Node(grid::NodeCommand),
	/// Agreements: workloads on a node, paid from an escrow.
	#[command(subcommand)]
	Agreement(agreement::AgreementCommand),
	/// Cooperatives: farms that share their earnings among members.
	#[command(subcommand)]
	Cooperative(cooperative::CooperativeCommand),
	/// Guardian circles: proposals, votes, treasuries.
	#[command(subcommand)]
	Circle(circle::CircleCommand),
	/// IOUs: dual-signed receipts for grid services, settled through a bridge circle.
	#[command(subcommand)]
	Iou(iou::IouCommand),
	/// The Stellar TFT bridge: withdrawals to Stellar, deposits from it.
	#[command(subcommand)]
	Bridge(bridge::BridgeCommand),
	/// Validators: farmers who run the chain.
	#[command(subcommand)]
	Validator(validator::ValidatorCommand),
}

#[tokio::main]
async fn main() {
	let cli = match Cli::try_parse() {
		Ok(cli) => cli,
		// A script that asked for JSON gets its usage errors as JSON too (help is for people).
		Err(error) if std::env::args().any(|arg| arg == "--json") && error.use_stderr() => {
			CliError::Input(error.kind().to_string() + ": " + &first_line(&error.to_string()))
				.print(true);
			std::process::exit(2);
		},
		Err(error) => error.exit(),
	};
	let json = cli.json;
	let outcome = run(cli).await;
	std::process::exit(match outcome {
		Ok(report) => {
			report.print(json);
			0
		},
		Err(error) => {
			error.print(json);
			error.exit_code()
		},
	});
}

/// The first line of clap's message, without its `error: ` prefix.
fn first_line(message: &str) -> String {
	let line = message.lines().next().unwrap_or_default();
	line.strip_prefix("error: ").unwrap_or(line).to_owned()
}

async fn run(cli: Cli) -> Result<Report, CliError> {
	let key = KeySource::new(cli.key_file, std::env::var("GRIDCHAIN_SURI").ok());
	// A key's address needs no node.
	if let Command::Account(account::AccountCommand::Address) = cli.command {
		return account::address(&key);
	}
	let ctx = Context::connect(&cli.url, cli.insecure, key, cli.json, cli.wait.into()).await?;
	match cli.command {
		Command::Account(command) => account::run(&ctx, command).await,
		Command::Twin(command) => grid::run_twin(&ctx, command).await,
		Command::Farm(command) => grid::run_farm(&ctx, command).await,
		Command::Node(command) => grid::run_node(&ctx, command).await,
		Command::Agreement(command) => agreement::run(&ctx, command).await,
		Command::Cooperative(command) => cooperative::run(&ctx, command).await,
		Command::Circle(command) => circle::run(&ctx, command).await,
		Command::Iou(command) => iou::run(&ctx, command).await,
		Command::Bridge(command) => bridge::run(&ctx, command).await,
		Command::Validator(command) => validator::run(&ctx, command).await,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_command_line_is_well_formed() {
		use clap::CommandFactory;
		Cli::command().debug_assert();
	}

	#[test]
	fn a_secret_is_not_an_argument() {
		// No option takes the secret itself: only a file or the environment.
		let error = Cli::try_parse_from(["gridchain", "--suri", "//Alice", "account", "balance"])
			.unwrap_err();
		assert_eq!(error.kind(), clap::error::ErrorKind::UnknownArgument);
	}
}
