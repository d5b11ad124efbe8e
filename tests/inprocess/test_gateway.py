"""The gateway's own routes and its typed state, in-process (tests/support/inprocess.py)."""

from __future__ import annotations

import json
import uuid

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from gateway.settings import GatewaySettings
from gateway.state import GatewayState
from tests.support.http import ok, problem


def test_councils_are_listed_in_the_one_page_envelope(gateway_app):
    admin = gateway_app.person(roles=["admin"])
    slug = f"council-{uuid.uuid4().hex[:8]}"
    ok(admin.post("/api/councils", json={"name": f"{slug} Council", "slug": slug}), 201)
    page = ok(admin.get("/api/councils", params={"limit": 1, "offset": 0}))
    assert set(page) == {"items", "total", "limit", "offset", "next_offset"}
    assert page["limit"] == 1 and page["offset"] == 0 and len(page["items"]) == 1
    problem(admin.get("/api/councils", params={"limit": 201}), 422, "limit")


def test_a_council_name_with_nul_or_an_unknown_field_is_refused(gateway_app):
    admin = gateway_app.person(roles=["admin"])
    problem(admin.post("/api/councils", json={"name": "Bad\x00name", "slug": "bad-name"}), 422, "name")
    problem(admin.post("/api/councils", json={"name": "Good name", "slug": "good-name", "id": "x"}), 422, "id")


def test_only_admins_create_councils(gateway_app):
    staff = gateway_app.person(roles=["staff"])
    problem(staff.post("/api/councils", json={"name": "Mine Council", "slug": "mine"}), 403)


def test_the_application_state_is_one_typed_object(gateway_app):
    held = vars(gateway_app.app.app.state)["_state"]
    assert isinstance(held["platform"], GatewayState)
    assert set(held) <= {"platform", "allowed_methods_table"}, set(held)


