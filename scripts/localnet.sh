#!/usr/bin/env bash
# Starts a local test network of four validators (Alice, Bob, Charlie and Dave) on this host:
# four gridchain-node processes on loopback ports, each with its own base path, connected
# through their p2p bootnodes (Alice's node is everyone's bootnode). Real libp2p, Aura and
# GRANDPA: any three of the four finalize blocks. Builds first if needed.
#
#   scripts/localnet.sh            # start (or continue) the network; Ctrl-C stops all four
#   LOCALNET_PURGE=1 scripts/localnet.sh   # start from genesis again
#
# LOCALNET_DIR (default /tmp/gridchain-localnet) holds each node's base path and log
# (`$LOCALNET_DIR/<name>/node.log`). Ports: p2p 30333-30336, RPC 9944-9947 (ws:// and http://),
# in the order Alice, Bob, Charlie, Dave; LOCALNET_P2P_PORT and LOCALNET_RPC_PORT move the
# first of each. The chain is `local_testnet` (runtime/src/genesis_config_presets.rs): sessions
# of 5 blocks, the council of the nine development guardians admits validators
# (docs/validator.md).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_build_prerequisites
cd "$REPO_ROOT"
build_node

dir="${LOCALNET_DIR:-/tmp/gridchain-localnet}"
p2p_port="${LOCALNET_P2P_PORT:-30333}"
rpc_port="${LOCALNET_RPC_PORT:-9944}"
names=(alice bob charlie dave)

if [ "${LOCALNET_PURGE:-0}" = 1 ]; then
	log "removing $dir"
	rm -rf "$dir"
fi
mkdir -p "$dir"

# Each node keeps its p2p identity in its base path, so restarts keep its peer id.
peer_id() {
	local key_file="$1"
	[ -f "$key_file" ] || "$NODE_BINARY" key generate-node-key --file "$key_file" 2>/dev/null
	"$NODE_BINARY" key inspect-node-key --file "$key_file"
}

pids=()
stop_all() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait
}
trap stop_all EXIT INT TERM

bootnode=""
for i in "${!names[@]}"; do
	name="${names[$i]}"
	base="$dir/$name"
	mkdir -p "$base"
	id="$(peer_id "$base/node-key")"
	port=$((p2p_port + i))
	[ -n "$bootnode" ] || bootnode="/ip4/127.0.0.1/tcp/$port/p2p/$id"
	"$NODE_BINARY" --chain local --base-path "$base" --"$name" --validator \
		--node-key-file "$base/node-key" --port "$port" --rpc-port $((rpc_port + i)) \
		--rpc-cors all --bootnodes "$bootnode" --no-mdns --no-prometheus --no-telemetry \
		>"$base/node.log" 2>&1 &
	pids+=($!)
	printf '%-8s RPC ws://127.0.0.1:%d  p2p /ip4/127.0.0.1/tcp/%d/p2p/%s  log %s\n' \
		"$name" $((rpc_port + i)) "$port" "$id" "$base/node.log"
done

log "four validators started; polkadot.js Apps: https://polkadot.js.org/apps/?rpc=ws://127.0.0.1:$rpc_port"
log "Ctrl-C stops them (the chain stays in $dir; LOCALNET_PURGE=1 starts it again from genesis)"
# Stop everything as soon as one node exits: a network with a node missing is not the one
# this script promises.
wait -n
log "a node exited; stopping the others (see its node.log)"
