//! gridchain-node: a gridchain validator or full node.

// The subcommands must return `sc_cli::Error`, a large type that polkadot-sdk defines.
#![allow(clippy::result_large_err)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod metrics;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
