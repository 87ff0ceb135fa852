#!/bin/bash
# Lab entrypoint after the official redis image's: own /data by redis, then
# run the server as the redis user.
set -euo pipefail
if [ "${1:-}" = redis-server ]; then
  chown -R redis:redis /data
  exec setpriv --reuid=redis --regid=redis --init-groups "$@"
fi
exec "$@"
