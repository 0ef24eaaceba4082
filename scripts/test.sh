#!/usr/bin/env bash
# The whole test suite, the one command the README names and CI runs.
#
# Builds the workspace (so end-to-end tests find the `noaber` binary), then runs every test of
# every crate under scripts/with-postgres.sh: against DATABASE_URL when it is set, otherwise
# against a throwaway PostgreSQL cluster started for this run and removed afterwards.
#
# With CI set, a missing PostgreSQL is an error (the PostgreSQL tests may not be skipped);
# without it they are skipped with a note. Extra arguments go to `cargo test`, e.g.
#   scripts/test.sh -p noaber-store
# Ends with the `test result:` lines of every test binary and their totals.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --workspace --bins

log=$(mktemp -t noaber-test.XXXXXX)
trap 'rm -f "$log"' EXIT

status=0
if [ "$#" -gt 0 ]; then
  scripts/with-postgres.sh cargo test "$@" 2>&1 | tee "$log" || status=$?
else
  scripts/with-postgres.sh cargo test --workspace --all-targets --no-fail-fast 2>&1 | tee "$log" || status=$?
fi

echo
echo "== summary =="
grep -E '^test result:' "$log" || echo "no test results were printed"
awk '/^test result:/ {
       for (i = 1; i <= NF; i++) {
         if ($(i+1) ~ /^passed/) p += $i;
         if ($(i+1) ~ /^failed/) f += $i;
         if ($(i+1) ~ /^ignored/) g += $i;
       }
     }
     END { printf "total: %d passed; %d failed; %d ignored\n", p, f, g }' "$log"
skipped=$(grep -c 'skipping a PostgreSQL test' "$log" || true)
if [ "${skipped:-0}" -gt 0 ]; then
  echo "note: $skipped PostgreSQL test(s) skipped (no PostgreSQL available)"
fi
if [ "$status" -ne 0 ]; then
  echo "FAILED (exit $status)"
fi
exit "$status"
