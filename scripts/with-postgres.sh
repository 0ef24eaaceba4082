#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at a throwaway PostgreSQL cluster.
#
# If DATABASE_URL is already set, the command runs against it unchanged. Otherwise this script
# initialises a cluster in a temporary directory, starts it on a free loopback port as an
# unprivileged user (PostgreSQL refuses to run as root), runs the command, and removes the
# cluster on exit, whatever happened.
#
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail

if [ -n "${DATABASE_URL:-}" ]; then
  exec "$@"
fi

find_pg_bin() {
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return; fi
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
  done
  return 1
}

if ! PG_BIN=$(find_pg_bin); then
  if [ -n "${CI:-}" ]; then
    echo "error: PostgreSQL server binaries not found and CI is set; the PostgreSQL tests cannot be skipped in CI" >&2
    echo "hint: install them (Debian: apt-get install postgresql) or set DATABASE_URL" >&2
    exit 1
  fi
  echo "warning: PostgreSQL server binaries not found; PostgreSQL tests will be skipped (set CI=true to make this an error)" >&2
  exec "$@"
fi

# A free port: ask the kernel for one.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo 55432)

workdir=$(mktemp -d -t noaber-pg.XXXXXX)
run_as=()
if [ "$(id -u)" = "0" ]; then
  # PostgreSQL refuses to run as root: hand the cluster to an unprivileged user.
  pg_user=postgres
  id "$pg_user" >/dev/null 2>&1 || pg_user=nobody
  chown "$pg_user" "$workdir"
  chmod 700 "$workdir"
  run_as=(runuser -u "$pg_user" --)
fi

cleanup() {
  "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

"${run_as[@]}" "$PG_BIN/initdb" -D "$workdir/data" -U noaber --auth=trust -E UTF8 --locale=C.UTF-8 >"$workdir/initdb.log" 2>&1 \
  || { cat "$workdir/initdb.log" >&2; exit 1; }
"${run_as[@]}" "$PG_BIN/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w \
  -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$workdir/server.log" >&2; exit 1; }

export DATABASE_URL="postgres://noaber@127.0.0.1:$port/postgres"
echo "throwaway PostgreSQL on port $port (removed on exit)" >&2
"$@"
