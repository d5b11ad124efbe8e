"""Voting rules and validation, in-process (tests/support/inprocess.py). Creating a round asks the
ideas service for its candidates, so rounds themselves are made in the process tests."""

from __future__ import annotations

import uuid

from tests.support.http import ok, problem


def _round(**extra) -> dict:
    return {"hack_day_id": str(uuid.uuid4()), "title": "Which ideas to trial", "method": "approval", **extra}


def test_only_organisers_create_rounds(voting_app):
    staff = voting_app.person(roles=["staff"])
    problem(staff.post("/api/voting/rounds", json=_round()), 403)


def test_a_round_refuses_unknown_fields_bad_methods_and_nul(voting_app):
    organiser = voting_app.person(roles=["organiser"])
    problem(organiser.post("/api/voting/rounds", json=_round(phase="open")), 422, "phase")
    problem(organiser.post("/api/voting/rounds", json=_round(method="loudest")), 422, "method")
    problem(organiser.post("/api/voting/rounds", json=_round(title="Which\x00ideas")), 422, "title")


def test_rounds_are_listed_per_council_with_one_page_maximum(voting_app):
    organiser = voting_app.person(roles=["organiser"])
    page = ok(organiser.get("/api/voting/rounds", params={"limit": 200}))
    assert page["items"] == [] and page["total"] == 0 and page["next_offset"] is None
    problem(organiser.get("/api/voting/rounds", params={"limit": 201}), 422, "limit")


def test_nobody_sees_a_round_that_is_not_there(voting_app):
    organiser = voting_app.person(roles=["organiser"])
    problem(organiser.get(f"/api/voting/rounds/{uuid.uuid4()}"), 404)
    problem(organiser.post(f"/api/voting/rounds/{uuid.uuid4()}/ballot", json={"choices": {"approve": []}}), 404)


def test_the_application_state_is_typed(voting_app):
    held = vars(voting_app.app.state)["_state"]
    assert "platform" in held and "voting" in held
    assert set(held) <= {"platform", "voting", "outbox_relay", "allowed_methods_table"}, set(held)
