#!/usr/bin/env bash
# Provides the chart's offline checkers into the cache, built from their Go modules (no release
# downloads): helm (pinned, with the version ldflags the upstream Makefile sets, so `helm version`
# and the default Kubernetes version are right) and kubectl-validate (Kubernetes schemas built in).
# Also locates Dapr's CRDs, which ship inside the Dapr Go module. Idempotent: a second run only
# checks. Prints, on stdout, shell exports: HELM, KUBECTL_VALIDATE, DAPR_CRDS, DAPR_CHART.
#
#   eval "$(scripts/provision/k8s-tools.sh)"
source "$(dirname "$0")/../lib/common.sh"

HELM_VERSION="3.21.4"
HELM_K8S_MINOR="36"                 # helm 3.21.4 builds against k8s.io/client-go v0.36
KUBECTL_VALIDATE_VERSION="0.0.4"    # the only tagged release the Go module proxy lists
K8S_TOOLS_HOME="$CACHE_ROOT/k8s-tools-h$HELM_VERSION-kv$KUBECTL_VALIDATE_VERSION"
BUILD_LOG_DIR="$CACHE_ROOT/build"
need go "install Go 1.26 (helm and kubectl-validate are built from their Go modules)"

mkdir -p "$K8S_TOOLS_HOME/bin" "$BUILD_LOG_DIR"

if [[ ! -x "$K8S_TOOLS_HOME/bin/helm" ]]; then
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION"
  ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in lint/rules chartutil; do
    ldflags+=" -X helm.sh/helm/v3/pkg/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/$pkg.k8sVersionMinor=$HELM_K8S_MINOR"
  done
  run_logged "building helm $HELM_VERSION from its Go module (cold: about 2-3 minutes)" \
    "$BUILD_LOG_DIR/helm-$HELM_VERSION.log" \
    env GOBIN="$K8S_TOOLS_HOME/bin.tmp" CGO_ENABLED=0 \
      go install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
  mv "$K8S_TOOLS_HOME/bin.tmp/helm" "$K8S_TOOLS_HOME/bin/helm"
fi
"$K8S_TOOLS_HOME/bin/helm" version --short | grep -q "v$HELM_VERSION" \
  || die "$K8S_TOOLS_HOME/bin/helm is not helm $HELM_VERSION; delete it and run again"

if [[ ! -x "$K8S_TOOLS_HOME/bin/kubectl-validate" ]]; then
  run_logged "building kubectl-validate $KUBECTL_VALIDATE_VERSION from its Go module (cold: about 2-4 minutes)" \
    "$BUILD_LOG_DIR/kubectl-validate-$KUBECTL_VALIDATE_VERSION.log" \
    env GOBIN="$K8S_TOOLS_HOME/bin.tmp" CGO_ENABLED=0 \
      go install -ldflags "-s -w" "sigs.k8s.io/kubectl-validate@v$KUBECTL_VALIDATE_VERSION"
  mv "$K8S_TOOLS_HOME/bin.tmp/kubectl-validate" "$K8S_TOOLS_HOME/bin/kubectl-validate"
fi
rmdir "$K8S_TOOLS_HOME/bin.tmp" 2>/dev/null || true

# Dapr's CRDs and chart: from the Dapr Go module of the pinned runtime version (usually already in
# the module cache, since scripts/provision/dapr.sh builds daprd from it).
dapr_dir="$(go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" 2>"$BUILD_LOG_DIR/dapr-module.log" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" \
  || die "go mod download github.com/dapr/dapr@v$DAPR_VERSION failed; see $BUILD_LOG_DIR/dapr-module.log"
[[ -d "$dapr_dir/charts/dapr/crds" ]] || die "no charts/dapr/crds in the Dapr module ($dapr_dir)"

ok "helm $HELM_VERSION, kubectl-validate $KUBECTL_VALIDATE_VERSION in $K8S_TOOLS_HOME/bin; Dapr $DAPR_VERSION CRDs in $dapr_dir/charts/dapr/crds"
printf 'export HELM=%q KUBECTL_VALIDATE=%q DAPR_CRDS=%q DAPR_CHART=%q\n' \
  "$K8S_TOOLS_HOME/bin/helm" "$K8S_TOOLS_HOME/bin/kubectl-validate" \
  "$dapr_dir/charts/dapr/crds" "$dapr_dir/charts/dapr"
