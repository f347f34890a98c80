#!/usr/bin/env bash
# Installs the parts of the cluster (scripts/cluster) and of its image builds (scripts/build-images)
# that come from Debian's packages: containerd (its CRI plugin is built in), runc, the CNI plugins
# (/usr/lib/cni), iptables and conntrack (kube-proxy's iptables mode), debootstrap (the images'
# Debian base). Installing them starts nothing: Debian's containerd ships only a systemd unit, and
# this machine has no systemd. Idempotent: a second run only checks the versions.
#
#   scripts/provision/k8s-debian.sh
source "$(dirname "$0")/../lib/common.sh"

# What the cluster was built and checked against (Debian 12). containerd 1.7+ would also do;
# 1.6 lacks the RuntimeConfig CRI call, which kubelet 1.34 tolerates (1.35+ does not).
CONTAINERD_MINOR="1.6"
PACKAGES=(containerd runc containernetworking-plugins iptables conntrack debootstrap wget)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  [[ $EUID == 0 ]] || die "missing Debian packages: ${missing[*]}; install them: sudo apt-get install -y --no-install-recommends ${missing[*]}"
  run_logged "apt-get update" "$CACHE_ROOT/build/apt-update.log" apt-get update
  DEBIAN_FRONTEND=noninteractive run_logged "apt-get install ${missing[*]}" "$CACHE_ROOT/build/apt-k8s.log" \
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

version="$(containerd --version | awk '{print $3}')"
[[ "$version" == "$CONTAINERD_MINOR".* || "$version" == 1.7.* ]] \
  || die "containerd $version is installed; scripts/cluster is written for $CONTAINERD_MINOR.x or 1.7.x (Debian 12's containerd package)"
[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] \
  || die "the CNI plugins are missing from /usr/lib/cni; reinstall: apt-get install --reinstall containernetworking-plugins"
ok "containerd $version, $(runc --version | head -1), CNI plugins in /usr/lib/cni, $(iptables --version), debootstrap $(dpkg-query -W -f '${Version}' debootstrap)"
