# Shared by the scripts: the persistent target dir and the prerequisites of a fresh machine.
# Source it; do not run it.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Builds live outside the checkout so every clone (and CI) reuses the last build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gridchain-target}"
mkdir -p "$CARGO_TARGET_DIR"

log() { printf '==> %s\n' "$*" >&2; }

# Runs "$@" and prints how long it took.
timed() {
	local label="$1"; shift
	local start=$SECONDS
	"$@"
	log "$label took $((SECONDS - start)) s"
}

# Debian packages needed to build the node: protoc (litep2p's protobuf code), OpenSSL headers
# (litep2p's WebRTC), pkg-config, and a C compiler. Installed only when missing.
ensure_system_packages() {
	local missing=()
	command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
	command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
	command -v cc >/dev/null 2>&1 || missing+=(build-essential)
	dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		local sudo=""
		[ "$(id -u)" -eq 0 ] || sudo="sudo"
		$sudo apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
}

# The runtime is compiled to wasm32v1-none, which needs the target and the standard library
# sources.
ensure_rust_targets() {
	rustup target list --installed | grep -qx wasm32v1-none || rustup target add wasm32v1-none
	rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src
}

# The explorer's browser tests drive Debian's Chromium (no test tool downloads a browser).
ensure_test_packages() {
	if [ ! -x /usr/bin/chromium ]; then
		log "installing chromium (for the explorer's browser tests)"
		local sudo=""
		[ "$(id -u)" -eq 0 ] || sudo="sudo"
		$sudo apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
	fi
}

# Installs the explorer's packages (exactly as locked) and builds its static site into
# explorer/dist.
build_explorer() {
	npm ci --prefix "$REPO_ROOT/explorer" --no-audit --no-fund --loglevel=error
	npm run build --prefix "$REPO_ROOT/explorer" --silent
}

ensure_build_prerequisites() {
	ensure_system_packages
	ensure_rust_targets
}

# Each compiled unit of our crates (per feature set and profile, and anew whenever its
# dependencies change) keeps an incremental cache of its own; cargo never removes the stale ones,
# and they filled this machine's disk after a few weeks (41 GiB of 70). Above
# INCREMENTAL_CACHE_MAX_GIB (default 12), the least recently used go until two thirds are left: at
# worst a unit then compiles once from scratch.
prune_incremental_cache() {
	local dir="$CARGO_TARGET_DIR/debug/incremental"
	[ -d "$dir" ] || return 0
	local max_kib=$(( ${INCREMENTAL_CACHE_MAX_GIB:-12} * 1024 * 1024 ))
	local keep_kib=$(( max_kib * 2 / 3 ))
	local total_kib
	total_kib="$(du -sk "$dir" | cut -f1)"
	[ "$total_kib" -gt "$max_kib" ] || return 0
	log "pruning the incremental cache ($(( total_kib / 1024 / 1024 )) GiB)"
	local unit size
	# Oldest first (by the time rustc last wrote a session into the unit's directory).
	while IFS= read -r unit; do
		[ "$total_kib" -gt "$keep_kib" ] || break
		size="$(du -sk "$unit" | cut -f1)"
		rm -rf "$unit"
		total_kib=$(( total_kib - size ))
	done < <(find "$dir" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' | sort -n | cut -d' ' -f2-)
}

# Builds the debug node binary (and with it the runtime's wasm) and the ZOS node simulator, in
# one cargo invocation so both always share one feature resolution (and one set of artifacts).
build_node() {
	prune_incremental_cache
	cargo build --locked -p gridchain-node -p zos-sim -p stellar-sim -p gridchain-bridge -p gridchain-cli
}

NODE_BINARY="$CARGO_TARGET_DIR/debug/gridchain-node"
SIM_BINARY="$CARGO_TARGET_DIR/debug/zos-sim"
CLI_BINARY="$CARGO_TARGET_DIR/debug/gridchain"
