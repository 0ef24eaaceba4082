#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at a throwaway PostgreSQL cluster.
#
# If DATABASE_URL is already set, the command runs against it unchanged. Otherwise this script
# initialises a cluster in a temporary directory, starts it on a free loopback port as an
# unprivileged user (PostgreSQL refuses to run as root), runs the command, and removes the
# cluster on exit, whatever happened. The cluster trades durability for speed (fsync off): it
# only ever holds test data.
#
# Without PostgreSQL server binaries the command still runs, without DATABASE_URL, so the
# PostgreSQL tests skip themselves; with CI set that is an error instead.
#
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

if [ -n "${DATABASE_URL:-}" ]; then
  exec "$@"
fi

find_pg_bin() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return
  fi
  # Debian and Ubuntu keep the server binaries out of PATH; take the newest version.
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && { echo "$d"; return; }
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

# A port nobody listens on: ask the kernel when python3 is there, otherwise probe random ones.
port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
pick_port() {
  local p
  if p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null); then
    echo "$p"
    return
  fi
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    port_is_free "$p" && { echo "$p"; return; }
  done
  echo 55432
}

workdir=$(mktemp -d "${TMPDIR:-/tmp}/noaber-pg.XXXXXX")
run_as=()
if [ "$(id -u)" = "0" ]; then
  # PostgreSQL refuses to run as root: hand the cluster to an unprivileged user.
  pg_user=postgres
  id "$pg_user" >/dev/null 2>&1 || pg_user=nobody
  chown "$pg_user" "$workdir"
  chmod 700 "$workdir"
  if command -v runuser >/dev/null 2>&1; then
    run_as=(runuser -u "$pg_user" --)
  elif command -v setpriv >/dev/null 2>&1; then
    run_as=(setpriv --reuid="$pg_user" --regid="$(id -g "$pg_user")" --clear-groups --)
  else
    echo "error: running as root and neither runuser nor setpriv is available to drop privileges for PostgreSQL" >&2
    exit 1
  fi
fi

cleanup() {
  "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${run_as[@]}" "$PG_BIN/initdb" -D "$workdir/data" -U noaber --auth=trust -E UTF8 --no-locale \
  >"$workdir/initdb.log" 2>&1 || { cat "$workdir/initdb.log" >&2; exit 1; }

# Another process may take the port between picking and binding it: try a few.
started=""
for _ in 1 2 3 4 5; do
  port=$(pick_port)
  if "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
    -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null 2>&1; then
    started=yes
    break
  fi
done
if [ -z "$started" ]; then
  echo "error: the throwaway PostgreSQL did not start; its log follows" >&2
  cat "$workdir/server.log" >&2 || true
  exit 1
fi

export DATABASE_URL="postgres://noaber@127.0.0.1:$port/postgres"
echo "throwaway PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $port (removed on exit)" >&2
"$@"
