#!/usr/bin/env bash
# Regenerates the weights of gridchain's pallets from benchmarks run on this machine, with the
# node built with `--features runtime-benchmarks` (release profile: debug wasm execution
# would measure the compiler, not the code). Writes pallets/<name>/src/weights.rs and prints
# the weights that docs/benchmarks.md compares with balances.transfer_keep_alive.
#
# Usage: scripts/bench.sh [pallet ...]   (default: every gridchain pallet)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$REPO_ROOT"
ensure_build_prerequisites
timed "build benchmarking node" cargo build --locked --release -p gridchain-node --features runtime-benchmarks
BENCH_NODE="$CARGO_TARGET_DIR/release/gridchain-node"

pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=(registry smart-contract)

STEPS="${BENCH_STEPS:-20}"
REPEAT="${BENCH_REPEAT:-10}"
mkdir -p "$CARGO_TARGET_DIR/bench"

run_benchmark() {
	local pallet="$1" output="$2"
	"$BENCH_NODE" benchmark pallet \
		--runtime "$CARGO_TARGET_DIR/release/wbuild/gridchain-runtime/gridchain_runtime.compact.compressed.wasm" \
		--genesis-builder=runtime --genesis-builder-preset=development \
		--pallet "$pallet" --extrinsic '*' \
		--steps "$STEPS" --repeat "$REPEAT" \
		--wasm-execution compiled --heap-pages 4096 \
		"${@:3}" --output "$output"
}

for name in "${pallets[@]}"; do
	crate="pallet_${name//-/_}"
	log "benchmarking $crate"
	run_benchmark "$crate" "pallets/$name/src/weights.rs" \
		--template scripts/bench/weight-template.hbs --header scripts/bench/header.txt
done

# The reference: pallet-balances' transfer_keep_alive, measured in the same run.
log "benchmarking pallet_balances (reference)"
run_benchmark pallet_balances "$CARGO_TARGET_DIR/bench/pallet_balances.rs"
cargo fmt --all
log "weights written; compare with $CARGO_TARGET_DIR/bench/pallet_balances.rs"
