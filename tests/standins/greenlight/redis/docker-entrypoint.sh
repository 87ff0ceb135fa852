#!/bin/bash
# Lab entrypoint after the official redis image's: own /data by redis, then
# run the server as the redis user.
set -euo pipefail
if [ "${1:-}" = redis-server ]; then
  # Docker's vfs storage driver (the lab's nested engine) gives the container
  # root directory mode 0700; the server runs unprivileged and needs to
  # traverse it. A no-op on other storage drivers.
  chmod 0755 /
  chown -R redis:redis /data
  exec setpriv --reuid=redis --regid=redis --init-groups "$@"
fi
exec "$@"
