"""Services' own credentials are scoped to their job (issue 12, point 4).

The attack: the voting service's key, leaked or misused, sent follow-up's "outcome published" event to
the ideas service (through the public gateway, or straight to the service), and another council then
read the full text of an idea whose outcome was never published. Now internal routes do not exist at
the public gateway, whoever calls; a service's credential works only between services; each internal
route lets in only the services meant for it; and the ideas service asks follow-up before it believes
an outcome is published.
"""

from __future__ import annotations

import socket
import uuid
from urllib.parse import urlsplit

import httpx
import pytest

from tests.ideas.ideaskit import hack_day, submit
from tests.support.http import ok, problem

OUTCOME = "/api/ideas/internal/ideas/{idea_id}/outcome-published"


@pytest.fixture(scope="module")
def scene(platform, new_council, new_person):
    """An unpublished idea of one council, a reader in another, and the services' real keys."""
    home, other = new_council(), new_council()
    organiser = new_person(home, "organiser")
    author = new_person(home, "staff")
    reader = new_person(other, "staff")
    day = hack_day(organiser, "open")
    idea = submit(author, day["id"], title="Unpublished: shared inbox triage")
    return {"idea": idea, "reader": reader, "organiser": organiser, "keys": platform.runner.service_keys}


def _fake_outcome() -> dict:
    return {"event_id": str(uuid.uuid4()), "verdict": "worked", "trial_id": str(uuid.uuid4())}


def _token(anonymous: httpx.Client, key: str) -> str:
    return ok(anonymous.post("/api/auth/token", headers={"X-API-Key": key}))["access_token"]


def _still_summary(scene) -> None:
    seen = ok(scene["reader"].get(f"/api/ideas/ideas/{scene['idea']['id']}"))
    assert seen["view"] == "summary" and "problem" not in seen, seen


def test_votings_key_cannot_publish_an_outcome_through_the_gateway(scene, anonymous):
    path = OUTCOME.format(idea_id=scene["idea"]["id"])
    answer = anonymous.post(path, json=_fake_outcome(), headers={"X-API-Key": scene["keys"]["voting"]})
    problem(answer, 404)
    _still_summary(scene)


def test_votings_key_cannot_publish_an_outcome_straight_to_the_ideas_service(platform, scene, anonymous):
    token = _token(anonymous, scene["keys"]["voting"])
    with httpx.Client(base_url=platform.url("ideas"), timeout=30) as ideas:
        answer = ideas.post(
            OUTCOME.format(idea_id=scene["idea"]["id"]),
            json=_fake_outcome(),
            headers={"Authorization": f"Bearer {token}"},
        )
    problem(answer, 403)
    _still_summary(scene)


def test_an_outcome_follow_up_never_published_is_refused_even_from_follow_up(platform, scene, anonymous):
    token = _token(anonymous, scene["keys"]["followup"])
    with httpx.Client(base_url=platform.url("ideas"), timeout=30) as ideas:
        answer = ideas.post(
            OUTCOME.format(idea_id=scene["idea"]["id"]),
            json=_fake_outcome(),
            headers={"Authorization": f"Bearer {token}"},
        )
    assert "has no published 'worked' verdict" in problem(answer, 409)["detail"]
    _still_summary(scene)


def test_a_service_key_reads_nothing_through_the_gateway(scene, anonymous):
    """A leaked service key used to read every council's ideas in full through the public entry."""
    for key in scene["keys"].values():
        problem(anonymous.get(f"/api/ideas/ideas/{scene['idea']['id']}", headers={"X-API-Key": key}), 403)
        token = _token(anonymous, key)
        problem(anonymous.get("/api/voting/rounds", headers={"Authorization": f"Bearer {token}"}), 403)


