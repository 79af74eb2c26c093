#!/usr/bin/env bash
# Ensures the pod sandbox image (a static `pause()` program in a FROM scratch image, built with gcc and
# podman: nothing is pulled) and prints its reference on stdout. Run as root. The tag carries the hash
# of its inputs, so it is built once and reused until they change.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
podman="$here/../../scripts/containers/podman.sh"
src=$here/../pause

key=$(cat "$0" "$src/pause.c" "$src/Containerfile" | sha256sum | cut -c1-12)
ref="localhost/zerodown-pause:$key"
if "$podman" image exists "$ref"; then
  echo "$ref"
  exit 0
fi
context=$(mktemp -d /var/tmp/zerodown-pause.XXXXXX)
trap 'rm -rf "$context"' EXIT
gcc -static -O2 -o "$context/pause" "$src/pause.c"
strip "$context/pause"
cp "$src/Containerfile" "$context/"
"$podman" build --network none --file "$context/Containerfile" --tag "$ref" "$context" >&2
echo "$ref"
