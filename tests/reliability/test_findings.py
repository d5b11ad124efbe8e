"""Defects the fuzzing found in code owned elsewhere, one test each (docs/requests/findings.md).

Each test states what should happen. While a finding is open its test is marked xfail(strict=True):
the day it is fixed the test passes, strict xfail turns that into a failure, and whoever fixed it
removes the mark here and the finding from KNOWN_FINDINGS in test_fuzz.py, so the fuzzer covers the
route again. Fixed findings keep their test, so that they stay fixed.
"""

from __future__ import annotations

from datetime import datetime


def _has_offset(value: str) -> bool:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).utcoffset() is not None


def test_finding_1_gateway_times_carry_their_utc_offset(platform, admin, new_council, new_person):
    # Fixed (platform_core.db.UTCDateTime); kept so that it stays fixed.
    council = new_council()
    person = new_person(council, "manager")
    person.post("/api/api-keys", json={"name": "report script", "roles": ["manager"]})
    answers = {
        "GET /api/auth/me": person.get("/api/auth/me").json()["created_at"],
        "GET /api/councils/{id}": admin.get(f"/api/councils/{council.id}").json()["created_at"],
        "GET /api/people/{id}": admin.get(f"/api/people/{person.id}").json()["created_at"],
        "GET /api/api-keys": person.get("/api/api-keys").json()[0]["created_at"],
    }
    assert {route: value for route, value in answers.items() if not _has_offset(value)} == {}


def test_finding_2_tried_before_accepts_what_its_document_allows(anonymous, team, platform):
    # Fixed (one limit, 5,000 characters); kept so that it stays fixed.
    schema = _request_schema(anonymous.get("/openapi.json").json(), "/api/journeys/tried-before", "post")
    longest = next(s["maxLength"] for s in _alternatives(schema["properties"]["proposal"]) if "maxLength" in s)
    body = {"title": "Text reminders before council tax is due", "proposal": "Send a text message. " * (longest // 21)}
    assert len(body["proposal"]) <= longest
    answer = anonymous.post(
        "/api/journeys/tried-before", json=body, headers={"Authorization": f"Bearer {team.token(platform, 'staff')}"}
    )
    assert answer.status_code == 200, answer.text[:300]


def _request_schema(doc: dict, path: str, method: str) -> dict:
    schema = doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _alternatives(schema: dict) -> list[dict]:
    return schema.get("anyOf", [schema])


def _allowed_by_document(doc: dict, path: str, method: str, body: dict) -> bool:
    """Does the published document accept this body? (JSON Schema 2020-12, as OpenAPI 3.1 uses.)"""
    from jsonschema import Draft202012Validator

    schema = doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": doc["components"]}).is_valid(body)


def test_finding_6_gateway_names_of_spaces_are_either_documented_or_accepted(anonymous, team, platform, request):
    # Fixed (names must hold more than spaces, said in the document); kept so that it stays fixed.
    doc = anonymous.get("/openapi.json").json()
    body = {"name": " ", "roles": ["manager"]}
    if not _allowed_by_document(doc, "/api/api-keys", "post", body):
        return  # the document now says a name needs more than spaces: fixed
    answer = anonymous.post(
        "/api/api-keys", json=body, headers={"Authorization": f"Bearer {team.token(platform, 'manager')}"}
    )
    assert answer.status_code == 201, answer.text[:300]


def test_finding_7_a_hack_day_name_is_documented_as_clearable_but_is_not(anonymous, team, platform, request):
    # Fixed (only fields that can be cleared are nullable in the document); kept so that it stays fixed.
    doc = anonymous.get("/openapi.json").json()
    body = {"name": None}
    if not _allowed_by_document(doc, "/api/ideas/hack-days/{hack_day_id}", "patch", body):
        return  # the document no longer offers null: fixed
    organiser = {"Authorization": f"Bearer {team.token(platform, 'organiser')}"}
    day = anonymous.post(
        "/api/ideas/hack-days",
        headers=organiser,
        json={"name": "Hack day to rename", "date": "2027-07-01", "themes": ["Less paperwork"]},
    )
    assert day.status_code == 201, day.text
    answer = anonymous.patch(
        f"/api/ideas/hack-days/{day.json()['id']}", json=body, headers={**organiser, "If-Match": day.headers["etag"]}
    )
    assert answer.status_code == 200, answer.text[:300]
