"""What survives a service going down during a hack day: nothing is lost and nothing happens twice."""

from __future__ import annotations

import uuid

from tests.followup.kit import ok
from tests.journey.hackday import ROUNDS, ideas_for_the_vote, run_approval_round, wait_for

IDEAS = [
    ("Garden waste renewals by text link", "Renewal letters cost money and get lost.", "waste_and_recycling"),
    ("Library book drop at GP surgeries", "Older residents struggle to reach the library.", "libraries_and_culture"),
    (
        "One form for blue badge and bus pass",
        "Residents fill in two forms with the same evidence.",
        "customer_services",
    ),
]


def test_follow_up_down_while_a_result_is_published_gets_its_trials_once_it_returns(platform, new_council, new_person):
    council = new_council()
    organiser, manager = new_person(council, "organiser"), new_person(council, "manager")
    staff = [new_person(council, "staff") for _ in range(4)]
    day, ideas = ideas_for_the_vote(organiser, staff[:3], IDEAS)
    a, b, c = (i["id"] for i in ideas)

    platform.kill("followup")
    try:
        run_approval_round(
            organiser,
            day,
            [(staff[3], [a, b]), (staff[2], [a, b]), (staff[1], [a, c]), (staff[0], [b, c])],
            selected_count=2,
        )
        # The ideas service gets its half of the message while follow-up is away.
        wait_for(lambda: ok(staff[0].get(f"/api/ideas/ideas/{a}"))["status"] == "selected", "a selected")
        assert manager.get(f"/api/followup/trials/by-idea/{a}").status_code == 503
    finally:
        platform.start("followup")

    for idea_id in (a, b):
        wait_for(
            lambda i=idea_id: manager.get(f"/api/followup/trials/by-idea/{i}").status_code == 200,
            f"the trial of {idea_id} after follow-up returned",
            timeout=60,
        )
    trials = ok(manager.get("/api/followup/trials", params={"limit": 200}))["items"]
    assert sorted(t["idea"]["id"] for t in trials) == sorted([a, b])


def test_ideas_down_during_voting_loses_nothing(platform, new_council, new_person):
    council = new_council()
    organiser, manager = new_person(council, "organiser"), new_person(council, "manager")
    staff = [new_person(council, "staff") for _ in range(4)]
    day, ideas = ideas_for_the_vote(organiser, staff[:3], IDEAS)
    a, b, c = (i["id"] for i in ideas)
    rnd = ok(
        organiser.post(
            ROUNDS,
            json={
                "hack_day_id": day["id"],
                "title": "Pick two",
                "method": "approval",
                "rules": {"max_approvals": 2},
                "selected_count": 2,
            },
        ),
        201,
    )
    ok(organiser.post(f"{ROUNDS}/{rnd['id']}/open"))

    platform.kill("ideas")
    try:
        down = staff[0].get(f"/api/ideas/ideas/{a}")
        assert down.status_code == 503 and down.headers["content-type"] == "application/problem+json"
        # Voting and follow-up keep answering: the round holds its own snapshot of the candidates.
        receipts = []
        for voter, approve in [(staff[3], [a, b]), (staff[2], [a, b]), (staff[1], [a, c])]:
            cast = ok(
                voter.post(
                    f"{ROUNDS}/{rnd['id']}/ballot",
                    json={"choices": {"approve": approve}},
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                ),
                201,
            )
            receipts.append(cast["ballot_id"])
        assert ok(manager.get("/api/followup/trials"))["items"] == []
        ok(organiser.post(f"{ROUNDS}/{rnd['id']}/close"))
        ok(organiser.post(f"{ROUNDS}/{rnd['id']}/publish", json={"selected_count": 2}))
    finally:
        platform.start("ideas")

    published = ok(staff[0].get(f"{ROUNDS}/{rnd['id']}/ballots"))
    assert sorted(b["ballot_id"] for b in published["ballots"]) == sorted(receipts)
    for idea_id in (a, b):
        wait_for(
            lambda i=idea_id: ok(staff[0].get(f"/api/ideas/ideas/{i}"))["status"] == "selected",
            f"{idea_id} selected after ideas returned",
            timeout=60,
        )
        wait_for(
            lambda i=idea_id: manager.get(f"/api/followup/trials/by-idea/{i}").status_code == 200,
            f"the trial of {idea_id}",
            timeout=60,
        )
    assert ok(staff[0].get(f"/api/ideas/ideas/{c}"))["status"] != "selected"
