"""Abuse limits the other tests do not already cover (tests/platform covers the body limit, rate
limits with Retry-After, login lockout and forged/expired/alg-none/wrong-audience tokens):

- every list has a hard maximum page size, and asking for more is a 422 naming `limit`;
- absurd offsets, huge query strings and deeply nested JSON are refused with a
  4xx, never a 500 or a hang, and a body of the wrong content type is a 415 saying so;
- NUL characters in text are refused with a 422 naming the field, on SQLite and PostgreSQL alike
  (PostgreSQL cannot store them; the fuzzing leaves them to this test).
"""

from __future__ import annotations

import time
import uuid

import pytest

from tests.support.http import problem

MAX_PAGE = 200  # docs/DEVELOPING.md: lists take `limit`, default 50, hard maximum 200


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _list_routes(doc: dict) -> list[tuple[str, dict]]:
    """GET operations answering a page: a JSON object with an `items` array."""
    routes = []
    for path, item in doc["paths"].items():
        op = item.get("get")
        if not op:
            continue
        content = op.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
        schema = _resolve(doc, content.get("schema", {}))
        items = _resolve(doc, schema.get("properties", {}).get("items", {}))
        if items.get("type") == "array":
            routes.append((path, op))
    return routes


def _limit(op: dict) -> dict | None:
    for parameter in op.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("name") == "limit":
            return parameter.get("schema", {})
    return None


def _fill(path: str) -> str:
    # Query parameters are checked before any object is looked up, so any well-formed id will do.
    import re

    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


@pytest.fixture(scope="module")
def public_document(anonymous) -> dict:
    return anonymous.get("/openapi.json").json()


def test_every_list_has_a_hard_maximum_page_size(public_document, team, platform, figures):
    headers = {"Authorization": f"Bearer {team.token(platform, 'manager')}"}
    routes = _list_routes(public_document)
    assert len(routes) >= 10, [p for p, _ in routes]
    without = [path for path, op in routes if (_limit(op) or {}).get("maximum") is None]
    assert without == [], "lists without a documented maximum page size"
    too_big = [path for path, op in routes if _limit(op)["maximum"] > MAX_PAGE]
    assert too_big == [], f"lists allowing pages over {MAX_PAGE}"
    refused = {}
    for path, op in routes:
        answer = team.staff.client.get(_fill(path), params={"limit": _limit(op)["maximum"] + 1}, headers=headers)
        if answer.status_code == 403:  # a list only admins read (federation's subscriptions): asked as one
            admin = {"Authorization": f"Bearer {team.token(platform, 'admin')}"}
            answer = team.staff.client.get(_fill(path), params={"limit": _limit(op)["maximum"] + 1}, headers=admin)
        refused[path] = answer.status_code
        if answer.status_code == 422:
            assert "limit" in [e["field"] for e in answer.json().get("errors", [])], answer.text
    # A list under an object that does not exist may answer 404 first (the object is looked up before
    # the page is read); every other list refuses the page size.
    assert {p: s for p, s in refused.items() if s != 422 and not (s == 404 and "{" in p)} == {}
    assert sum(s == 422 for s in refused.values()) >= len(routes) // 2, refused
    figures("abuse limits", "list routes with a hard maximum page size", len(routes))


def test_absurd_offsets_are_refused_not_500(public_document, team, platform):
    headers = {"Authorization": f"Bearer {team.token(platform, 'manager')}"}
    answers = {}
    for path, op in _list_routes(public_document):
        if not any(p.get("name") == "offset" for p in op.get("parameters", [])):
            continue
        answers[path] = team.staff.client.get(_fill(path), params={"offset": 10**30}, headers=headers).status_code
    assert answers and {p: s for p, s in answers.items() if not 400 <= s < 500} == {}


@pytest.mark.parametrize(
    ("path", "bounded"),
    [("/api/ideas/ideas", "q"), ("/api/followup/library", "q"), ("/api/councils", None), ("/api/voting/rounds", None)],
)
def test_a_huge_query_string_is_answered_quickly_and_never_with_a_500(team, platform, path, bounded):
    started = time.monotonic()
    answer = team.staff.client.get(
        path,
        params={"q": "x" * 30_000, "junk": "y" * 30_000},
        headers={"Authorization": f"Bearer {team.token(platform, 'staff')}"},
    )
    assert answer.status_code < 500, answer.text[:300]
    assert time.monotonic() - started < 5
    if bounded:  # a search term has a documented maximum length; the unknown parameter is ignored
        assert answer.status_code == 422, answer.text[:300]
        assert bounded in [e["field"] for e in answer.json()["errors"]]


