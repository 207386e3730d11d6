#!/usr/bin/env bash
# Starts a single-node development chain: Alice authors and finalizes blocks, RPC on
# ws://127.0.0.1:9944 (connect polkadot.js Apps or @polkadot/api there). Builds first if needed.
# The chain's state is temporary (--tmp); extra arguments are passed to the node,
# e.g. `scripts/devnet.sh --rpc-external` or `scripts/devnet.sh --base-path /tmp/gridchain`.
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

exec "$NODE_BINARY" --dev "${storage[@]}" --rpc-port 9944 --rpc-cors all "$@"
