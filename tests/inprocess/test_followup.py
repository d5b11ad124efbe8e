"""Follow-up rules and validation, in-process (tests/support/inprocess.py). A trial is opened as the
voting service opens it: the internal message, with the service's own credential."""

from __future__ import annotations

import uuid

from tests.support.http import ok, problem


def _trial(followup_app, council_id: str) -> dict:
    service = followup_app.person(service="voting")
    body = {
        "event_id": str(uuid.uuid4()),
        "idea_id": str(uuid.uuid4()),
        "council_id": council_id,
        "council_name": "Testshire Council",
        "title": "Text reminders for council tax",
        "hack_day_on": "2027-03-01",
    }
    made = ok(service.post("/api/followup/internal/trials", json=body), 201)
    again = ok(service.post("/api/followup/internal/trials", json=body), 200)
    assert again["id"] == made["id"]  # the same message twice opens one trial
    return made


def test_only_the_voting_service_opens_trials_from_a_vote(followup_app):
    manager = followup_app.person(roles=["manager"])
    problem(manager.post("/api/followup/internal/trials", json={}), 403)
    ideas = followup_app.person(service="ideas")
    problem(ideas.post("/api/followup/internal/trials", json={}), 403)


def test_a_trial_plan_change_needs_its_version_and_refuses_unknown_fields(followup_app):
    manager = followup_app.person(roles=["manager"])
    trial = _trial(followup_app, manager.council_id)
    path = f"/api/followup/trials/{trial['id']}"
    problem(manager.patch(path, json={"hypothesis": "If we remind, fewer pay late"}), 428, "If-Match")
    etag = ok_etag(manager, path)
    problem(manager.patch(path, json={"verdict": "worked"}, headers={"If-Match": etag}), 422, "verdict")
    problem(manager.patch(path, json={"hypothesis": "If\x00we"}, headers={"If-Match": etag}), 422, "hypothesis")
    ok(manager.patch(path, json={"hypothesis": "If we remind, fewer pay late"}, headers={"If-Match": etag}))
    problem(manager.patch(path, json={"scope": "Two wards"}, headers={"If-Match": etag}), 412, "If-Match")


def ok_etag(actor, path: str) -> str:
    response = actor.get(path)
    ok(response)
    return response.headers["ETag"]


def test_another_council_never_learns_a_trial_exists(followup_app):
    manager = followup_app.person(roles=["manager"])
    trial = _trial(followup_app, manager.council_id)
    stranger = followup_app.person(roles=["manager"])
    problem(stranger.get(f"/api/followup/trials/{trial['id']}"), 404)
    colleague = followup_app.person(roles=["staff"], council_id=manager.council_id)
    ok(colleague.get(f"/api/followup/trials/{trial['id']}"))


def test_the_portfolio_says_the_ideas_counts_are_not_known_when_the_ideas_service_cannot_say(followup_app):
    """No ideas service runs in-process (none that would take this process's tokens): the portfolio is still
    answered, its two ideas counts null, which the page shows as not available."""
    manager = followup_app.person(roles=["manager"])
    _trial(followup_app, manager.council_id)
    report = ok(manager.get("/api/followup/portfolio"))
    assert report["funnel"]["ideas"] is None and report["funnel"]["selected"] is None
    assert report["funnel"]["opened"] == 1


def test_the_application_state_is_typed(followup_app):
    held = vars(followup_app.app.state)["_state"]
    assert "platform" in held and "followup" in held
    assert set(held) <= {"platform", "followup", "outbox_relay", "allowed_methods_table"}, set(held)


def test_a_service_credential_straight_to_follow_up_reads_only_what_its_job_needs(followup_app):
    """Issue 12: a service's own credential sent to the follow-up port passed every public route (the
    sector portfolio, every council's overdue trials). Now only the ideas service's passes, and only on
    the library search it asks before believing an "outcome published" event; every other public route
    refuses a service's credential, and anonymous readers still read the open library."""
    manager = followup_app.person(roles=["manager"])
    trial = _trial(followup_app, manager.council_id)
    ideas = followup_app.person(service="ideas")
    assert ok(ideas.get("/api/followup/library", params={"idea_id": trial["idea"]["id"]}))["items"] == []
    calls = [
        ("GET", "/api/followup/trials"),
        ("GET", f"/api/followup/trials/{trial['id']}"),
        ("GET", f"/api/followup/trials/{trial['id']}/measurements"),
        ("GET", "/api/followup/portfolio/sector"),
        ("GET", f"/api/followup/overdue?council_id={manager.council_id}"),
        ("GET", "/api/followup/vocabulary"),
        ("GET", "/api/followup/partners"),
        ("GET", "/api/followup/federation/subscriptions"),
        ("GET", "/api/followup/library/export.csv"),
        ("GET", "/api/followup/library/what-works"),
    ]
    answers = {
        (service, method, path): followup_app.person(service=service).request(method, path).status_code
        for service in ("ideas", "voting", "followup")
        for method, path in calls
    }
    voting = followup_app.person(service="voting")
    answers[("voting", "GET", "/api/followup/library")] = voting.get("/api/followup/library").status_code
    assert set(answers.values()) == {403}, {call: status for call, status in answers.items() if status != 403}
    assert ok(followup_app.anonymous.get("/api/followup/library"))["total"] >= 0  # open data stays open
    ok(manager.get(f"/api/followup/trials/{trial['id']}"))
    problem(followup_app.anonymous.get("/api/followup/trials"), 401)


def test_the_trials_of_many_ideas_come_in_one_call_and_only_those_the_caller_may_read(followup_app):
    manager = followup_app.person(roles=["manager"])
    first, second = _trial(followup_app, manager.council_id), _trial(followup_app, manager.council_id)
    elsewhere = _trial(followup_app, str(uuid.uuid4()))
    untried = str(uuid.uuid4())
    asked = [second["idea"]["id"], untried, elsewhere["idea"]["id"], first["idea"]["id"]]
    colleague = followup_app.person(roles=["staff"], council_id=manager.council_id)
    answer = ok(colleague.post("/api/followup/trials/by-ideas", json={"idea_ids": asked}))
    # In the order asked; an idea without a trial and another council's trial are left out alike.
    assert [t["id"] for t in answer["items"]] == [second["id"], first["id"]]
    alone = ok(colleague.get(f"/api/followup/trials/by-idea/{first['idea']['id']}"))
    assert answer["items"][1] == alone  # the same record as asking for the idea alone
    assert (
        ok(
            followup_app.person(roles=["admin"], council_id=None).post(
                "/api/followup/trials/by-ideas", json={"idea_ids": asked}
            )
        )["items"][1]["id"]
        == elsewhere["id"]
    )

    problem(colleague.post("/api/followup/trials/by-ideas", json={"idea_ids": []}), 422, "idea_ids")
    problem(colleague.post("/api/followup/trials/by-ideas", json={"idea_ids": [untried, untried]}), 422, "idea_ids")
    many = [str(uuid.uuid4()) for _ in range(201)]
    problem(colleague.post("/api/followup/trials/by-ideas", json={"idea_ids": many}), 422, "idea_ids")
    problem(colleague.post("/api/followup/trials/by-ideas", json={"idea_ids": [untried], "council_id": "x"}), 422)
