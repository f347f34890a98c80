#!/usr/bin/env bash
# Provides the chart's offline checkers into the cache, built from their Go modules (no release
# downloads): helm (pinned, with the version ldflags the upstream Makefile sets, so `helm version`
# and the default Kubernetes version are right) and kubectl-validate (Kubernetes schemas built in).
# Also locates Dapr's CRDs, which ship inside the Dapr Go module. Idempotent: a second run only
# checks. Prints, on stdout, shell exports: HELM, KUBECTL_VALIDATE, DAPR_CRDS, DAPR_CHART.
# With --apiserver it also builds a real kube-apiserver and etcd (for `scripts/chart-test
# --apiserver`) and exports KUBE_APISERVER and ETCD. With --cluster it builds the rest of a node
# for scripts/cluster (kubelet, controller-manager, scheduler, kube-proxy, kubectl from the same
# module; CoreDNS; crictl; the pause binary) and also exports KUBE_BIN, COREDNS, CRICTL, PAUSE,
# without building kubectl-validate (only scripts/chart-test uses it).
# One folder per tool and version: $CACHE/kubernetes-1.34.4/bin, etcd-3.6.16, coredns-..., ...
#
#   eval "$(scripts/provision/k8s-tools.sh [--apiserver | --cluster])"
source "$(dirname "$0")/../lib/common.sh"

HELM_VERSION="3.21.4"
HELM_K8S_MINOR="36"                 # helm 3.21.4 builds against k8s.io/client-go v0.36
KUBECTL_VALIDATE_VERSION="0.0.4"    # the only tagged release the Go module proxy lists
# k8s.io/kubernetes; its staging modules are published as v0.34.x. Stay on 1.34: containerd 1.6
# (Debian 12) lacks the RuntimeConfig CRI call, and 1.35+ refuses cgroup v1 by default.
KUBE_VERSION="1.34.4"
ETCD_VERSION="3.6.16"
COREDNS_VERSION="1.14.7"
# The plugins of the cluster's Corefile (scripts/cluster): no forward (nothing is upstream), so no loop.
COREDNS_PLUGINS="bind cache errors health kubernetes loadbalance log metrics ready reload whoami"
CRICTL_VERSION="1.34.0"
PAUSE_VERSION="3.10.1"             # build/pause/Makefile's TAG in the kubernetes module
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

# kubectl-validate is the chart checks' (scripts/chart-test), not the cluster's: --cluster skips it.
if [[ "${1:-}" != --cluster && ! -x "$K8S_TOOLS_HOME/bin/kubectl-validate" ]]; then
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

