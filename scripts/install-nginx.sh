#!/usr/bin/env bash
# Installs nginx from the distribution's packages for `zerodown-rehearse --proxy nginx` and its tests.
# Idempotent: does nothing when nginx is already on PATH. Needs root and apt-get; says why otherwise
# and exits 0, so the rehearse tests run their nginx cases only where nginx could be installed.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
if command -v nginx >/dev/null 2>&1; then
  echo "nginx already installed: $(nginx -v 2>&1)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-nginx: not root, nginx not installed (the rehearse tests skip --proxy nginx)" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-nginx: no apt-get, nginx not installed (the rehearse tests skip --proxy nginx)" >&2
  exit 0
fi
apt-get update -qq
# No service start: the rehearsal runs its own nginx as the current user on 127.0.0.1.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null 2>&1 \
  || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
echo "nginx installed: $(nginx -v 2>&1)"
