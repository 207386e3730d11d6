//! `zos-sim`: runs a simulated ZOS node. See the crate documentation (`src/lib.rs`).

use clap::Parser;
use sp_core::{ed25519, Pair};
use std::{net::SocketAddr, path::PathBuf, time::Duration};
use zos_client::commands::Capacity;
use zos_sim::{
	chain::RpcChain,
	node::{NodeConfig, SimNode},
	say,
	server::{self, Faults, Identity, Sim},
};

/// A SIMULATOR of one Zero-OS node's deployment API, for testing gridchain without ZOS
/// hardware. It runs no workloads: it validates deployments as ZOS does (checking the
/// agreement and the twins' keys on the chain), keeps their records and capacity, and can
/// inject faults.
#[derive(Parser, Debug)]
#[command(name = "zos-sim", version, about, long_about = None)]
struct Args {
	/// Where to listen; the node's endpoint on chain must point here.
	#[arg(long, default_value = "127.0.0.1:8080")]
	listen: SocketAddr,
	/// The gridchain node's HTTP JSON-RPC URL.
	#[arg(long, default_value = "http://127.0.0.1:9944")]
	chain_rpc: String,
	/// This node's id on chain.
	#[arg(long)]
	node_id: u32,
	/// The twin this node answers as (in replies' `src`).
	#[arg(long, default_value_t = 0)]
	node_twin: u32,
	/// The secret URI of the node's own ed25519 key (its ZOS identity), with which it signs its
	/// replies; the key registered with the node on chain must be its public key. The default
	/// is the development chain's node 1 key (Alice's ed25519 dev key): a simulator default,
	/// public to anyone.
	#[arg(long, default_value = "//Alice")]
	key_seed: String,
	/// SSD capacity in bytes (volumes use it).
	#[arg(long, default_value_t = 1 << 40)]
	sru: u64,
	/// HDD capacity in bytes.
	#[arg(long, default_value_t = 0)]
	hru: u64,
	/// Memory in bytes.
	#[arg(long, default_value_t = 16 << 30)]
	mru: u64,
	/// CPU cores.
	#[arg(long, default_value_t = 8)]
	cru: u64,
	/// Keeps the deployments in this file across restarts.
	#[arg(long)]
	state_file: Option<PathBuf>,
	/// Fault: the next N deployments that pass validation end in error.
	#[arg(long, default_value_t = 0)]
	fail_next: u32,
	/// Fault: wait this long before every answer, in milliseconds.
	#[arg(long, default_value_t = 0)]
	latency_ms: u64,
	/// Fault: refuse connections for this many seconds after starting.
	#[arg(long, default_value_t = 0)]
	refuse_for_secs: u64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
	let args = Args::parse();
	say!("this is a simulator of a ZOS node (node {}), not ZOS", args.node_id);
	let config = NodeConfig {
		node_id: args.node_id,
		capacity: Capacity { cru: args.cru, sru: args.sru, hru: args.hru, mru: args.mru, ipv4u: 0 },
	};
	let node = match SimNode::load(config, args.state_file.clone()) {
		Ok(node) => node,
		Err(error) => {
			say!("cannot read the state file {:?}: {error}", args.state_file);
			return std::process::ExitCode::FAILURE;
		},
	};
	let key = match ed25519::Pair::from_string(&args.key_seed, None) {
		Ok(key) => key,
		Err(error) => {
			say!("--key-seed is not a valid secret URI: {error:?}");
			return std::process::ExitCode::FAILURE;
		},
	};
	say!("node key (ed25519): 0x{}", hex::encode(key.public().0));
	let identity = Identity { node_id: args.node_id, node_twin: args.node_twin, key };
	let faults = Faults { fail_next: args.fail_next, latency_ms: args.latency_ms };
	let sim = Sim::new(node, RpcChain::new(&args.chain_rpc), identity, faults);
	let refuse_first = Duration::from_secs(args.refuse_for_secs);
	match server::serve(sim, args.listen, refuse_first, |_| {}).await {
		Ok(()) => std::process::ExitCode::SUCCESS,
		Err(error) => {
			say!("cannot serve on {}: {error}", args.listen);
			std::process::ExitCode::FAILURE
		},
	}
}
