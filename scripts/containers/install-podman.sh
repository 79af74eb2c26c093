#!/bin/sh
# Installs what the demo image test needs on Debian/Ubuntu, as root: podman, runc (crun refuses the
# hybrid cgroup layout of the project's machines) and debootstrap (the local base image). Idempotent:
# does nothing when all three are on PATH; otherwise one `apt-get update`, then one install.
set -eu
missing=''
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -z "$missing" ]; then
  echo "install-podman: podman, runc and debootstrap are installed"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-podman: missing:$missing; installing needs root and apt-get" >&2
  exit 1
fi
echo "install-podman: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq podman runc debootstrap >/dev/null
podman --version
