#!/usr/bin/env bash
# Schema fuzzing: schemathesis runs against the document a real `noaber serve` serves, on the
# embedded store and on PostgreSQL, over a seeded log, with a bearer token for every role.
#
# For each store: start a fresh `noaber serve` on a free loopback port, seed it through its
# API with the sign-in link it prints (scripts/schemathesis_seed.py: a person in every role
# with a token each, and the things the document's example ids name), then run schemathesis
# once per role. It fails on any finding: a 5xx, an answer whose status, content type,
# headers or body the document does not describe. Afterwards every operation must have been
# answered with a 2xx at least once over all roles and both stores (scripts/schemathesis_cover.py
# reads the recorded answers).
#
# Schemathesis comes from PyPI into a virtual environment (SCHEMATHESIS_VENV, by default
# target/schemathesis-venv). PostgreSQL comes from scripts/with-postgres.sh (a throwaway cluster
# unless DATABASE_URL is set; a fresh database is made in it either way). Without PostgreSQL
# server binaries the PostgreSQL run is skipped, unless CI is set.
#
# Knobs: SCHEMATHESIS_EXAMPLES (test cases per operation in the fuzzing phase, default 6),
# SCHEMATHESIS_STORES (default "sqlite postgres").
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--postgres-inner" ]; then
  shift
  inner=1
else
  inner=0
fi

venv=${SCHEMATHESIS_VENV:-target/schemathesis-venv}
examples=${SCHEMATHESIS_EXAMPLES:-6}
stores=${SCHEMATHESIS_STORES:-sqlite postgres}
target=${CARGO_TARGET_DIR:-target}
bin="$target/debug/noaber"
reports=${SCHEMATHESIS_REPORTS:-target/schemathesis-reports}

if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "== installing schemathesis into $venv ==" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4.1,<5'
fi
[ -x "$bin" ] || cargo build -p noaber

free_port() {
  "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs the whole round against one store: $1 names it, the environment chooses it.
round() {
  local store=$1 dir port log server link
  dir=$(mktemp -d -t noaber-schemathesis.XXXXXX)
  port=$(free_port)
  log="$dir/serve.log"
  local base="http://127.0.0.1:$port"
  export NOABER_DATA_DIR="$dir/data"
  if [ -n "${DATABASE_URL:-}" ]; then
    # On PostgreSQL `serve` sets nothing up by itself: the first tenant comes from bootstrap.
    RUST_LOG=warn "$bin" admin bootstrap --public-url "$base" >"$dir/bootstrap.log" 2>&1 \
      || { tail -n 20 "$dir/bootstrap.log" >&2; return 1; }
  fi
  RUST_LOG=warn "$bin" serve --bind 127.0.0.1 --port "$port" --public-url "$base" >"$log" 2>&1 &
  server=$!
  # shellcheck disable=SC2064
  trap "kill $server 2>/dev/null || true; rm -rf '$dir'" RETURN
  for _ in $(seq 1 1200); do
    "$venv/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
      "$base/healthz" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { tail -n 20 "$log" >&2; echo "noaber serve stopped" >&2; return 1; }
    sleep 0.1
  done
  link=$(cat "$log" "$dir/bootstrap.log" 2>/dev/null | grep -o 'token=[A-Za-z0-9_-]*' | head -n 1 | cut -d= -f2)
  [ -n "$link" ] || { tail -n 20 "$log" >&2; echo "no sign-in link was printed" >&2; return 1; }
  echo "== $store: seeding $base ==" >&2
  "$venv/bin/python" scripts/schemathesis_seed.py "$base" "$link" >"$dir/tokens"
  mkdir -p "$reports"
  local failed=0 role token phases n
  while read -r role token; do
    # The administrator's run fuzzes everything; the other roles run the examples and the
    # coverage phase, which is what tells their rights apart. The administrator comes last
    # and the connector before: their fuzzing erases, closes and voids what the examples of
    # the other roles' commands name.
    if [ "$role" = admin ]; then
      phases=examples,coverage,fuzzing
      n=$examples
    else
      phases=examples,coverage
      n=$((examples / 2 + 1))
    fi
    echo "== $store: schemathesis as $role ($phases) ==" >&2
    "$venv/bin/schemathesis" run "$base/openapi.json" \
      --header "authorization: Bearer $token" \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
      --phases "$phases" \
      --max-examples "$n" \
      --exclude-path /v1/stream \
      --exclude-path-regex '^/v1/me/tokens/.*/revoke$' \
      --request-timeout 10 \
      --workers 1 \
      --seed 1 \
      --no-color \
      --report ndjson \
      --report-ndjson-path "$reports/$store-$role.ndjson" \
      || failed=1
  done < <(for role in resident helper partner ambassador funder auditor connector admin; do
    grep "^$role " "$dir/tokens"
  done)
  return "$failed"
}

status=0
if [ "$inner" = 1 ]; then
  # Inside scripts/with-postgres.sh: a database of our own, so `serve` starts fresh.
  if [ -z "${DATABASE_URL:-}" ]; then
    if [ -n "${CI:-}" ]; then
      echo "error: no PostgreSQL for the schema fuzzing, and CI is set" >&2
      exit 1
    fi
    echo "== postgres: skipped (no PostgreSQL server) ==" >&2
    exit 0
  fi
  psql_bin=$(command -v psql || ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)
  db="schemathesis_$(date +%s)_$$"
  "$psql_bin" "$DATABASE_URL" -q -c "create database $db"
  DATABASE_URL="${DATABASE_URL%/*}/$db" round postgres || status=1
  exit "$status"
fi

rm -rf "$reports"
for store in $stores; do
  case "$store" in
    sqlite) (unset DATABASE_URL; round sqlite) || status=1 ;;
    postgres) scripts/with-postgres.sh "$0" --postgres-inner || status=1 ;;
  esac
done

echo "== operations answered with a 2xx ==" >&2
"$venv/bin/python" scripts/schemathesis_cover.py docs/openapi.json "$reports"/*.ndjson || status=1
exit "$status"