def test_the_gateways_creating_posts_declare_idempotency_key(gateway_app):
    paths = ok(gateway_app.anonymous.get("/openapi.json"))["paths"]
    for path in ("/api/councils", "/api/people", "/api/councils/{council_id}/staff", "/api/api-keys"):
        headers = {p["name"] for p in paths[path]["post"].get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path


def test_a_change_of_roles_declares_if_match_and_its_refusals(gateway_app):
    operation = ok(gateway_app.anonymous.get("/openapi.json"))["paths"]["/api/people/{person_id}/roles"]["put"]
    assert "If-Match" in {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
    assert {"400", "412", "428"} <= set(operation["responses"])


def test_a_change_of_council_declares_if_match_and_its_contact_is_an_open_read(gateway_app):
    paths = ok(gateway_app.anonymous.get("/openapi.json"))["paths"]
    change = paths["/api/councils/{council_id}"]["patch"]
    assert "If-Match" in {p["name"] for p in change.get("parameters", []) if p["in"] == "header"}
    assert {"400", "412", "428"} <= set(change["responses"])
    assert paths["/api/councils/{council_id}/contact"]["get"]["security"] == []


def test_a_council_contact_must_be_an_email_address_and_nothing_else_is_changed(gateway_app):
    admin = gateway_app.person(roles=["admin"])
    slug = f"council-{uuid.uuid4().hex[:8]}"
    made = ok(admin.post("/api/councils", json={"name": f"{slug} Council", "slug": slug}), 201)
    path = f"/api/councils/{made['id']}"
    etag = admin.get(path).headers["ETag"]
    problem(admin.patch(path, json={"contact_email": "nobody"}, headers={"If-Match": etag}), 422, "contact_email")
    problem(admin.patch(path, json={"name": "Renamed", "contact_email": None}, headers={"If-Match": etag}), 422, "name")
    problem(admin.patch(path, json={"contact_email": "a@example.org"}, headers={"If-Match": "v1"}), 400, "If-Match")
    changed = ok(admin.patch(path, json={"contact_email": " a@example.org "}, headers={"If-Match": etag}))
    assert changed["contact_email"] == "a@example.org" and changed["name"] == made["name"]
    # An empty body changes no field, and still needs the version.
    assert (
        ok(admin.patch(path, json={}, headers={"If-Match": f'"{changed["version"]}"'}))["contact_email"]
        == "a@example.org"
    )


def test_production_needs_the_key_that_encrypts_single_sign_on_secrets():
    base = {
        "environment": "production",
        "database_url": "postgresql://gateway@127.0.0.1:5432/gateway",
        "jwt_private_key": "a signing key",
    }
    with pytest.raises(ValidationError, match="GATEWAY_SIGN_ON_SECRET_KEYS must be set in production"):
        GatewaySettings(**base)
    with pytest.raises(ValidationError, match="GATEWAY_SIGN_ON_SECRET_KEYS must be one or more Fernet keys"):
        GatewaySettings(**base, sign_on_secret_keys="REPLACE with a Fernet key")
    newest, older = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert GatewaySettings(**base, sign_on_secret_keys=f"{newest},{older}").sign_on_keys() == f"{newest},{older}"


def _fake_services(monkeypatch, services) -> list:
    """Answer the journeys' calls to the services with `services(httpx.Request) -> httpx.Response`; returns
    the calls made, as httpx requests (host: the part's name + ".test")."""
    import httpx

    from gateway.routes import journeys

    calls: list[httpx.Request] = []

    async def exchange(upstream, method, path, *, params, body, headers) -> journeys.Answer:
        request = httpx.Request(
            method, f"http://{upstream.name}.test{path}", params=params, content=body, headers=headers
        )
        calls.append(request)
        response = services(request)
        return journeys.Answer(response.status_code, response.headers.get("content-type", ""), response.content)

    monkeypatch.setattr(journeys, "_exchange", exchange)
    return calls


def test_tried_before_for_a_queue_asks_follow_up_once_for_every_similar_idea_of_the_council(gateway_app, monkeypatch):
    """The organiser's queue: each similar idea of the caller's own council was one call to follow-up
    (GET /trials/by-idea/{id}); now one POST /trials/by-ideas names them all, and another council's
    ideas still go to the library in one call."""
    import httpx

    organiser = gateway_app.person(roles=["organiser", "staff"])
    own = [{"id": str(uuid.uuid4()), "title": f"Own {n}", "council_id": organiser.council_id} for n in range(4)]
    theirs = {"id": str(uuid.uuid4()), "title": "Theirs", "council_id": str(uuid.uuid4()), "view": "full"}
    queued = [str(uuid.uuid4()), str(uuid.uuid4())]
    hits = [own[:3] + [theirs], own[1:]]  # own[1] and own[2] resemble both: asked for once

    def services(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/ideas/similar/to-ideas":
            items = [
                {"idea_id": q, "items": [{"score": 0.9, "idea": i} for i in h]}
                for q, h in zip(queued, hits, strict=True)
            ]
            return httpx.Response(200, json={"items": items})
        if path == "/api/followup/trials/by-ideas":
            asked = json.loads(request.content)["idea_ids"]
            trial = {"status": "concluded", "verdict": {"outcome": "did_not_work", "reasons": [{"code": "adoption"}]}}
            return httpx.Response(200, json={"items": [{**trial, "idea": {"id": asked[0]}}]})
        if path == "/api/followup/library":
            return httpx.Response(200, json={"items": []})
        return httpx.Response(404, json={"status": 404, "detail": "unexpected"})

    calls = _fake_services(monkeypatch, services)
    answer = ok(organiser.post("/api/journeys/tried-before/ideas", json={"idea_ids": queued, "limit": 4}))

    to_follow_up = [c for c in calls if c.url.host == "followup.test"]
    assert sorted(c.url.path for c in to_follow_up) == ["/api/followup/library", "/api/followup/trials/by-ideas"]
    (batch,) = [c for c in to_follow_up if c.url.path.endswith("/by-ideas")]
    assert sorted(json.loads(batch.content)["idea_ids"]) == sorted(i["id"] for i in own)  # each once, only own
    assert batch.headers["authorization"] == f"Bearer {organiser.token}"  # the caller's own token
    (library,) = [c for c in to_follow_up if c.url.path.endswith("/library")]
    assert library.url.params.get_list("idea_id") == [theirs["id"]]
    first = answer["items"][0]
    assert first["warning"] is True and first["items"][0]["outcome"]["verdict"] == "did_not_work"
    assert first["warning_reason"] == "Tried by your council: did not work (adoption)."


def test_tried_before_asks_follow_up_nothing_when_every_similar_idea_is_another_councils_summary(
    gateway_app, monkeypatch
):
    """Issue 16 (speed): another council's idea shown as a summary has no outcome its reader may see (the
    ideas service shows one whose outcome is published in full), so a draft whose similar ideas are all
    such summaries is answered without a call to follow-up, as if follow-up had found nothing: the same
    answer, every field of each item as before."""
    import httpx

    staff = gateway_app.person(roles=["staff"])
    summary = {
        "view": "summary",
        "id": str(uuid.uuid4()),
        "title": "Text reminders for bin days",
        "public_summary": "A text the evening before.",
        "service_area": "waste_and_recycling",
        "council_id": str(uuid.uuid4()),
        "council_name": "Anytown Council",
    }

    def services(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/ideas/similar":
            assert json.loads(request.content) == {
                "title": "Bin day texts",
                "problem": None,
                "proposal": None,
                "limit": 5,
            }
            return httpx.Response(200, json={"items": [{"score": 0.61, "idea": summary}]})
        return httpx.Response(500, json={"status": 500, "detail": "follow-up should not be asked"})

    calls = _fake_services(monkeypatch, services)
    answer = ok(staff.post("/api/journeys/tried-before", json={"title": "Bin day texts"}))
    assert [c.url.host for c in calls] == ["ideas.test"]
    assert answer == {
        "items": [{"score": 0.61, "idea": summary, "outcome": None, "warning": False, "warning_reason": None}],
        "warning": False,
        "outcomes_available": True,
        "notice": None,
    }
