//! The `benchmark` subcommands (only with the `runtime-benchmarks` feature).
//!
//! `benchmark pallet` measures the runtime's dispatchables and writes `weights.rs` files;
//! `benchmark block` re-executes blocks of an existing chain; `benchmark machine` checks this
//! computer against the reference hardware.

use crate::{cli::Cli, service};
use frame_benchmarking_cli::{BenchmarkCmd, SUBSTRATE_REFERENCE_HARDWARE};
use gridchain_primitives::opaque::Block;
use sc_cli::SubstrateCli;
use sc_service::PartialComponents;
use sp_runtime::traits::HashingFor;

/// Runs one `benchmark` subcommand.
pub fn run(cli: &Cli, cmd: &BenchmarkCmd) -> sc_cli::Result<()> {
	let runner = cli.create_runner(cmd)?;
	match cmd {
		BenchmarkCmd::Pallet(cmd) => runner
			.sync_run(|config| cmd.run_with_spec::<HashingFor<Block>, ()>(Some(config.chain_spec))),
		BenchmarkCmd::Block(cmd) => runner.sync_run(|config| {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			cmd.run(client)
		}),
		BenchmarkCmd::Machine(cmd) => {
			runner.sync_run(|config| cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone()))
		},
		BenchmarkCmd::Storage(_) | BenchmarkCmd::Overhead(_) | BenchmarkCmd::Extrinsic(_) => {
			Err("gridchain-node supports `benchmark pallet`, `benchmark block` and \
			     `benchmark machine`; this benchmark is not wired up."
				.into())
		},
	}
}
