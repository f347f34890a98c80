#!/usr/bin/env bash
# Builds daprd, placement and scheduler from the Dapr Go module (the release binaries come from
# outside the package registries) and the Dapr CLI from its module, into the cache:
#   $DAPR_HOME/.dapr/bin/{daprd,placement,scheduler,dapr}
# `dapr run` finds daprd there when DAPR_RUNTIME_PATH=$DAPR_HOME. Idempotent.
source "$(dirname "$0")/../lib/common.sh"

if [[ -x "$DAPR_BIN/daprd" && -x "$DAPR_BIN/placement" && -x "$DAPR_BIN/scheduler" && -x "$DAPR_BIN/dapr" ]]; then
  ok "Dapr $DAPR_VERSION already built in $DAPR_BIN"
  exit 0
fi
need go "install Go 1.26+ (Debian/Go toolchain); Dapr $DAPR_VERSION is built from its Go module"
mkdir -p "$DAPR_BIN" "$CACHE_ROOT/build"
BUILD_LOG="$CACHE_ROOT/build/dapr-$DAPR_VERSION.log"
: >"$BUILD_LOG"

if [[ ! -x "$DAPR_BIN/daprd" || ! -x "$DAPR_BIN/placement" || ! -x "$DAPR_BIN/scheduler" ]]; then
  # dapr/dapr's go.mod has replace directives, so `go install ...@version` is refused: download
  # the module, copy it somewhere writable and build it there.
  say "downloading the Dapr $DAPR_VERSION Go module (cold: a few minutes)"
  dir="$(go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || die "go mod download of github.com/dapr/dapr@v$DAPR_VERSION gave no directory"
  src="$CACHE_ROOT/build/dapr-src-$DAPR_VERSION"
  if [[ ! -f "$src/go.mod" ]]; then cp -r "$dir" "$src.tmp"; chmod -R u+w "$src.tmp"; mv "$src.tmp" "$src"; fi
  ldflags="-X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION -X github.com/dapr/kit/logger.DaprVersion=$DAPR_VERSION -s -w"
  # stablecomponents: without a components tag daprd panics at start.
  for cmd in daprd placement scheduler; do
    (cd "$src" && CGO_ENABLED=0 run_logged "building $cmd $DAPR_VERSION (cold: many minutes, 2 cores)" "$BUILD_LOG.$cmd" \
      go build -tags stablecomponents -ldflags "$ldflags" -o "$DAPR_BIN/$cmd" "./cmd/$cmd")
    ok "$cmd built ($(elapsed))"
  done
  rm -rf "$src"
fi

if [[ ! -x "$DAPR_BIN/dapr" ]]; then
  # The newest Dapr CLI whose module the registry here serves is $DAPR_CLI_VERSION; `go install`
  # is refused (it asks for the version list), so download the exact version and build a copy.
  # Its go.mod asks for components-contrib v1.16.3, which the registry refuses; the CLI uses
  # only a few metadata types from it, so it is built against v1.16.1 (same minor line).
  say "downloading the Dapr CLI $DAPR_CLI_VERSION Go module"
  dir="$(go mod download -json "github.com/dapr/cli@v$DAPR_CLI_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || die "go mod download of github.com/dapr/cli@v$DAPR_CLI_VERSION gave no directory"
  src="$CACHE_ROOT/build/dapr-cli-src-$DAPR_CLI_VERSION"
  rm -rf "$src"; cp -r "$dir" "$src"; chmod -R u+w "$src"
  (cd "$src" && go mod edit -replace github.com/dapr/components-contrib=github.com/dapr/components-contrib@v1.16.1 \
    && run_logged "resolving the Dapr CLI's modules" "$BUILD_LOG.cli-tidy" go mod tidy -e \
    && CGO_ENABLED=0 run_logged "building the Dapr CLI $DAPR_CLI_VERSION" "$BUILD_LOG.cli" \
      go build -ldflags "-X main.version=$DAPR_CLI_VERSION -X main.apiVersion=1.0 -s -w" -o "$DAPR_BIN/dapr" .)
  rm -rf "$src"
  ok "dapr CLI built ($(elapsed))"
fi
"$DAPR_BIN/daprd" --version
ok "Dapr $DAPR_VERSION in $DAPR_BIN ($(elapsed))"
