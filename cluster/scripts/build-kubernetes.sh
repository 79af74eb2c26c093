#!/usr/bin/env bash
# Builds the Kubernetes binaries the cluster fixture runs, from Debian bookworm's `kubernetes` source
# package (1.20.5+really1.20.2), and caches them outside the clone:
#
#   ${ZERODOWN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zerodown}/kubernetes/<recipe>/bin
#
# where <recipe> is a hash of this script, so a changed recipe builds again and an unchanged one
# costs nothing (a second run returns in a second). Prints the bin folder on its last line.
#
# Two fixes the source needs on these machines (see cluster/README.md):
# - the vendored github.com/modern-go/reflect2 1.0.1 crashes under Go 1.19 ("fatal error: fault" in
#   UnsafeMapType.UnsafeIterate); Debian's golang-github-modern-go-reflect2-dev (1.0.2) replaces it;
# - GOPATH mode, as hack/lib/init.sh sets it (modules off), CGO_ENABLED=0.
# Needs root and apt-get for the build dependencies (golang-go, jq, rsync, dpkg-dev) the first time.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

KUBE_VERSION=v1.20.2
WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler cmd/kubelet cmd/kube-proxy cmd/kubectl"
BINARIES="kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl"

cache=${ZERODOWN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zerodown}/kubernetes
recipe=$(sha256sum "$0" | cut -c1-12)
out=$cache/$KUBE_VERSION-$recipe

if [ -f "$out/bin/.complete" ]; then
  echo "build-kubernetes: $KUBE_VERSION from the cache ($out/bin)" >&2
  echo "$out/bin"
  exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "build-kubernetes: building Kubernetes needs root and apt-get (none cached in $out)" >&2
  exit 1
fi

# deb-src for bookworm, in a file of our own so the machine's own sources stay as they are.
src_list=/etc/apt/sources.list.d/zerodown-bookworm-src.sources
if [ ! -f "$src_list" ]; then
  cat >"$src_list" <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends golang-go jq rsync dpkg-dev \
  golang-github-modern-go-reflect2-dev >/dev/null

started=$SECONDS
work=$cache/build.partial
rm -rf "$work" && mkdir -p "$work"
cd "$work"
# --download-only plus dpkg-source: apt-get source would also want to check signatures interactively.
apt-get source --download-only -qq kubernetes >/dev/null
dsc=$(ls kubernetes_*.dsc | head -n1)
dpkg-source --no-check -x "$dsc" src >/dev/null
cd src

reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2
if [ ! -f "$reflect2/reflect2.go" ]; then
  echo "build-kubernetes: $reflect2 is missing (golang-github-modern-go-reflect2-dev)" >&2
  exit 1
fi
rm -rf vendor/github.com/modern-go/reflect2
cp -r "$reflect2" vendor/github.com/modern-go/reflect2

echo "build-kubernetes: building $KUBE_VERSION ($WHAT) on $(nproc) cores; 16-22 min on two" >&2
# Version stamps for `kubectl version` and the API server's /version, read by --kube-version detection.
export KUBE_GIT_VERSION=$KUBE_VERSION KUBE_GIT_TREE_STATE=clean KUBE_GIT_COMMIT=faecb196815e248d3ecfb03c680a4507229c2a56
export CGO_ENABLED=0 GOCACHE=$work/gocache GOFLAGS=
make WHAT="$WHAT" KUBE_BUILD_PLATFORMS=linux/amd64 >"$work/make.log" 2>&1 || {
  tail -n 40 "$work/make.log" >&2
  exit 1
}

rm -rf "$out" && mkdir -p "$out/bin"
for binary in $BINARIES; do
  cp "_output/local/bin/linux/amd64/$binary" "$out/bin/$binary"
done
"$out/bin/kubectl" version --client --short >&2 2>/dev/null || "$out/bin/kubectl" version --client >&2
touch "$out/bin/.complete"
cd / && rm -rf "$work"
echo "build-kubernetes: built in $((SECONDS - started)) s into $out/bin" >&2
echo "$out/bin"
