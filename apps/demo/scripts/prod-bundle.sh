#!/bin/sh
# The demo's production steps, shared by the Dockerfile and test/production-folder.test.ts so the two
# cannot drift apart. Run from the repository root after `pnpm install` and the build:
#   sh apps/demo/scripts/prod-bundle.sh DEST
# DEST gets dist/, package.json and node_modules with production dependencies only, plus a
# build-info.json (ZERODOWN_GIT_COMMIT, ZERODOWN_BUILD_TIME and ZERODOWN_APP_VERSION are read from the
# environment when set).
set -eu
dest=${1:?usage: prod-bundle.sh DEST}

pnpm --filter @zerodown/demo deploy --prod "$dest"
dest=$(cd "$dest" && pwd)
pnpm --filter @zerodown/demo exec zerodown-build-info --out "$dest/build-info.json"
