#!/usr/bin/env bash
# Starts a single-node development chain: Alice authors and finalizes blocks, RPC on
# ws://127.0.0.1:9944 (connect polkadot.js Apps or @polkadot/api there). Builds first if needed.
# The chain's state is temporary (--tmp); extra arguments are passed to the node,
# e.g. `scripts/devnet.sh --rpc-external` or `scripts/devnet.sh --base-path /tmp/gridchain`.
#
# The dev chain has a farm operated by Alice with one node (node 1) whose ZOS API is at
# http://127.0.0.1:8080/; this script starts zos-sim, the ZOS node simulator, there, so an
# agreement made on node 1 is deployed by the dev node's off-chain worker (docs/zos.md). Its
# state is temporary too. DEVNET_ZOS_SIM=0 leaves the simulator out.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_build_prerequisites
cd "$REPO_ROOT"
build_node

has_base_path=false
for arg in "$@"; do
	case "$arg" in --base-path|--base-path=*|-d) has_base_path=true ;; esac
done
storage=(--tmp)
$has_base_path && storage=()

if [ "${DEVNET_ZOS_SIM:-1}" != 0 ]; then
	sim_dir="$(mktemp -d)"
	"$SIM_BINARY" --node-id 1 --listen 127.0.0.1:8080 --chain-rpc http://127.0.0.1:9944 \
		--state-file "$sim_dir/state.json" &
	sim_pid=$!
	trap 'kill "$sim_pid" 2>/dev/null; rm -rf "$sim_dir"' EXIT
fi

cat <<EOF
The gridchain command line (docs/cli.md) reaches this chain at its default address:
  alias gridchain='$CLI_BINARY'
  export GRIDCHAIN_SURI=//Alice   # the key that signs; a --key-file for real keys
  gridchain node list
The grid explorer (docs/explorer.md), in another terminal: scripts/explorer.sh, then
  http://127.0.0.1:${EXPLORER_PORT:-8000}/
EOF

"$NODE_BINARY" --dev "${storage[@]}" --rpc-port 9944 --rpc-cors all "$@"
