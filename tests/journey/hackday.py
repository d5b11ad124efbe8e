"""Small steps of a hack day through the gateway, shared by the journey tests."""

from __future__ import annotations

import time
import uuid
from typing import Any

from tests.followup.kit import add_metric, baseline, measure, ok, open_trial, verdict_body
from tests.ideas.ideaskit import hack_day, move, submit

ROUNDS = "/api/voting/rounds"


def wait_for(check, what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def ideas_for_the_vote(organiser, staff: list, titles: list[tuple[str, str, str]]) -> tuple[dict, list[dict]]:
    """An open hack day, one idea per (title, problem, area) by successive staff, all shortlisted,
    then the day moved to voting."""
    day = hack_day(organiser)
    ideas = []
    for person, (title, problem, area) in zip(staff, titles, strict=False):
        ideas.append(
            submit(
                person,
                day["id"],
                title=title,
                problem=problem,
                proposal=f"Trial it with one team for three months: {title.lower()}.",
                service_area=area,
                tags=["hack-day"],
            )
        )
    for idea in ideas:
        ok(organiser.post(f"/api/ideas/ideas/{idea['id']}/shortlist"))
    move(organiser, day, "voting")
    return day, ideas


def run_approval_round(organiser, day: dict, ballots: list, selected_count: int) -> dict:
    """Create, open, cast `ballots` ([(voter, [idea ids])]), close and publish an approval round."""
    rnd = ok(
        organiser.post(
            ROUNDS,
            json={
                "hack_day_id": day["id"],
                "title": "Which ideas do we trial?",
                "method": "approval",
                "rules": {"max_approvals": 2, "secret": True},
                "selected_count": selected_count,
            },
        ),
        201,
    )
    ok(organiser.post(f"{ROUNDS}/{rnd['id']}/open"))
    receipts = {}
    for voter, approve in ballots:
        cast = ok(
            voter.post(
                f"{ROUNDS}/{rnd['id']}/ballot",
                json={"choices": {"approve": approve}},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            ),
            201,
        )
        receipts[voter.id] = cast["receipt"]
    ok(organiser.post(f"{ROUNDS}/{rnd['id']}/close"))
    published = ok(organiser.post(f"{ROUNDS}/{rnd['id']}/publish", json={"selected_count": selected_count}))
    return {"round": published, "receipts": receipts}


def open_to_everyone(reader, idea_id: str) -> dict:
    """Wait until `reader` (of another council) reads the idea whole with its outcome: follow-up tells
    ideas of a published outcome through its outbox, and ideas confirms it with follow-up, so an idea
    opens to every council a moment after its verdict is published, not in the same request."""
    return wait_for(
        lambda: (r := reader.get(f"/api/ideas/ideas/{idea_id}")).status_code == 200
        and r.json()["view"] == "full"
        and r.json()["outcome"]
        and r.json(),
        f"idea {idea_id}'s published outcome to open it to every council",
    )


def conclude_and_publish(manager, idea_id: str, *, outcome: str, before: float, after: float, **verdict: Any) -> dict:
    existing = manager.get(f"/api/followup/trials/by-idea/{idea_id}")
    trial = existing.json() if existing.status_code == 200 else open_trial(manager, idea_id)
    metric = add_metric(manager, trial["id"], baseline=baseline(before), annual_volume=5000, hourly_cost_pounds=24)
    ok(manager.post(f"/api/followup/trials/{trial['id']}/start"))
    measure(manager, trial["id"], metric["id"], after)
    ok(manager.post(f"/api/followup/trials/{trial['id']}/evaluate"))
    ok(manager.post(f"/api/followup/trials/{trial['id']}/verdict", json=verdict_body(outcome, **verdict)))
    return ok(manager.post(f"/api/followup/trials/{trial['id']}/publish"), 201)
