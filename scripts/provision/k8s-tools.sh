#!/usr/bin/env bash
# Provides the chart's offline checkers into the cache, built from their Go modules (no release
# downloads): helm (pinned, with the version ldflags the upstream Makefile sets, so `helm version`
# and the default Kubernetes version are right) and kubectl-validate (Kubernetes schemas built in).
# Also locates Dapr's CRDs, which ship inside the Dapr Go module. Idempotent: a second run only
# checks. Prints, on stdout, shell exports: HELM, KUBECTL_VALIDATE, DAPR_CRDS, DAPR_CHART.
# With --apiserver it also builds a real kube-apiserver and etcd (for `scripts/chart-test
# --apiserver`) and exports KUBE_APISERVER and ETCD.
#
#   eval "$(scripts/provision/k8s-tools.sh [--apiserver])"
source "$(dirname "$0")/../lib/common.sh"

HELM_VERSION="3.21.4"
HELM_K8S_MINOR="36"                 # helm 3.21.4 builds against k8s.io/client-go v0.36
KUBECTL_VALIDATE_VERSION="0.0.4"    # the only tagged release the Go module proxy lists
KUBE_APISERVER_VERSION="1.34.4"     # k8s.io/kubernetes; its staging modules are published as v0.34.4
ETCD_VERSION="3.6.16"
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

# Builds a main package of a module whose go.mod has `replace` directives pointing into its own
# repository (which `go install` refuses): copies the module, swaps each such replace for the
# published module at the given version, and builds.
#   build_replaced WHAT MODULE@VER PKG OUT STAGING_VER [LDFLAGS]
build_replaced() {
  local what="$1" modver="$2" pkg="$3" out="$4" staging_ver="$5" ldflags="-s -w ${6:-}" dir src
  dir="$(go mod download -json "$modver" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" ]] || die "go mod download $modver failed"
  src="$CACHE_ROOT/build/src-${modver//[\/@]/_}"
  rm -rf "$src"; cp -r "$dir" "$src"; chmod -R u+w "$src"
  rm -rf "$src/vendor" "$src/go.work" "$src/go.work.sum"
  local m
  for m in $(sed -n 's/^[[:space:]]*\(replace[[:space:]]\{1,\}\)\{0,1\}\([^[:space:]]*\) => \.\{1,2\}\/.*/\2/p' "$src/go.mod"); do
    (cd "$src" && go mod edit -dropreplace="$m")
    if [[ "$m" == k8s.io/* || "$m" == go.etcd.io/etcd/*/v3 ]]; then
      (cd "$src" && go mod edit -require="$m@$staging_ver")
    fi
  done
  run_logged "$what" "$BUILD_LOG_DIR/$(basename "$out").log" \
    env -C "$src" GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 go build -ldflags "$ldflags" -o "$out.tmp" "$pkg"
  mv "$out.tmp" "$out"
  rm -rf "$src"
}

# What the Kubernetes Makefile stamps into its binaries; without it the server says v0.0.0-master and
# charts with a kubeVersion constraint refuse to install.
k8s_version_ldflags() {
  local v="$1" minor="${1#*.}"; minor="${minor%%.*}"
  local pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    printf -- '-X %s.gitVersion=v%s -X %s.gitMajor=1 -X %s.gitMinor=%s -X %s.gitTreeState=clean ' \
      "$pkg" "$v" "$pkg" "$pkg" "$minor" "$pkg"
  done
}

if [[ "${1:-}" == --apiserver ]]; then
  etcd_bin="$K8S_TOOLS_HOME/bin/etcd-$ETCD_VERSION"
  apiserver_bin="$K8S_TOOLS_HOME/bin/kube-apiserver-$KUBE_APISERVER_VERSION"
  if [[ ! -x "$etcd_bin" ]]; then
    build_replaced "building etcd $ETCD_VERSION from its Go module (cold: about 1 minute)" \
      "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" . "$etcd_bin" "v$ETCD_VERSION"
  fi
  if [[ ! -x "$apiserver_bin" ]]; then
    build_replaced "building kube-apiserver $KUBE_APISERVER_VERSION from k8s.io/kubernetes (cold: about 10 minutes)" \
      "k8s.io/kubernetes@v$KUBE_APISERVER_VERSION" ./cmd/kube-apiserver "$apiserver_bin" \
      "v0.${KUBE_APISERVER_VERSION#1.}" "$(k8s_version_ldflags "$KUBE_APISERVER_VERSION")"
  fi
  printf 'export KUBE_APISERVER=%q ETCD=%q\n' "$apiserver_bin" "$etcd_bin"
fi

ok "helm $HELM_VERSION, kubectl-validate $KUBECTL_VALIDATE_VERSION in $K8S_TOOLS_HOME/bin; Dapr $DAPR_VERSION CRDs in $dapr_dir/charts/dapr/crds"
printf 'export HELM=%q KUBECTL_VALIDATE=%q DAPR_CRDS=%q DAPR_CHART=%q\n' \
  "$K8S_TOOLS_HOME/bin/helm" "$K8S_TOOLS_HOME/bin/kubectl-validate" \
  "$dapr_dir/charts/dapr/crds" "$dapr_dir/charts/dapr"
