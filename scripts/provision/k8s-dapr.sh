#!/usr/bin/env bash
# Builds the Kubernetes-only parts of the Dapr control plane (operator, sidecar injector, sentry)
# from the pinned Dapr Go module, with the build flags scripts/provision/dapr.sh gives daprd,
# placement and scheduler (components tag, version ldflags), into the cache:
#   $CACHE/dapr-k8s-$DAPR_VERSION/bin/{operator,injector,sentry}
# Runs scripts/provision/dapr.sh first (daprd, placement, scheduler are in the images too).
# Prints, on stdout: export DAPR_K8S_BIN=... DAPR_BIN=...  Idempotent.
#
#   eval "$(scripts/provision/k8s-dapr.sh)"
source "$(dirname "$0")/../lib/common.sh"

DAPR_K8S_HOME="$CACHE_ROOT/dapr-k8s-$DAPR_VERSION"
BUILD_LOG_DIR="$CACHE_ROOT/build"
"$REPO_ROOT/scripts/provision/dapr.sh" >&2

missing=()
for cmd in operator injector sentry; do [[ -x "$DAPR_K8S_HOME/bin/$cmd" ]] || missing+=("$cmd"); done
if (( ${#missing[@]} )); then
  need go "install Go 1.26+; the Dapr control plane is built from its Go module"
  dir="$(go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || die "go mod download of github.com/dapr/dapr@v$DAPR_VERSION gave no directory"
  src="$CACHE_ROOT/build/dapr-k8s-src-$DAPR_VERSION"
  rm -rf "$src"; cp -r "$dir" "$src"; chmod -R u+w "$src"
  # The same flags as scripts/provision/dapr.sh: without a components tag daprd panics, and
  # without the version the control plane reports `edge`.
  ldflags="-X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION -X github.com/dapr/kit/logger.DaprVersion=$DAPR_VERSION -s -w"
  mkdir -p "$DAPR_K8S_HOME/bin.tmp"
  pkgs=(); for cmd in "${missing[@]}"; do pkgs+=("./cmd/$cmd"); done
  (cd "$src" && CGO_ENABLED=0 run_logged "building Dapr $DAPR_VERSION ${missing[*]} (cold: about 5 minutes, a minute with daprd built)" \
    "$BUILD_LOG_DIR/dapr-k8s-$DAPR_VERSION.log" \
    go build -tags stablecomponents -ldflags "$ldflags" -o "$DAPR_K8S_HOME/bin.tmp/" "${pkgs[@]}")
  mkdir -p "$DAPR_K8S_HOME/bin"
  for cmd in "${missing[@]}"; do mv "$DAPR_K8S_HOME/bin.tmp/$cmd" "$DAPR_K8S_HOME/bin/$cmd"; done
  rm -rf "$DAPR_K8S_HOME/bin.tmp" "$src"
fi
ok "Dapr $DAPR_VERSION operator, injector, sentry in $DAPR_K8S_HOME/bin" >&2
printf 'export DAPR_K8S_BIN=%q DAPR_BIN=%q\n' "$DAPR_K8S_HOME/bin" "$DAPR_BIN"
