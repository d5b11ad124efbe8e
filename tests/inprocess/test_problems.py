"""Problems every part answers the same way: a `type` that resolves to a page, the 415 for a body not sent
as JSON, a malformed date named with the format to use, and OpenAPI documents that say so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_core.problem_types import KINDS, PAGES_PATH, type_uri
from platform_core.problems import PROBLEM_JSON
from tests.support.http import ok, problem

REPO = Path(__file__).resolve().parents[2]
BODY = json.dumps({"name": "Spring day", "date": "2027-04-01"})


def test_every_kind_of_problem_has_a_page_at_its_type(gateway_app):
    index = gateway_app.anonymous.get(PAGES_PATH)
    assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
    for kind in KINDS:
        assert f'href="{kind.type_uri}"' in index.text, kind.name
        page = gateway_app.anonymous.get(kind.type_uri)
        assert page.status_code == 200, kind.name
        assert f"<h1>{kind.title}</h1>" in page.text and f"<strong>{kind.status}</strong>" in page.text
    unknown = problem(gateway_app.anonymous.get(f"{PAGES_PATH}/no-such-kind"), 404)
    assert unknown["type"] == "/problems/not-found"


def test_a_services_problem_names_its_kind_and_the_gateway_explains_it(ideas_app, gateway_app):
    staff = ideas_app.person(roles=["staff"])
    answer = problem(staff.get("/api/ideas/ideas/0b7e7a52-5d6c-4c1e-9a43-2f4f3c1d9e01"), 404)
    assert answer["type"] == "/problems/not-found" == type_uri(404)
    assert "Not found" in gateway_app.anonymous.get(answer["type"]).text
    unauthenticated = problem(ideas_app.anonymous.get("/api/ideas/hack-days"), 401)
    assert unauthenticated["type"] == "/problems/not-signed-in"


def test_the_documentation_lists_every_kind_of_problem():
    text = (REPO / "docs" / "problems.md").read_text()
    for kind in KINDS:
        assert f"`{kind.type_uri}`" in text and f"| {kind.status} |" in text, kind.name


@pytest.mark.parametrize(
    ("sent", "said"),
    [
        ({"Content-Type": "text/plain"}, "it said 'text/plain'"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, "application/x-www-form-urlencoded"),
        ({}, "it had no Content-Type"),
    ],
)
def test_a_body_not_sent_as_json_is_a_415_that_says_what_to_send(ideas_app, sent, said):
    organiser = ideas_app.person(roles=["organiser"])
    sending = organiser.post("/api/ideas/hack-days", content=BODY, headers=sent)  # httpx adds no Content-Type itself
    answer = problem(sending, 415, "Content-Type")
    assert "Content-Type: application/json" in answer["detail"] and said in answer["detail"]
    assert answer["type"] == "/problems/unsupported-media-type"


def test_json_with_a_charset_or_a_json_subtype_is_json(ideas_app):
    organiser = ideas_app.person(roles=["organiser"])
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        ok(organiser.post("/api/ideas/hack-days", content=BODY, headers={"Content-Type": content_type}), 201)


def test_every_part_answers_the_same_415(gateway_app, voting_app, followup_app):
    cases = [
        (gateway_app.person(roles=["admin"]), "/api/councils"),
        (gateway_app.anonymous, "/api/auth/login"),
        (voting_app.person(roles=["organiser"]), "/api/voting/rounds"),
        (followup_app.person(roles=["champion"]), "/api/followup/partners"),
    ]
    for caller, path in cases:
        sending = caller.post(path, content='{"name": "x"}', headers={"Content-Type": "text/plain"})
        answer = problem(sending, 415, "Content-Type")
        assert "application/json" in answer["detail"], path


def test_a_malformed_date_says_to_write_yyyy_mm_dd(ideas_app):
    organiser = ideas_app.person(roles=["organiser"])
    for written in ("01/04/2027", "2027-4-1", "next Tuesday"):
        answer = problem(organiser.post("/api/ideas/hack-days", json={"name": "Spring", "date": written}), 422, "date")
        (error,) = [e for e in answer["errors"] if e["field"] == "date"]
        assert "YYYY-MM-DD" in error["message"] and "YYYY-MM-DD" in answer["detail"], answer


@pytest.mark.parametrize("part", ["gateway", "ideas", "voting", "followup"])
def test_openapi_documents_every_error_as_problem_json_and_a_415_for_each_json_body(part, request):
    app = request.getfixturevalue(f"{part}_app")
    document = (app.app.app if part == "gateway" else app.app).openapi()
    schemas = document["components"]["schemas"]
    assert schemas["ProblemDetail"]["properties"]["type"]["format"] == "uri-reference"
    assert "HTTPValidationError" not in schemas
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400 and path != "/readyz":  # a 503 readiness report is the report
                    assert answer["content"] == {
                        PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}
                    }, (method, path, status)
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                assert "415" in operation["responses"], (method, path)