# Builds main packages of a module whose go.mod has `replace` directives pointing into its own
# repository (which `go install` refuses): copies the module, swaps each such replace for the
# published module at the given version, and builds every package in one `go build` (they share
# the compile). Each PKG=NAME puts the binary of PKG at OUT_DIR/NAME.
#   build_replaced WHAT MODULE@VER STAGING_VER LDFLAGS OUT_DIR PKG=NAME...
build_replaced() {
  local what="$1" modver="$2" staging_ver="$3" ldflags="-s -w $4" out_dir="$5" dir src m spec
  shift 5
  dir="$(go mod download -json "$modver" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" ]] || die "go mod download $modver failed"
  src="$CACHE_ROOT/build/src-${modver//[\/@]/_}"
  rm -rf "$src"; cp -r "$dir" "$src"; chmod -R u+w "$src"
  rm -rf "$src/vendor" "$src/go.work" "$src/go.work.sum"
  for m in $(sed -n 's/^[[:space:]]*\(replace[[:space:]]\{1,\}\)\{0,1\}\([^[:space:]]*\) => \.\{1,2\}\/.*/\2/p' "$src/go.mod"); do
    (cd "$src" && go mod edit -dropreplace="$m")
    if [[ "$m" == k8s.io/* || "$m" == go.etcd.io/etcd/*/v3 ]]; then
      (cd "$src" && go mod edit -require="$m@$staging_ver")
    fi
  done
  local pkgs=() tmp="$out_dir/.build"
  for spec in "$@"; do pkgs+=("${spec%%=*}"); done
  rm -rf "$tmp"; mkdir -p "$tmp"
  run_logged "$what" "$BUILD_LOG_DIR/${1##*=}-${modver##*@v}.log" \
    env -C "$src" GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 go build -ldflags "$ldflags" -o "$tmp/" "${pkgs[@]}"
  if (( $# == 1 )); then
    # One package: go names its binary after the import path (etcd's comes out as `server`).
    mv "$tmp"/* "$out_dir/${1##*=}"
  else
    for spec in "$@"; do mv "$tmp/$(basename "${spec%%=*}")" "$out_dir/${spec##*=}"; done
  fi
  rm -rf "$tmp" "$src"
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

KUBE_HOME="$CACHE_ROOT/kubernetes-$KUBE_VERSION"
ETCD_HOME="$CACHE_ROOT/etcd-$ETCD_VERSION"
KUBE_STAGING="v0.${KUBE_VERSION#1.}"
mkdir -p "$KUBE_HOME/bin" "$ETCD_HOME/bin"
what="${1:-}"
if [[ "$what" == --cluster ]]; then
  # Every binary of a node from the one module, in one build (they share most of the compile).
  missing=()
  for b in kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubectl; do
    [[ -x "$KUBE_HOME/bin/$b" ]] || missing+=("./cmd/$b=$b")
  done
  if (( ${#missing[@]} )); then
    build_replaced "building ${missing[*]##*=} $KUBE_VERSION from k8s.io/kubernetes (cold: about 10 minutes on 2 busy cores)" \
      "k8s.io/kubernetes@v$KUBE_VERSION" "$KUBE_STAGING" "$(k8s_version_ldflags "$KUBE_VERSION")" \
      "$KUBE_HOME/bin" "${missing[@]}"
  fi
fi
if [[ "$what" == --apiserver || "$what" == --cluster ]]; then
  if [[ ! -x "$ETCD_HOME/bin/etcd" ]]; then
    build_replaced "building etcd $ETCD_VERSION from its Go module (cold: about 2 minutes)" \
      "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" "v$ETCD_VERSION" "" "$ETCD_HOME/bin" .=etcd
  fi
  if [[ ! -x "$KUBE_HOME/bin/kube-apiserver" ]]; then
    build_replaced "building kube-apiserver $KUBE_VERSION from k8s.io/kubernetes (cold: about 10 minutes)" \
      "k8s.io/kubernetes@v$KUBE_VERSION" "$KUBE_STAGING" "$(k8s_version_ldflags "$KUBE_VERSION")" \
      "$KUBE_HOME/bin" ./cmd/kube-apiserver=kube-apiserver
  fi
  printf 'export KUBE_APISERVER=%q ETCD=%q\n' "$KUBE_HOME/bin/kube-apiserver" "$ETCD_HOME/bin/etcd"
fi
if [[ "$what" == --cluster ]]; then
  "$KUBE_HOME/bin/kubelet" --version | grep -q "v$KUBE_VERSION" \
    || die "$KUBE_HOME/bin/kubelet is not $KUBE_VERSION; delete $KUBE_HOME and run again"

  # CoreDNS with only the plugins the cluster's Corefile uses (the full set doubles the build and
  # pulls every cloud SDK): its plugin list is the generated core/plugin/zplugin.go.
  COREDNS_HOME="$CACHE_ROOT/coredns-$COREDNS_VERSION"
  if [[ ! -x "$COREDNS_HOME/bin/coredns" ]]; then
    dir="$(go mod download -json "github.com/coredns/coredns@v$COREDNS_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [[ -n "$dir" ]] || die "go mod download github.com/coredns/coredns@v$COREDNS_VERSION failed"
    src="$CACHE_ROOT/build/src-coredns-$COREDNS_VERSION"
    rm -rf "$src"; cp -r "$dir" "$src"; chmod -R u+w "$src"
    {
      printf '// Trimmed by scripts/provision/k8s-tools.sh to the plugins the cluster uses.\npackage plugin\n\nimport (\n'
      for p in $COREDNS_PLUGINS; do printf '\t_ "github.com/coredns/coredns/plugin/%s"\n' "$p"; done
      printf ')\n'
    } >"$src/core/plugin/zplugin.go"
    mkdir -p "$COREDNS_HOME/bin"
    run_logged "building CoreDNS $COREDNS_VERSION ($COREDNS_PLUGINS) from its Go module (cold: about 5 minutes)" \
      "$BUILD_LOG_DIR/coredns-$COREDNS_VERSION.log" \
      env -C "$src" GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 go build -ldflags "-s -w" -o "$COREDNS_HOME/bin/coredns.tmp" .
    mv "$COREDNS_HOME/bin/coredns.tmp" "$COREDNS_HOME/bin/coredns"
    rm -rf "$src"
  fi

  CRICTL_HOME="$CACHE_ROOT/crictl-$CRICTL_VERSION"
  if [[ ! -x "$CRICTL_HOME/bin/crictl" ]]; then
    run_logged "building crictl $CRICTL_VERSION from its Go module (cold: about 2 minutes)" \
      "$BUILD_LOG_DIR/crictl-$CRICTL_VERSION.log" \
      env GOBIN="$CRICTL_HOME/bin.tmp" CGO_ENABLED=0 go install \
        -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=v$CRICTL_VERSION" \
        "sigs.k8s.io/cri-tools/cmd/crictl@v$CRICTL_VERSION"
    mkdir -p "$CRICTL_HOME/bin"; mv "$CRICTL_HOME/bin.tmp/crictl" "$CRICTL_HOME/bin/crictl"; rmdir "$CRICTL_HOME/bin.tmp"
  fi

  # The pod sandbox's pause process, from the C source inside the kubernetes module (static, so
  # its image is one file).
  PAUSE_HOME="$CACHE_ROOT/pause-$PAUSE_VERSION"
  if [[ ! -x "$PAUSE_HOME/pause" ]]; then
    need gcc "install gcc and libc6-dev (apt-get install gcc libc6-dev): the pause binary is compiled from its C source"
    dir="$(go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    mkdir -p "$PAUSE_HOME"
    gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION" -o "$PAUSE_HOME/pause.tmp" "$dir/build/pause/linux/pause.c" \
      2>"$BUILD_LOG_DIR/pause-$PAUSE_VERSION.log" \
      || die "gcc -static of pause.c failed (log: $BUILD_LOG_DIR/pause-$PAUSE_VERSION.log); static linking needs libc6-dev"
    mv "$PAUSE_HOME/pause.tmp" "$PAUSE_HOME/pause"
  fi
  printf 'export KUBE_BIN=%q COREDNS=%q COREDNS_VERSION=%q CRICTL=%q PAUSE=%q PAUSE_VERSION=%q\n' "$KUBE_HOME/bin" \
    "$COREDNS_HOME/bin/coredns" "$COREDNS_VERSION" "$CRICTL_HOME/bin/crictl" "$PAUSE_HOME/pause" "$PAUSE_VERSION"
fi

ok "helm $HELM_VERSION$([[ "$what" == --cluster ]] || echo ", kubectl-validate $KUBECTL_VALIDATE_VERSION") in $K8S_TOOLS_HOME/bin; Dapr $DAPR_VERSION CRDs in $dapr_dir/charts/dapr/crds"
printf 'export HELM=%q KUBECTL_VALIDATE=%q DAPR_CRDS=%q DAPR_CHART=%q\n' \
  "$K8S_TOOLS_HOME/bin/helm" "$K8S_TOOLS_HOME/bin/kubectl-validate" \
  "$dapr_dir/charts/dapr/crds" "$dapr_dir/charts/dapr"
