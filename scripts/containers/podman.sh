#!/bin/sh
# podman with the project's containers configuration (unless CONTAINERS_CONF already names one).
# Every script here and the image test call podman through this file.
CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")" && pwd)/containers.conf}
export CONTAINERS_CONF
exec podman "$@"
