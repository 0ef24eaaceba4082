#!/usr/bin/env python3
"""Reads the NDJSON reports of scripts/schemathesis.sh and fails unless every operation of the
OpenAPI document was answered with a 2xx at least once, over all roles and stores.

Usage: schemathesis_cover.py OPENAPI_JSON REPORT.ndjson...

Operations that no fuzzer can drive to a 2xx by construction are listed in NOT_FUZZED with the
reason, and checked elsewhere (the test named there).
"""

import json
import re
import sys

# Operation -> why schemathesis does not reach its 2xx, and which test covers it instead.
NOT_FUZZED = {
    "GET /openapi.json": "schemathesis reads the document from there and does not call it again; crates/api/tests/it/openapi.rs",
    "GET /v1/stream": "an endless event stream; crates/api/tests/it/stream.rs reads it",
    "POST /v1/me/role": "only a browser session switches roles (a bearer token gets 422 not-a-session); identity tests",
    "POST /v1/me/tokens/{id}/revoke": "excluded: it would revoke the run's own token; identity tests",
    "GET /auth/oidc/{name}/start": "needs a configured identity provider; crates/api/tests/it/sso.rs",
    "GET /auth/oidc/callback": "needs a configured identity provider; crates/api/tests/it/sso.rs",
    "POST /auth/link": "needs a fresh single-use link token; crates/api/tests/it/identity.rs",
    "POST /v1/auth/link": "needs a fresh single-use link token; crates/api/tests/it/identity.rs",
    "POST /v1/auth/sign-in": "needs an account's password; crates/api/tests/it/identity.rs",
}


def operations(document):
    found = []
    for path, item in document["paths"].items():
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((method.upper(), path))
    return found


def template_of(paths):
    """Matches a concrete URL path to its document path."""
    compiled = []
    for path in paths:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"
        compiled.append((re.compile(pattern), path))

    def match(concrete):
        for pattern, path in compiled:
            if pattern.match(concrete):
                return path
        return None

    return match


def main():
    document = json.load(open(sys.argv[1]))
    ops = operations(document)
    match = template_of(sorted({p for _, p in ops}, key=lambda p: p.count("{")))
    reached = set()
    answered = set()
    for report in sys.argv[2:]:
        for line in open(report):
            try:
                event = json.loads(line)
            except ValueError:
                # A line cut short (schemathesis stopped mid-write); the rest still counts.
                continue
            finished = event.get("ScenarioFinished")
            if not finished:
                continue
            for interaction in (finished.get("recorder", {}).get("interactions") or {}).values():
                request, response = interaction.get("request", {}), interaction.get("response")
                if not response:
                    continue
                path = match(re.sub(r"^https?://[^/]+", "", request.get("uri", "")).split("?")[0])
                if path is None:
                    continue
                key = f"{request.get('method')} {path}"
                answered.add(key)
                if 200 <= response.get("status_code", 0) < 300:
                    reached.add(key)
    missing = []
    for method, path in ops:
        key = f"{method} {path}"
        if key in reached:
            continue
        if key in NOT_FUZZED:
            print(f"  not fuzzed: {key}: {NOT_FUZZED[key]}")
            continue
        missing.append(key)
    print(f"{len(reached)} of {len(ops)} operations answered a 2xx ({len(answered)} called)")
    for key in missing:
        print(f"  never a 2xx: {key}")
    # Operations that reached a 2xx pass; those that never did fail.
    print(f"operations: {len(reached)} passed, {len(missing)} failed")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
