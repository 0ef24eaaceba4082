#!/usr/bin/env python3
"""Seeds a fresh Noaber for the schema fuzzing of scripts/schemathesis.sh, through its API.

Signs in as the administrator with the link `noaber serve` printed, then registers a world:
the neighbourhood, organisation, call, incident, request and helper named by the example id
of the OpenAPI document (so the examples phase reaches real things), a person in every role
with a bearer token each, and a few requests around them. Prints one `ROLE TOKEN` line per
role on standard output.

Usage: schemathesis_seed.py BASE_URL LINK_TOKEN
"""

import sys
import uuid

import requests

# The id every id schema of the document gives as its example.
EXAMPLE = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"


def example(kind, n):
    """The example id an operation of the document names for its path: each command on a
    request, person, call, incident, organisation or standing offer has one of its own, seeded
    below in the state that command needs (`kind`: 1 requests, 2 persons, 3 calls, 4 incidents,
    5 organisations, 6 standing offers)."""
    return f"0193a1b2-7c4d-7e8f-9a0b-{kind}000000000{n:02d}"


def fail(what, answer):
    sys.exit(f"seeding failed: {what}: {answer.status_code} {answer.text[:500]}")


class Api:
    def __init__(self, base, bearer=None):
        self.base = base
        self.http = requests.Session()
        if bearer:
            self.http.headers["authorization"] = f"Bearer {bearer}"

    def call(self, method, path, body=None, ok=(200, 201, 204)):
        answer = self.http.request(method, self.base + path, json=body, timeout=30)
        if answer.status_code not in ok:
            fail(f"{method} {path}", answer)
        return answer.json() if answer.content else None

    def post(self, path, body=None, ok=(200, 201, 204)):
        return self.call("POST", path, body if body is not None else {}, ok)

    def get(self, path):
        return self.call("GET", path)


def token_by_link(base, link_token, role):
    """A bearer token acting in `role`, made in a session opened with a sign-in link."""
    session = requests.Session()
    answer = session.post(f"{base}/v1/auth/link", json={"token": link_token}, timeout=30)
    if answer.status_code != 200:
        fail("redeeming a sign-in link", answer)
    csrf = answer.json()["csrf_token"]
    answer = session.post(
        f"{base}/v1/me/tokens",
        json={"name": f"schemathesis {role}", "role": role},
        headers={"x-csrf-token": csrf},
        timeout=30,
    )
    if answer.status_code != 201:
        fail(f"making the {role} token", answer)
    return answer.json()["token"]


def seed_examples(admin, connector, resident, helper, person, category, skills, hood):
    """Puts the example ids of the document's commands in the state each command needs."""
    def request(n):
        resident.post("/v1/requests", {
            "request_id": example(1, n), "category": category, "neighbourhood_id": hood,
            "description": f"Voorbeeldvraag {n}",
        }, ok=(201,))
        return example(1, n)

    for n in (1, 2, 6, 9, 12, 13):
        request(n)  # open: triage, offer, refer, close, correct, void
    for n in (3, 4, 5, 8, 11):
        helper.post(f"/v1/requests/{request(n)}/offers", {})  # offered: withdraw, match
    for n in (5, 8, 11):
        connector.post(f"/v1/requests/{example(1, n)}/matches", {"helper": EXAMPLE})  # matched: cancel, resolve
    connector.post(f"/v1/requests/{example(1, 11)}/resolve", {"resolution": "neighbour", "helpers_credited": [EXAMPLE]})
    connector.post(f"/v1/requests/{request(7)}/referrals", {"organisation_id": EXAMPLE})
    connector.post(f"/v1/requests/{request(10)}/close", {"reason": "duplicate"})

    def helper_person(n):
        admin.post(f"/v1/persons/{person(f'Voorbeeld {n}', example(2, n))}/skills", {
            "skills": skills, "max_distance_m": 3000,
        })
        return example(2, n)

    for n in (1, 2, 5, 6, 12):
        person(f"Voorbeeld {n}", example(2, n))  # profile, skills, erase, grant, invite
    helper_person(3)  # opt in
    for n in (4, 8, 9, 10, 11):
        admin.post(f"/v1/persons/{helper_person(n)}/opt-in")  # opt out, screening, suspend
    person("Voorbeeld 7", example(2, 7))
    admin.post(f"/v1/persons/{example(2, 7)}/roles", {"role": "ambassador", "scope": {"neighbourhoods": [hood]}})
    admin.post(f"/v1/persons/{example(2, 9)}/screenings", {"kind": "vog", "issued_on": "2025-01-01", "valid_until": "2099-12-31"}, ok=(201,))
    admin.post(f"/v1/persons/{example(2, 11)}/suspend", {"reason": "other"})

    for n in (1, 2):
        connector.post("/v1/calls", {
            "call_id": example(3, n), "organisation_id": EXAMPLE, "title": f"Oproep {n}",
            "fields_asked": ["name"], "hands_needed": 50, "deadline": "2099-01-01T12:00:00Z",
        }, ok=(201,))
    for n in (1, 2):
        resident.post("/v1/incidents", {
            "incident_id": example(4, n), "kind": "incident", "person_id": EXAMPLE,
            "description": f"Voorbeeldmelding {n}",
        }, ok=(201,))
    connector.post(f"/v1/incidents/{example(4, 2)}/acknowledge")
    for n in range(1, 6):  # change, pause, resume, take up, withdraw
        helper.post("/v1/standing-offers", {
            "standing_offer_id": example(6, n), "title": f"Aanbod {n}", "category": category,
            "skills": skills[:1],
        }, ok=(201,))
    helper.post(f"/v1/standing-offers/{example(6, 3)}/pause")
    for n in (1, 2, 3):  # services, deactivate, referred to
        admin.post("/v1/organisations", {"organisation_id": example(5, n), "name": f"Organisatie {n}", "kind": "other"}, ok=(201,))


