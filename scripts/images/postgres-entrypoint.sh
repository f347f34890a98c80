#!/bin/bash
# Entrypoint of the cluster's PostgreSQL image (Debian's postgresql-15, built by scripts/build-images):
# the contract the chart's StatefulSet relies on, as the official image honours it. On an empty
# $PGDATA it runs initdb with POSTGRES_USER / POSTGRES_PASSWORD, allows password logins from the
# network and creates POSTGRES_DB; then it runs the server. Runs as uid 999 with a read-only root:
# it writes only to $PGDATA, /var/run/postgresql and /tmp.
set -euo pipefail
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
[[ -n "${POSTGRES_PASSWORD:-}" ]] || { echo "postgres-entrypoint: POSTGRES_PASSWORD is required" >&2; exit 1; }
socket=/var/run/postgresql

if [[ "${1:-}" == postgres && ! -s "$PGDATA/PG_VERSION" ]]; then
  echo "postgres-entrypoint: initialising $PGDATA for $POSTGRES_USER/$POSTGRES_DB"
  mkdir -p "$PGDATA" && chmod 700 "$PGDATA"
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA"
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=$socket" -w start
  if [[ "$POSTGRES_DB" != postgres ]]; then
    psql -v ON_ERROR_STOP=1 -h "$socket" -U "$POSTGRES_USER" -d postgres -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop
fi

if [[ "${1:-}" == postgres ]]; then
  shift
  exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories="$socket" "$@"
fi
exec "$@"
