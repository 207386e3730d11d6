//! `stellar-sim`: runs a simulated Stellar network with a Horizon-compatible API. See the crate
//! documentation (`src/lib.rs`).

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use stellar_sim::{serve, AppState, Simulator, STANDALONE_NETWORK_PASSPHRASE};

/// A SIMULATOR of a Stellar network behind a Horizon-compatible HTTP API, for end-to-end tests
/// of the TFT bridge relay. It validates envelopes, signatures, thresholds, sequence numbers
/// and time bounds like stellar-core, for create_account, payment, change_trust and
/// set_options; each transaction closes its own ledger. Simulator-only endpoints live under
/// /sim/ (clock, faults, state, funded accounts, transactions made without signatures).
#[derive(Parser, Debug)]
#[command(name = "stellar-sim", version, about, long_about = None)]
struct Args {
	/// Where to listen; port 0 lets the OS choose (the bound address is printed).
	#[arg(long, default_value = "127.0.0.1:8000")]
	listen: SocketAddr,
	/// Keeps the network (accounts, transactions, clock) in this file across restarts; it is
	/// rewritten atomically after every change. Without it, nothing is kept.
	#[arg(long)]
	state: Option<PathBuf>,
	/// The network passphrase; transaction hashes and signatures depend on it.
	#[arg(long, default_value = STANDALONE_NETWORK_PASSPHRASE)]
	network_passphrase: String,
}

#[tokio::main]
async fn main() -> ExitCode {
	let args = Args::parse();
	match run(args).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("stellar-sim: {error}");
			ExitCode::FAILURE
		},
	}
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
	let simulator = match &args.state {
		Some(path) => Simulator::open(&args.network_passphrase, path)?,
		None => Simulator::in_memory(&args.network_passphrase),
	};
	let listener = tokio::net::TcpListener::bind(args.listen)
		.await
		.map_err(|error| format!("cannot listen on {}: {error}", args.listen))?;
	let address = listener.local_addr()?;
	// Tests wait for this exact line before talking to the simulator.
	let mut stdout = std::io::stdout();
	writeln!(stdout, "stellar-sim listening on http://{address}")?;
	stdout.flush()?;
	// stellar_sim::serve, not axum::serve: its connections can be closed without an answer
	// (the close_connections_next fault).
	serve(listener, AppState::new(simulator), shutdown_signal()).await?;
	Ok(())
}

/// Resolves on ctrl-c or SIGTERM. Every change is already on disk, so stopping needs no
/// saving.
async fn shutdown_signal() {
	let interrupt = async {
		if tokio::signal::ctrl_c().await.is_err() {
			std::future::pending::<()>().await;
		}
	};
	#[cfg(unix)]
	let terminate = async {
		match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
			Ok(mut signal) => {
				signal.recv().await;
			},
			Err(_) => std::future::pending::<()>().await,
		}
	};
	#[cfg(not(unix))]
	let terminate = std::future::pending::<()>();
	tokio::select! {
		_ = interrupt => {},
		_ = terminate => {},
	}
}
