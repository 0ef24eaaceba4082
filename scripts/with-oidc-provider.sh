#!/usr/bin/env bash
# Runs a command with a real OpenID provider listening on loopback, for the single sign-on tests.
#
# If NOABER_TEST_OIDC_ISSUER is already set, the command runs against that provider unchanged.
# Otherwise this script installs the test provider's npm packages when they are missing
# (`npm ci` in tests/oidc-provider), starts tests/oidc-provider/server.js on a free port with a
# fresh client secret, waits until its discovery document answers, runs the command with
#   NOABER_TEST_OIDC_ISSUER         the provider's issuer URL
#   NOABER_TEST_OIDC_CLIENT_ID      the test client's id
#   NOABER_TEST_OIDC_CLIENT_SECRET  the test client's secret (new for every run)
#   NOABER_TEST_OIDC_REDIRECT_URL   the test client's registered redirect URI
# and stops the provider on exit, whatever happened. The command's exit status is this script's.
#
# Without Node.js (or when the packages cannot be installed) the command still runs, without
# those variables, so the provider tests skip themselves; with CI set that is an error instead.
#
# Usage: scripts/with-oidc-provider.sh COMMAND [ARGS...]
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

if [ -n "${NOABER_TEST_OIDC_ISSUER:-}" ]; then
  exec "$@"
fi

provider_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/oidc-provider"

# Runs the command without a provider (its tests skip), or fails when CI is set.
unavailable() {
  local why=$1
  shift
  if [ -n "${CI:-}" ]; then
    echo "error: $why, and CI is set; the OpenID provider tests cannot be skipped in CI" >&2
    exit 1
  fi
  echo "warning: $why; the OpenID provider tests will be skipped (set CI=true to make this an error)" >&2
  exec "$@"
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  unavailable "Node.js and npm were not found" "$@"
fi

if [ ! -d "$provider_dir/node_modules/oidc-provider" ]; then
  echo "installing the test OpenID provider's npm packages (npm ci)" >&2
  if ! (cd "$provider_dir" && npm ci --no-audit --no-fund --loglevel=error >&2); then
    unavailable "the test OpenID provider's npm packages could not be installed" "$@"
  fi
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/noaber-oidc.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export NOABER_TEST_OIDC_CLIENT_ID="${NOABER_TEST_OIDC_CLIENT_ID:-noaber-test}"
export NOABER_TEST_OIDC_REDIRECT_URL="${NOABER_TEST_OIDC_REDIRECT_URL:-http://127.0.0.1:9/oidc/callback}"
NOABER_TEST_OIDC_CLIENT_SECRET=$(node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("hex"))')
export NOABER_TEST_OIDC_CLIENT_SECRET

# Port 0: the kernel picks a free port, so nothing can take it between picking and binding.
(cd "$provider_dir" && PORT=0 exec node server.js >"$workdir/issuer" 2>"$workdir/server.log") &
server_pid=$!

fail_start() {
  echo "error: the test OpenID provider did not start: $1; its log follows" >&2
  cat "$workdir/server.log" >&2 || true
  exit 1
}

issuer=""
for _ in $(seq 1 300); do
  kill -0 "$server_pid" 2>/dev/null || fail_start "it exited"
  issuer=$(head -n 1 "$workdir/issuer" 2>/dev/null || true)
  [ -n "$issuer" ] && break
  sleep 0.1
done
[ -n "$issuer" ] || fail_start "it printed no issuer within 30 seconds"

discovery_answers() {
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "$issuer/.well-known/openid-configuration"
}
ready=""
for _ in $(seq 1 100); do
  if discovery_answers; then
    ready=yes
    break
  fi
  sleep 0.1
done
[ -n "$ready" ] || fail_start "its discovery document did not answer at $issuer"

export NOABER_TEST_OIDC_ISSUER="$issuer"
echo "test OpenID provider oidc-provider $(node -p 'require(process.argv[1]).version' "$provider_dir/node_modules/oidc-provider/package.json") at $issuer (stopped on exit)" >&2

status=0
"$@" || status=$?
exit "$status"