def main():
    base, link = sys.argv[1].rstrip("/"), sys.argv[2]
    tokens = {"admin": token_by_link(base, link, "admin")}
    admin = Api(base, tokens["admin"])
    taxonomy = admin.get("/v1/taxonomy")
    category = taxonomy["categories"][0]["code"]
    skills = [s["code"] for s in taxonomy["skills"][:3]]

    hood = EXAMPLE
    admin.post("/v1/neighbourhoods", {
        "neighbourhood_id": hood, "name": "De Kruidenbuurt",
        "centroid": {"lat": 52.37, "lon": 4.895}, "radius_m": 2000,
    })
    admin.post("/v1/organisations", {"organisation_id": EXAMPLE, "name": "Buurtzorg Oost", "kind": "care_provider"}, ok=(201,))
    admin.post(f"/v1/organisations/{EXAMPLE}/services", {"categories": [category, "transport"], "neighbourhoods": [hood]})

    def person(name, person_id=None):
        person_id = person_id or str(uuid.uuid4())
        admin.post("/v1/persons", {
            "person_id": person_id, "name": name, "contact": "06 1234 5678",
            "neighbourhood_id": hood, "location": {"lat": 52.371, "lon": 4.896},
            "languages": ["nl"], "digital_access": "digital", "consent": "explicit_consent",
        })
        return person_id

    def sign_in_link(person_id):
        return admin.post(f"/v1/persons/{person_id}/sign-in-links", {"purpose": "sign_in"})["token"]

    roles = {
        "connector": {"neighbourhoods": [hood]},
        "ambassador": {"neighbourhoods": [hood]},
        "partner": {"organisation": EXAMPLE},
        "funder": "tenant",
        "auditor": "tenant",
    }
    for role, scope in roles.items():
        someone = person(f"Sam {role.title()}")
        admin.post(f"/v1/persons/{someone}/roles", {"role": role, "scope": scope})
        tokens[role] = token_by_link(base, sign_in_link(someone), role)

    resident = person("Ria Bewoner")
    tokens["resident"] = token_by_link(base, sign_in_link(resident), "resident")
    helper = person("Henk Helper", EXAMPLE)
    admin.post(f"/v1/persons/{helper}/skills", {
        "skills": skills, "availability": [{"day": "tue", "part": "evening"}],
        "max_distance_m": 5000, "available_for_calls": True,
    })
    admin.post(f"/v1/persons/{helper}/opt-in")
    tokens["helper"] = token_by_link(base, sign_in_link(helper), "helper")

    as_resident = Api(base, tokens["resident"])
    as_helper = Api(base, tokens["helper"])
    connector = Api(base, tokens["connector"])
    as_resident.post("/v1/requests", {
        "request_id": EXAMPLE, "category": category, "neighbourhood_id": hood,
        "description": "Wie helpt mij met de boodschappen?", "skills_wanted": skills[:1],
    }, ok=(201,))
    # A request with an offer, a match and an answer to read back, and one resolved.
    second = as_resident.post("/v1/requests", {
        "category": category, "neighbourhood_id": hood, "description": "Een lamp ophangen",
    }, ok=(201,))["id"]
    as_helper.post(f"/v1/requests/{second}/offers", {"message": "Ik kom dinsdag"})
    connector.post(f"/v1/requests/{second}/matches", {"helper": helper})
    third = as_resident.post("/v1/requests", {
        "category": category, "neighbourhood_id": hood, "description": "Hulp bij formulieren",
    }, ok=(201,))["id"]
    as_helper.post(f"/v1/requests/{third}/offers", {})
    connector.post(f"/v1/requests/{third}/matches", {"helper": helper})
    connector.post(f"/v1/requests/{third}/resolve", {"resolution": "neighbour", "helpers_credited": [helper]})
    as_resident.post(f"/v1/requests/{third}/feedback", {"rating": 5, "comment": "Top"})
    connector.post("/v1/calls", {
        "call_id": EXAMPLE, "organisation_id": EXAMPLE, "title": "Handen voor de buurtmarkt",
        "fields_asked": ["name"], "hands_needed": 5, "deadline": "2099-01-01T12:00:00Z",
    }, ok=(201,))
    as_resident.post(f"/v1/calls/{EXAMPLE}/answers", {"name": "Ria"})
    as_resident.post("/v1/incidents", {
        "incident_id": EXAMPLE, "kind": "complaint", "request_id": second,
        "description": "De hulp kwam niet opdagen",
    }, ok=(201,))
    admin.post(f"/v1/persons/{helper}/screenings", {"kind": "vog", "issued_on": "2025-01-01", "valid_until": "2099-12-31"}, ok=(201,))
    seed_examples(admin, connector, as_resident, as_helper, person, category, skills, hood)

    for role, token in tokens.items():
        print(role, token)


if __name__ == "__main__":
    main()
