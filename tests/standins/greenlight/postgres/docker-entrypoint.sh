#!/bin/bash
# Lab entrypoint after the official postgres image's docker-entrypoint.sh:
# on an empty PGDATA, initdb with POSTGRES_USER and POSTGRES_PASSWORD
# (scram-sha-256 for TCP clients, trust on the local socket), create
# POSTGRES_DB, then run the server as the postgres user listening on all
# addresses. The password reaches initdb through a 0600 file, never argv.
set -euo pipefail
PGDATA="${PGDATA:-/var/lib/postgresql/data}"
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

if [ "${1:-postgres}" = postgres ]; then
  # Docker's vfs storage driver (the lab's nested engine) gives the container
  # root directory mode 0700; the server runs unprivileged and needs to
  # traverse it. A no-op on other storage drivers.
  chmod 0755 /
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 0700 "$PGDATA"
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
      echo "Error: database is uninitialized and POSTGRES_PASSWORD is not specified." >&2
      exit 1
    fi
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    chown postgres "$pwfile"
    as_postgres initdb --username="$user" --pwfile="$pwfile" --auth-local=trust \
      --auth-host=scram-sha-256 --encoding=UTF8 >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    as_postgres pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    if [ "$db" != postgres ]; then
      as_postgres createdb --username="$user" "$db"
    fi
    as_postgres pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "PostgreSQL init process complete; ready for start up."
  fi
  shift || true
  exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -c listen_addresses='*' "$@"
fi
exec "$@"
