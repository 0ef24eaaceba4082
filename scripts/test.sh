#!/usr/bin/env bash
# The whole test suite, the one command the README names and CI runs.
#
# Builds the workspace (so end-to-end tests find the `noaber` binary), then runs every test of
# every crate under scripts/with-postgres.sh: against DATABASE_URL when it is set, otherwise
# against a throwaway PostgreSQL cluster started for this run and removed afterwards. All of it
# runs under scripts/with-oidc-provider.sh, which starts a real OpenID provider for the single
# sign-on tests (or uses NOABER_TEST_OIDC_ISSUER when it is set).
#
# With CI set, a missing PostgreSQL or OpenID provider is an error (those tests may not be
# skipped); without it they are skipped with a note. Extra arguments go to `cargo test`, e.g.
#   scripts/test.sh -p noaber-store
# Ends with the `test result:` lines of every test binary and their totals.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --workspace --bins

log=$(mktemp -t noaber-test.XXXXXX)
trap 'rm -f "$log"' EXIT

status=0
if [ "$#" -gt 0 ]; then
  scripts/with-oidc-provider.sh scripts/with-postgres.sh cargo test "$@" 2>&1 | tee "$log" || status=$?
else
  scripts/with-oidc-provider.sh scripts/with-postgres.sh cargo test --workspace --all-targets --no-fail-fast 2>&1 | tee "$log" || status=$?
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
skipped=$(grep -c 'skipping an OpenID provider test' "$log" || true)
if [ "${skipped:-0}" -gt 0 ]; then
  echo "note: $skipped OpenID provider test(s) skipped (no OpenID provider available)"
fi
if [ "$status" -ne 0 ]; then
  echo "FAILED (exit $status)"
fi
exit "$status"
