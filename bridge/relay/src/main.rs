//! The `gridchain-bridge` command.

use clap::{Parser, Subcommand};
use gridchain_bridge::{
	chain::Chain, horizon::Horizon, metrics::Metrics, relay::Relay, state::StateFile,
};
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// The relay of a validator of gridchain's Stellar bridge.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Runs the relay: votes for deposits, signs, submits and reports payments.
	Run(RunArgs),
	/// Prints the Stellar public key (G…) of the relay's Stellar secret, to register it in the
	/// bridge circle (`guardian.setMemberKey`).
	StellarKey(KeyArgs),
	/// Makes the vault's signers follow the bridge circle's members and threshold: the chain
	/// fixes the set-options transaction, the vault's current signers' relays sign and submit
	/// it. Run by any member after the circle changed.
	UpdateVaultSigners(ChainArgs),
}

#[derive(clap::Args)]
struct ChainArgs {
	/// The gridchain node's WebSocket RPC.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	node: String,
	/// A file holding the member's chain account secret URI (a mnemonic, 0x seed or //Name);
	/// or the environment variable GRIDCHAIN_BRIDGE_CHAIN_SECRET.
	#[arg(long)]
	chain_secret_file: Option<PathBuf>,
}

#[derive(clap::Args)]
struct KeyArgs {
	/// A file holding the validator's Stellar secret (S…); or the environment variable
	/// GRIDCHAIN_BRIDGE_STELLAR_SECRET. Never on the command line.
	#[arg(long)]
	stellar_secret_file: Option<PathBuf>,
}

#[derive(clap::Args)]
struct RunArgs {
	#[command(flatten)]
	chain: ChainArgs,
	/// The Horizon server of the vault's network.
	#[arg(long, default_value = "https://horizon.stellar.org")]
	horizon: String,
	/// The Stellar network's passphrase (the chain's vault must be on it).
	#[arg(long, default_value = "Public Global Stellar Network ; September 2015")]
	network_passphrase: String,
	/// The vault's account (G…): the relay acts only for this vault.
	#[arg(long)]
	vault: String,
	/// Where the relay keeps its cursor and the transactions it set aside.
	#[arg(long)]
	state_dir: PathBuf,
	#[command(flatten)]
	key: KeyArgs,
	/// Serve Prometheus metrics at this address (e.g. 127.0.0.1:9616).
	#[arg(long)]
	metrics: Option<SocketAddr>,
	/// Milliseconds between rounds.
	#[arg(long, default_value_t = 1_000)]
	poll_ms: u64,
	/// How long one Horizon request may take, in milliseconds.
	#[arg(long, default_value_t = 10_000)]
	horizon_timeout_ms: u64,
}

/// A secret from a file, else from the environment; trimmed.
fn secret(file: Option<&PathBuf>, variable: &str) -> Result<String, String> {
	match file {
		Some(path) => std::fs::read_to_string(path)
			.map(|text| text.trim().to_owned())
			.map_err(|e| format!("cannot read {}: {e}", path.display())),
		None => std::env::var(variable)
			.map(|text| text.trim().to_owned())
			.map_err(|_| format!("give a secret file or set {variable}")),
	}
}

/// The chain as the member of `args` reaches it.
async fn chain(args: &ChainArgs) -> Result<Chain, String> {
	let chain_secret = secret(args.chain_secret_file.as_ref(), "GRIDCHAIN_BRIDGE_CHAIN_SECRET")?;
	let signer = gridchain_client::signer_from_uri(&chain_secret).map_err(|e| e.to_string())?;
	let connection =
		gridchain_client::connect(&args.node, true).await.map_err(|e| e.to_string())?;
	Ok(Chain::new(connection, signer))
}

