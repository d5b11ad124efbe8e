"""Small helpers for the ideas tests: a hack day in a given phase, an idea, problem+json checks."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.support.http import ok, problem, service_headers  # noqa: F401

PHASES = ("draft", "open", "voting", "closed")


def hack_day(organiser, phase: str = "open", **fields: Any) -> dict:
    body = {
        "name": f"Hack day {uuid.uuid4().hex[:6]}",
        "date": "2027-03-04",
        "themes": ["Fewer calls chasing council tax"],
        **fields,
    }
    day = ok(organiser.post("/api/ideas/hack-days", json=body), 201)
    for step in PHASES[1 : PHASES.index(phase) + 1]:
        day = ok(organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": step}))
    return day


def move(organiser, day: dict, phase: str) -> dict:
    return ok(organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": phase}))


def idea_body(hack_day_id: str, **fields: Any) -> dict:
    return {
        "hack_day_id": hack_day_id,
        "title": "SMS reminders before council tax instalments",
        "problem": "Residents miss the instalment date, get a summons and ring the contact centre; "
        "about 900 calls a month in revenues.",
        "proposal": "Send a text message three days before each instalment is due.",
        "expected_benefit": {"amount": 400, "unit": "hours", "beneficiaries": "both"},
        "service_area": "revenues_and_benefits",
        "tags": ["Council Tax", "sms"],
        "partners": ["GOV.UK Notify"],
        **fields,
    }


def submit(person, hack_day_id: str, **fields: Any) -> dict:
    return ok(person.post("/api/ideas/ideas", json=idea_body(hack_day_id, **fields)), 201)


def etag_of(response: httpx.Response) -> str:
    tag = response.headers.get("etag")
    assert tag, response.headers
    return tag


def tag_for(person, url: str) -> str:
    """The ETag `person` reads for `url` now."""
    return etag_of(person.get(url))


def token_headers(platform, *, roles: list[str], council_id: uuid.UUID | None = None) -> dict[str, str]:
    token = platform.issuer.issue(
        subject=uuid.uuid4(), council_id=council_id, council_name="", roles=roles, name="someone"
    )
    return {"Authorization": f"Bearer {token}"}
