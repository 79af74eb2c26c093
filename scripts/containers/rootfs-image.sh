#!/usr/bin/env bash
# Ensures a minimal Debian bookworm root file system image (debootstrap --variant=minbase, then
# podman import) and prints its reference on stdout. Run as root. The tag carries the hash of this
# file, so the tree is made once and reused until this file changes; progress goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
podman="$here/podman.sh"

SUITE=bookworm
MIRROR=http://deb.debian.org/debian

key=$(sha256sum "$0" | cut -c1-16)
ref="localhost/zerodown-debian:$SUITE-minbase-$key"
if "$podman" image exists "$ref"; then
  echo "$ref"
  exit 0
fi

tree=$(mktemp -d /var/tmp/zerodown-rootfs.XXXXXX)
trap 'rm -rf "$tree"' EXIT
started=$SECONDS
echo "rootfs: debootstrap --variant=minbase $SUITE (a few minutes, once)" >&2
debootstrap --variant=minbase "$SUITE" "$tree" "$MIRROR" >&2
# As debian:bookworm-slim ships: no downloaded packages, no package lists.
rm -rf "$tree"/var/cache/apt/archives/*.deb "$tree"/var/lib/apt/lists/*
tar -C "$tree" --numeric-owner -c . |
  "$podman" import --change 'CMD ["bash"]' --change "LABEL dev.zerodown.inputs=$key" - "$ref" >&2
echo "rootfs: $ref made in $((SECONDS - started)) s" >&2
echo "$ref"