fn stellar_key(args: &KeyArgs) -> Result<ed25519_dalek::SigningKey, String> {
	let text = secret(args.stellar_secret_file.as_ref(), "GRIDCHAIN_BRIDGE_STELLAR_SECRET")?;
	let seed = stellar_strkey::ed25519::PrivateKey::from_string(&text)
		.map_err(|_| "the Stellar secret is not an S… strkey".to_owned())?;
	Ok(ed25519_dalek::SigningKey::from_bytes(&seed.0))
}

#[tokio::main]
async fn main() {
	if let Err(error) = run(Cli::parse()).await {
		gridchain_bridge::say!("error", "{error}");
		std::process::exit(1);
	}
}

async fn run(cli: Cli) -> Result<(), String> {
	match cli.command {
		Command::StellarKey(args) => {
			let key = stellar_key(&args)?;
			println!("{}", gridchain_bridge::horizon::strkey(&key.verifying_key().to_bytes()));
			Ok(())
		},
		Command::UpdateVaultSigners(args) => {
			let (id, signers, threshold) =
				chain(&args).await?.update_vault_signers().await.map_err(|e| e.to_string())?;
			let signers: Vec<_> = signers.iter().map(gridchain_bridge::horizon::strkey).collect();
			println!(
				"change {id} queued: the vault's signers become {} at threshold {threshold}",
				signers.join(", ")
			);
			Ok(())
		},
		Command::Run(args) => {
			let stellar_key = stellar_key(&args.key)?;
			let chain = chain(&args.chain).await?;
			let horizon =
				Horizon::new(&args.horizon, Duration::from_millis(args.horizon_timeout_ms))
					.map_err(|e| e.to_string())?;
			let state_file = StateFile::in_dir(&args.state_dir).map_err(|e| e.to_string())?;
			let state = state_file.load().map_err(|e| format!("the state file: {e}"))?;
			let registry = substrate_prometheus_endpoint::Registry::new();
			let metrics = Metrics::register(&registry).map_err(|e| e.to_string())?;
			if let Some(address) = args.metrics {
				tokio::spawn(async move {
					if let Err(error) =
						substrate_prometheus_endpoint::init_prometheus(address, registry).await
					{
						gridchain_bridge::say!("error", "metrics: {error}");
					}
				});
			}
			gridchain_bridge::say!(
				"info",
				"relaying as {} (Stellar key {}), from cursor {:?}",
				chain.me,
				gridchain_bridge::horizon::strkey(&stellar_key.verifying_key().to_bytes()),
				state.cursor
			);
			let vault = stellar_strkey::ed25519::PublicKey::from_string(&args.vault)
				.map_err(|_| format!("--vault {} is not a G… account", args.vault))?
				.0;
			let network_id = gridchain_primitives::stellar::network_id(&args.network_passphrase);
			let mut relay = Relay {
				network_id,
				vault,
				chain,
				horizon,
				stellar_key,
				state_file,
				state,
				metrics,
				last_view: None,
			};
			let poll = Duration::from_millis(args.poll_ms);
			// One future for the whole run, so that a signal arriving between rounds is not
			// missed; a round stopped half-way loses nothing (see docs/bridge.md).
			let stop = shutdown_signal();
			tokio::pin!(stop);
			loop {
				tokio::select! {
					_ = &mut stop => {
						gridchain_bridge::say!("info", "stopping");
						return Ok(());
					},
					result = relay.round() => if let Err(error) = result {
						relay.metrics.errors.with_label_values(&["round"]).inc();
						gridchain_bridge::say!("warn", "round stopped: {error}");
					},
				}
				tokio::select! {
					_ = &mut stop => return Ok(()),
					_ = tokio::time::sleep(poll) => {},
				}
			}
		},
	}
}

/// Resolves on SIGINT (ctrl-c) or SIGTERM (what systemd sends to stop a service).
async fn shutdown_signal() {
	let mut terminate =
		tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
	tokio::select! {
		_ = tokio::signal::ctrl_c() => {},
		_ = async {
			match terminate.as_mut() {
				Some(signal) => { signal.recv().await; },
				None => std::future::pending::<()>().await,
			}
		} => {},
	}
}
