#!/usr/bin/env bash
# Builds the grid explorer (explorer/) and serves it on http://127.0.0.1:8000/ (EXPLORER_PORT
# to change). It is a static site: it reads everything from the node the page names
# (`?node=ws://…`, default ws://127.0.0.1:9944, the node of scripts/devnet.sh). Extra arguments
# go to `vite preview` (e.g. `--host 0.0.0.0` to serve other machines).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$REPO_ROOT"
build_explorer
port="${EXPLORER_PORT:-8000}"
log "the explorer: http://127.0.0.1:$port/ (reads ws://127.0.0.1:9944 unless the page is given ?node=)"
cd explorer
exec npx vite preview --host 127.0.0.1 --port "$port" --strictPort "$@"
