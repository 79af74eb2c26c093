#!/usr/bin/env bash
# Builds the demo image from apps/demo/Dockerfile on the local base image (base-image.sh) and prints
# its reference on stdout; build output goes to stderr. Run as root, from anywhere:
#   scripts/containers/demo-image.sh --version 1.0.0 [--commit SHA] [--build-time ISO] [--tag REF]
# Defaults: the checkout's commit, the current UTC time, localhost/zerodown-demo:VERSION.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
podman="$here/podman.sh"

usage () {
  echo "demo-image: $1" >&2
  echo "usage: demo-image.sh --version VERSION [--commit SHA] [--build-time ISO-8601] [--tag REF]" >&2
  exit 2
}
version='' commit='' build_time='' ref=''
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || usage "$1 needs a value"
  case $1 in
    --version) version=$2 ;;
    --commit) commit=$2 ;;
    --build-time) build_time=$2 ;;
    --tag) ref=$2 ;;
    *) usage "unknown option $1" ;;
  esac
  shift 2
done
[[ $version =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] ||
  usage "--version must be an image tag such as 1.0.0 (letters, digits, _ . -), got \"$version\""
commit=${commit:-$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)}
build_time=${build_time:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
ref=${ref:-localhost/zerodown-demo:$version}

base=$("$here/base-image.sh")
started=$SECONDS
# The build stage installs from the npm registry, so it shares the host's network.
"$podman" build --network host --file "$root/apps/demo/Dockerfile" --build-arg "NODE_IMAGE=$base" \
  --build-arg "ZERODOWN_APP_VERSION=$version" --build-arg "ZERODOWN_GIT_COMMIT=$commit" --build-arg "ZERODOWN_BUILD_TIME=$build_time" \
  --tag "$ref" "$root" >&2
echo "demo-image: $ref built in $((SECONDS - started)) s" >&2
echo "$ref"