def _raw_status(base_url: str, target: str, headers: dict[str, str]) -> int:
    """Send `target` exactly as written (no client normalises its dots or escapes); the status answered."""
    parts = urlsplit(base_url)
    lines = [f"POST {target} HTTP/1.1", f"Host: {parts.netloc}", "Content-Type: application/json"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    body = b'{"event_id": "' + str(uuid.uuid4()).encode() + b'", "verdict": "worked", "trial_id": "'
    body += str(uuid.uuid4()).encode() + b'"}'
    request = ("\r\n".join([*lines, f"Content-Length: {len(body)}", "Connection: close"]) + "\r\n\r\n").encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(request + body)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def test_the_gateway_refuses_internal_routes_however_spelt(platform, scene, admin):
    idea_id = scene["idea"]["id"]
    spellings = [
        f"/api/ideas/internal/ideas/{idea_id}/outcome-published",
        f"/api/ideas/%69nternal/ideas/{idea_id}/outcome-published",
        f"/api/ideas/./internal/ideas/{idea_id}/outcome-published",
        f"/api/voting/../ideas/internal/ideas/{idea_id}/outcome-published",
        f"/api/ideas%2Finternal/ideas/{idea_id}/outcome-published",
        f"/api/ideas//internal/ideas/{idea_id}/outcome-published",
        "/api/followup/internal/trials",
        "/api/voting/internal/co-authors",
        "/api/voting/internal",
    ]
    callers = {
        "nobody": {},
        "admin": {"Authorization": f"Bearer {admin.token}"},
        "followup's key": {"X-API-Key": scene["keys"]["followup"]},
        "voting's key": {"X-API-Key": scene["keys"]["voting"]},
    }
    seen = {
        (who, target): _raw_status(platform.gateway_url, target, headers)
        for who, headers in callers.items()
        for target in spellings
    }
    assert {k: v for k, v in seen.items() if v != 404} == {}
    _still_summary(scene)


def test_the_public_api_document_lists_no_internal_route(anonymous):
    paths = anonymous.get("/openapi.json").json()["paths"]
    assert [p for p in paths if "/internal" in p] == []


def test_each_internal_route_lets_in_only_its_senders(platform, scene, anonymous):
    tokens = {name: _token(anonymous, key) for name, key in scene["keys"].items()}
    idea_id = scene["idea"]["id"]
    calls = {
        ("ideas", f"/api/ideas/internal/ideas/{idea_id}/selected"): (
            "voting",
            {"event_id": str(uuid.uuid4()), "round_id": str(uuid.uuid4()), "rank": 1},
        ),
        ("ideas", OUTCOME.format(idea_id=idea_id)): ("followup", _fake_outcome()),
        ("followup", "/api/followup/internal/trials"): (
            "voting",
            {"event_id": str(uuid.uuid4()), "idea_id": idea_id, "council_id": str(uuid.uuid4()), "title": "x"},
        ),
        ("voting", "/api/voting/internal/co-authors"): (
            "ideas",
            {"council_id": str(uuid.uuid4()), "idea_id": idea_id, "person_id": str(uuid.uuid4())},
        ),
    }
    refused = {}
    for (part, path), (sender, body) in calls.items():
        with httpx.Client(base_url=platform.url(part), timeout=30) as direct:
            for name, token in tokens.items():
                if name != sender:
                    answer = direct.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
                    refused[(path, name)] = answer.status_code
    assert set(refused.values()) == {403}, refused
    _still_summary(scene)


def test_a_service_token_that_does_not_name_its_service_is_refused(platform, scene):
    """The `service` claim is what the internal routes check: a token with role service but no name is
    malformed, and so is a service's token that also holds a council or a person's role."""
    idea_id = scene["idea"]["id"]
    bad = [
        dict(council_id=None, roles=["service"]),
        dict(council_id=uuid.uuid4(), roles=["service"], service="voting"),
        dict(council_id=None, roles=["service", "admin"], service="voting"),
        dict(council_id=None, roles=["staff"], service="voting"),
    ]
    body = {"event_id": str(uuid.uuid4()), "round_id": str(uuid.uuid4()), "rank": 1}
    with httpx.Client(base_url=platform.url("ideas"), timeout=30) as ideas:
        for claims in bad:
            token = platform.issuer.issue(subject=uuid.uuid4(), council_name="", name="x", **claims)
            answer = ideas.post(
                f"/api/ideas/internal/ideas/{idea_id}/selected",
                json=body,
                headers={"Authorization": f"Bearer {token}"},
            )
            problem(answer, 401)