@pytest.mark.parametrize("path", ["/api/ideas/similar", "/api/councils", "/api/voting/rounds", "/api/followup/trials"])
def test_deeply_nested_json_is_refused_not_500(team, platform, path):
    deep = "[" * 50_000 + "]" * 50_000
    answer = team.staff.client.post(
        path,
        content=deep.encode(),
        headers={
            "Authorization": f"Bearer {team.token(platform, 'admin' if path == '/api/councils' else 'manager')}",
            "Content-Type": "application/json",
        },
    )
    assert answer.status_code == 422, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None])
@pytest.mark.parametrize("path", ["/api/ideas/similar", "/api/auth/login", "/api/voting/rounds"])
def test_a_body_of_the_wrong_content_type_is_refused(team, platform, path, content_type):
    headers = {"Authorization": f"Bearer {team.token(platform, 'organiser')}"}
    if content_type:
        headers["Content-Type"] = content_type
    body = b"title=Text+reminders" if content_type and "form" in content_type else b"<idea>Text reminders</idea>"
    answer = team.staff.client.post(path, content=body, headers=headers)
    refused = problem(answer, 415, "Content-Type")  # said so, rather than a 422 on a body it never read
    assert "Content-Type: application/json" in refused["detail"], refused


# (route, field, finding): a finding number marks a route that does not refuse NUL itself yet.
NUL_CASES = [
    ("POST /api/ideas/hack-days", "name", None),
    ("POST /api/ideas/ideas", "title", None),
    ("POST /api/followup/trials", "hypothesis", None),
    ("POST /api/voting/rounds", "title", None),
    ("POST /api/councils", "name", None),
]


@pytest.fixture(scope="module")
def nul_targets(team, platform) -> dict:
    """An open hack day with two ideas, for the bodies below."""
    organiser = {"Authorization": f"Bearer {team.token(platform, 'organiser')}"}
    client = team.staff.client
    day = client.post(
        "/api/ideas/hack-days",
        headers=organiser,
        json={"name": "Hack day for NUL checks", "date": "2027-06-01", "themes": ["Less paperwork"]},
    )
    assert day.status_code == 201, day.text
    client.post(f"/api/ideas/hack-days/{day.json()['id']}/phase", headers=organiser, json={"phase": "open"})
    ideas = [
        client.post(
            "/api/ideas/ideas",
            headers={"Authorization": f"Bearer {team.token(platform, 'staff')}"},
            json={
                "hack_day_id": day.json()["id"],
                "title": f"Idea {n} for the NUL checks",
                "problem": "Missed payments.",
                "proposal": "Send texts.",
                "service_area": "revenues_and_benefits",
            },
        ).json()["id"]
        for n in range(2)
    ]
    return {"hack_day_id": day.json()["id"], "idea_ids": ideas}


@pytest.mark.parametrize(("route", "field", "finding"), NUL_CASES, ids=[c[0] for c in NUL_CASES])
def test_nul_characters_in_text_are_refused_naming_the_field(
    team, platform, nul_targets, request, route, field, finding
):
    if finding is not None:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"finding {finding} in docs/requests/findings.md"))
    day, ideas = nul_targets["hack_day_id"], nul_targets["idea_ids"]
    bodies = {
        "POST /api/ideas/hack-days": ("organiser", {"name": "Hack\x00day", "date": "2027-06-01", "themes": []}),
        "POST /api/ideas/ideas": (
            "staff",
            {
                "hack_day_id": day,
                "title": "Text\x00reminders",
                "problem": "Missed.",
                "proposal": "Send texts.",
                "service_area": "revenues_and_benefits",
            },
        ),
        "POST /api/voting/rounds": (
            "organiser",
            {"hack_day_id": day, "title": "Round\x00one", "method": "approval", "idea_ids": ideas},
        ),
        "POST /api/followup/trials": ("manager", {"idea_id": ideas[0], "hypothesis": "If we\x00text, calls fall."}),
        "POST /api/councils": ("admin", {"name": "NUL\x00Council", "slug": f"nul-{uuid.uuid4().hex[:8]}"}),
    }
    role, body = bodies[route]
    answer = team.staff.client.post(
        route.split()[1], json=body, headers={"Authorization": f"Bearer {team.token(platform, role)}"}
    )
    assert answer.status_code == 422, answer.text[:300]
    fields = [e.get("field", "") for e in answer.json().get("errors") or []]
    assert any(f == field or f.startswith(field + ".") for f in fields), answer.text[:300]
