#!/usr/bin/env bash
# Runs every test of the project: formatting, clippy lints, the cargo tests of all crates, and the
# end-to-end tests that drive the real node through @polkadot/api. Installs what a fresh
# machine lacks. Build artifacts are kept in $CARGO_TARGET_DIR
# (default ~/.cache/gridchain-target) so the next run only rebuilds what changed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$REPO_ROOT"
total_start=$SECONDS

timed "prerequisites" ensure_build_prerequisites
timed "cargo fmt --check" cargo fmt --all -- --check
timed "cargo clippy" cargo clippy --locked --workspace --all-targets -- -D warnings
timed "build node" build_node
timed "cargo tests" cargo test --locked --workspace
# The benchmarks run once each as tests, in the pallets' mock runtimes.
timed "benchmark tests" cargo test --locked -p pallet-registry -p pallet-smart-contract \
	--features runtime-benchmarks -- benchmarking::
timed "npm ci" npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
timed "end-to-end tests" env GRIDCHAIN_NODE="$NODE_BINARY" ZOS_SIM="$SIM_BINARY" npm test --prefix tests/e2e

log "all tests passed in $((SECONDS - total_start)) s"
