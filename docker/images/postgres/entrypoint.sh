#!/bin/sh
# Runs as the postgres user. On an empty PGDATA: initdb with POSTGRES_PASSWORD for the postgres role (scram over
# TCP, trust on the local socket inside the container), then the init scripts, once. Then the server.
set -eu
if [ "${1:-}" != postgres ]; then exec "$@"; fi
shift
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then echo "vcd-postgres: POSTGRES_PASSWORD must be set for the first start" >&2; exit 1; fi
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb --username=postgres --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 >/dev/null
  rm -f "$pwfile"
  printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) echo "vcd-postgres: running $f"; psql -v ON_ERROR_STOP=1 -U postgres -d postgres -q -f "$f" ;;
      *.sh) echo "vcd-postgres: running $f"; . "$f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "vcd-postgres: database initialised"
fi
exec postgres -c listen_addresses='*' "$@"
