#!/usr/bin/env bash
# Runs every test of the project: formatting, clippy lints, the cargo tests of all crates, and the
# end-to-end tests that drive the real node through @polkadot/api. Installs what a fresh
# machine lacks. Build artifacts are kept in $CARGO_TARGET_DIR
# (default ~/.cache/gridchain-target) so the next run only rebuilds what changed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$REPO_ROOT"
total_start=$SECONDS

timed "prerequisites" ensure_build_prerequisites
timed "test packages" ensure_test_packages
timed "cargo fmt --check" cargo fmt --all -- --check
# The end-to-end tests' packages install, and the explorer builds, while the binaries build.
npm_log="$(mktemp)"
{ npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error && build_explorer; } >"$npm_log" 2>&1 &
npm_pid=$!
timed "build node" build_node
npm_status=0
wait "$npm_pid" || npm_status=$?
cat "$npm_log"; rm -f "$npm_log"
[ "$npm_status" -eq 0 ] || { log "npm ci or the explorer's build failed"; exit "$npm_status"; }

# The end-to-end tests spend most of their time waiting for 6-second blocks, so they run in the
# background (in their own process group, stopped if anything else fails) while the cargo tests
# use the cores; their output follows once they end.
e2e_log="$(mktemp)"
e2e_start=$SECONDS
setsid env GRIDCHAIN_NODE="$NODE_BINARY" ZOS_SIM="$SIM_BINARY" GRIDCHAIN_CLI="$CLI_BINARY" npm test --prefix tests/e2e \
	>"$e2e_log" 2>&1 &
e2e_pid=$!
trap 'kill -- -"$e2e_pid" 2>/dev/null || true; rm -f "$e2e_log"' EXIT
log "end-to-end tests started"

# The nodes of the end-to-end tests must author a block every 6 s and answer in time, while the
# compiler only needs throughput: clippy and the cargo tests run at a low priority so that, on 2 cores, it takes
# what the nodes leave (a CI run where it compiled at equal priority starved seven nodes
# starting at once for over 120 s).
# Clippy checks the runtime for the host only, so it skips the runtime's wasm build: a wasm
# build under clippy rewrites the wasm file the node embeds, and the next test run would relink
# the node (and recompile the runtime for the test nodes' cache) for nothing.
timed "cargo clippy" env SKIP_WASM_BUILD=1 nice -n 15 cargo clippy --locked --workspace \
	--all-targets -- -D warnings
timed "cargo tests" nice -n 15 cargo test --locked --workspace
# The benchmarks run once each as tests, in the pallets' mock runtimes.
timed "benchmark tests" nice -n 15 cargo test --locked -p pallet-registry -p pallet-smart-contract \
	-p pallet-guardian -p pallet-iou -p pallet-tft-bridge -p pallet-validators --features runtime-benchmarks \
	-- benchmarking::

e2e_status=0
wait "$e2e_pid" || e2e_status=$?
cat "$e2e_log"
# The test runner's own duration: the tests may have ended before the cargo tests did.
e2e_ms="$(sed -n 's/^ℹ duration_ms \([0-9]*\).*/\1/p' "$e2e_log" | tail -n 1)"
log "end-to-end tests took $(( ${e2e_ms:-0} / 1000 )) s, beside the cargo tests (done $((SECONDS - e2e_start)) s after they started)"
[ "$e2e_status" -eq 0 ] || { log "end-to-end tests failed"; exit "$e2e_status"; }

log "all tests passed in $((SECONDS - total_start)) s"
