"""Checkpoints, the overdue list and the portfolio report, including the honesty figure."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from tests.followup.kit import (
    TRIALS,
    add_metric,
    baseline,
    days_ago,
    measure,
    ok,
    open_trial,
    problem,
    today,
    verdict_body,
)


@pytest.fixture(scope="module")
def council(new_council, new_person):
    """A council of its own, so its portfolio figures are exactly what these tests made."""
    from tests.followup.conftest import Town
    from tests.followup.kit import open_hack_day

    c = new_council()
    organiser = new_person(c, "organiser", "staff")
    return Town(
        council=c,
        manager=new_person(c, "manager"),
        staff=new_person(c, "staff"),
        organiser=organiser,
        hack_day=open_hack_day(organiser, held_on=days_ago(130)),
    )


@pytest.fixture(scope="module")
def late(council) -> dict:
    """Started 100 days ago, never measured, never reviewed."""
    trial = open_trial(
        council.manager,
        council.idea("Late and never measured")["id"],
        review_date=days_ago(5),
        checkpoint_schedule=["6w", "3m", "6m"],
    )
    add_metric(council.manager, trial["id"], baseline=baseline(2.0))
    return ok(council.manager.post(f"{TRIALS}/{trial['id']}/start", json={"started_on": days_ago(100)}))


def test_checkpoints_fall_due_after_the_start(late):
    start = today() - timedelta(days=100)
    due = {c["label"]: c for c in late["checkpoints"]}
    assert due["6w"]["due_on"] == (start + timedelta(weeks=6)).isoformat()
    three_months = date.fromisoformat(due["3m"]["due_on"])
    assert (three_months.year * 12 + three_months.month) - (start.year * 12 + start.month) == 3
    assert due["6w"]["overdue"] and due["3m"]["overdue"] and not due["6m"]["overdue"]


def test_the_overdue_list_shows_stale_follow_up(council, late, other_town):
    listed = ok(council.manager.get("/api/followup/overdue"))
    assert listed["stale_after_days"] == 42
    item = {i["trial_id"]: i for i in listed["items"]}[late["id"]]
    assert [c["label"] for c in item["overdue_checkpoints"]] == ["6w", "3m"]
    assert item["overdue_checkpoints"][0]["days_overdue"] == 100 - 42
    assert item["review_overdue"] and item["stale"] and item["days_without_measurement"] == 100
    # Staff see their own council's list; another council may not ask for it.
    assert late["id"] in [i["trial_id"] for i in ok(council.staff.get("/api/followup/overdue"))["items"]]
    problem(
        other_town.manager.get("/api/followup/overdue", params={"council_id": council.council.id}),
        403,
        "council_id",
    )
    assert late["id"] not in [i["trial_id"] for i in ok(other_town.manager.get("/api/followup/overdue"))["items"]]
    # Paged like every list, with a hard maximum.
    first = ok(council.manager.get("/api/followup/overdue", params={"limit": 1}))
    assert len(first["items"]) == 1 and first["total"] == listed["total"] >= 1 and first["limit"] == 1
    problem(council.manager.get("/api/followup/overdue", params={"limit": 201}), 422, "limit")


def test_reviewing_and_measuring_clear_the_list(council):
    trial = open_trial(council.manager, council.idea("Reviewed on time")["id"], checkpoint_schedule=["6w"])
    metric = add_metric(council.manager, trial["id"], baseline=baseline(2.0))
    started = ok(council.manager.post(f"{TRIALS}/{trial['id']}/start", json={"started_on": days_ago(50)}))
    ids = lambda: [i["trial_id"] for i in ok(council.manager.get("/api/followup/overdue"))["items"]]  # noqa: E731
    assert trial["id"] in ids()
    checkpoint = started["checkpoints"][0]
    reviewed = ok(
        council.manager.post(
            f"{TRIALS}/{trial['id']}/checkpoints/{checkpoint['id']}/review",
            json={"note": "On track; two officers still re-keying."},
        )
    )
    assert reviewed["reviewed_at"] and not reviewed["overdue"]
    problem(council.manager.post(f"{TRIALS}/{trial['id']}/checkpoints/{checkpoint['id']}/review"), 409)
    assert trial["id"] in ids()  # still stale: nothing measured for 50 days
    measure(council.manager, trial["id"], metric["id"], 1.8)
    assert trial["id"] not in ids()


def test_the_portfolio_counts_the_funnel_gains_and_honesty(council, late):
    worked = open_trial(council.manager, council.idea("Worked and published")["id"], trial_cost_pounds=1000)
    metric = add_metric(
        council.manager,
        worked["id"],
        baseline=baseline(2.0),
        annual_volume=1000,
        hourly_cost_pounds=30,
        cashable=True,
    )
    ok(council.manager.post(f"{TRIALS}/{worked['id']}/start"))
    measure(council.manager, worked["id"], metric["id"], 1.5)
    ok(council.manager.post(f"{TRIALS}/{worked['id']}/evaluate"))
    ok(council.manager.post(f"{TRIALS}/{worked['id']}/verdict", json=verdict_body("worked")))
    ok(council.manager.post(f"{TRIALS}/{worked['id']}/publish"), 201)
    failures = []
    for title in ("Failed and published", "Failed and kept quiet"):
        t = open_trial(council.manager, council.idea(title)["id"])
        ok(council.manager.post(f"{TRIALS}/{t['id']}/verdict", json=verdict_body("stopped")))
        failures.append(t)
    ok(council.manager.post(f"{TRIALS}/{failures[0]['id']}/publish"), 201)

    report = ok(council.staff.get("/api/followup/portfolio"))
    assert report["council_id"] == council.council.id
    # Trials here: "late", "Reviewed on time" (other test, when run), worked, two stopped.
    funnel = report["funnel"]
    assert funnel["concluded"] == 3 and funnel["worked"] == 1 and funnel["partly"] == 0
    assert funnel["opened"] >= 4 and funnel["trialled"] >= 2
    # Selected ideas are the ideas service's count: no vote selected any idea of this council (every
    # trial here was opened by a manager), so none, whatever the number of trials.
    assert funnel["selected"] == 0
    # Ideas come from the ideas service, asked with the caller's token: every trial here had one.
    assert isinstance(funnel["ideas"], int) and funnel["ideas"] >= funnel["opened"]
    # As the council's list totals them (in play: neither withdrawn nor hidden), asked in one call.
    assert funnel["ideas"] == ok(council.staff.get("/api/ideas/ideas", params={"limit": 1}))["total"]
    assert report["outcomes"] == {"worked": 1, "stopped": 2}
    gains = report["realised_gains"]
    # 0.5 h × 1000 × £30 = £15,000 cashable, 500 hours; net of the £1,000 trial.
    assert (gains["trials"], gains["annual_hours"], gains["cashable_pounds"], gains["net_pounds"]) == (
        1,
        500.0,
        15000.0,
        14000.0,
    )
    assert report["honesty"] == {"not_worked": 2, "not_worked_published": 1, "share_published": 0.5}
    assert report["median_days_hack_day_to_verdict"] == 130.0
    assert report["attention"]["overdue_reviews"] >= 1 and report["attention"]["stale_trials"] >= 1
    assert report["overdue_trials"] is None  # the list itself only when asked for
    # A portfolio page asks for the figures and the overdue list in one call: the list as /overdue has it.
    both = ok(council.staff.get("/api/followup/portfolio", params={"overdue_trials": "true"}))
    listed = ok(council.staff.get("/api/followup/overdue", params={"limit": 200}))["items"]
    assert both["overdue_trials"] == listed and late["id"] in [i["trial_id"] for i in listed]
    assert {k: v for k, v in both.items() if k != "overdue_trials"} == {
        k: v for k, v in report.items() if k != "overdue_trials"
    }

    sector = ok(council.manager.get("/api/followup/portfolio/sector"))
    mine = {c["council_id"]: c for c in sector["councils"]}[council.council.id]
    assert mine["honesty"] == report["honesty"] and mine["realised_gains"] == report["realised_gains"]
    assert sector["funnel"]["concluded"] >= 3
    assert "title" not in str(sector)  # figures only, never an unpublished trial's content


def test_another_council_cannot_read_our_portfolio(council, other_town):
    problem(
        other_town.manager.get("/api/followup/portfolio", params={"council_id": council.council.id}),
        403,
        "council_id",
    )


def test_a_trial_opened_by_a_vote_knows_its_hack_day_date(platform, new_council, new_person):
    """The vote's message names the hack day but not its date: follow-up asks the ideas service, so
    the time from hack day to verdict is known for such trials too (portfolio and library record)."""
    from tests.followup.kit import open_hack_day, service_headers, submit_idea

    c = new_council()
    organiser, manager = new_person(c, "organiser", "staff"), new_person(c, "manager", "staff")
    day = open_hack_day(organiser, held_on=days_ago(60))
    idea = submit_idea(new_person(c, "staff"), day["id"], "Chosen by the vote")
    message = {
        "event_id": f"round-7:{idea['id']}",
        "idea_id": idea["id"],
        "hack_day_id": day["id"],
        "council_id": c.id,
        "council_name": c.name,
        "title": idea["title"],
        "round_id": day["id"],
        "rank": 1,
    }
    # Internal routes are reached on the service's own address, never through the gateway.
    with httpx.Client(base_url=platform.url("followup"), timeout=30) as client:
        opened = ok(client.post("/api/followup/internal/trials", json=message, headers=service_headers(platform)), 201)
    trial = ok(manager.get(f"{TRIALS}/{opened['id']}"))
    assert trial["origin"] == "vote" and trial["idea"]["hack_day_on"] == days_ago(60)
    ok(manager.post(f"{TRIALS}/{trial['id']}/verdict", json=verdict_body("stopped")))
    record = ok(manager.post(f"{TRIALS}/{trial['id']}/publish"), 201)
    assert record["hack_day_on"] == days_ago(60)
    report = ok(manager.get("/api/followup/portfolio"))
    assert report["median_days_hack_day_to_verdict"] == 60.0
    assert report["funnel"]["opened"] == 1
