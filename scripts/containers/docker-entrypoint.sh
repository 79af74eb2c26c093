#!/bin/sh
# As in the official node images: `docker run IMAGE -e '…'` or `IMAGE script.js` runs node; any other
# command runs as given. `exec`, so the command (node itself for `CMD ["node", …]`) is PID 1.
set -e
if [ "${1#-}" != "$1" ] || { [ -n "$1" ] && [ -z "$(command -v -- "$1")" ]; }; then
  set -- node "$@"
fi
exec "$@"
