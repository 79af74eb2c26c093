#!/usr/bin/env bash
# Installs valgrind from the distribution's packages for the benchmarks' instructions part and its test.
# Idempotent: does nothing when valgrind is already on PATH. Needs root and apt-get; says why otherwise
# and exits 0, so the test runs only where valgrind could be installed.
set -euo pipefail
if command -v valgrind >/dev/null 2>&1 && command -v callgrind_control >/dev/null 2>&1; then
  echo "valgrind already installed: $(valgrind --version)"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-valgrind: not root or no apt-get, valgrind not installed (the instructions test skips)" >&2
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null
echo "valgrind installed: $(valgrind --version)"
