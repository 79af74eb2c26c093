#!/bin/sh
# Installs what the cluster fixture runs beside the Kubernetes binaries, from Debian's packages, as
# root: containerd and runc (the container runtime), etcd (the API server's store), the CNI plugins
# (the pod bridge), iptables and conntrack (kube-proxy), podman and debootstrap (the images are built
# locally: nothing is pulled), openssl (the cluster's certificates) and gcc (the pause program).
# Idempotent: does nothing when every tool is on PATH; otherwise one `apt-get update`, one install.
set -eu
export PATH="$PATH:/usr/sbin:/sbin"
missing=''
for pair in containerd:containerd runc:runc etcd:etcd-server iptables:iptables conntrack:conntrack \
  podman:podman debootstrap:debootstrap openssl:openssl gcc:gcc; do
  tool=${pair%%:*}
  command -v "$tool" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
[ -x /usr/lib/cni/bridge ] || missing="$missing containernetworking-plugins"
if [ -z "$missing" ]; then
  echo "install-runtime: the cluster's runtime is installed"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-runtime: missing:$missing; installing needs root and apt-get" >&2
  exit 1
fi
echo "install-runtime: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# libc6-dev: the pause program is linked statically.
apt-get install -y -qq --no-install-recommends $missing libc6-dev >/dev/null
# Debian starts containerd and etcd as services on install: the fixture runs its own, on its own paths.
for service in containerd etcd; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
    systemctl disable --now "$service" >/dev/null 2>&1 || true
  fi
done
