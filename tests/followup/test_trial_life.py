"""The whole life of a trial through the gateway: planned, running with measurements, concluded,
published, and read by another council in the shared library."""

from __future__ import annotations

import uuid

import httpx

from tests.followup.kit import (
    LIBRARY,
    TRIALS,
    add_metric,
    baseline,
    days_ago,
    measure,
    ok,
    open_trial,
    problem,
    verdict_body,
)


def test_a_trial_from_plan_to_the_shared_library(town, other_town):
    tag = uuid.uuid4().hex[:8]
    idea = town.idea(f"Pre-fill change-of-address forms from the email {tag}")
    trial = open_trial(town.manager, idea["id"])
    assert trial["status"] == "planned" and not trial["frozen"]
    assert trial["idea"] == {
        "id": idea["id"],
        "title": idea["title"],
        "council_id": town.council.id,
        "council_name": town.council.name,
        "service_area": "revenues_and_benefits",
        "hack_day_id": town.hack_day["id"],
        "hack_day_on": "2026-09-10",
    }
    assert trial["checkpoint_schedule"] == ["6w", "3m", "6m", "12m"] and trial["checkpoints"] == []

    metric = add_metric(
        town.manager,
        trial["id"],
        baseline=baseline(2.0),
        target_value=1.5,
        annual_volume=1200,
        hourly_cost_pounds=25,
    )
    assert metric["baseline"]["value"] == 2.0

    started = ok(town.manager.post(f"{TRIALS}/{trial['id']}/start"))
    assert started["status"] == "running" and started["frozen"]
    assert [c["label"] for c in started["checkpoints"]] == ["6w", "3m", "6m", "12m"]
    assert not any(c["overdue"] for c in started["checkpoints"])

    first = measure(town.manager, trial["id"], metric["id"], 1.7, end_days_ago=30)
    second = measure(town.manager, trial["id"], metric["id"], 1.5, end_days_ago=2)
    fixed = measure(
        town.manager,
        trial["id"],
        metric["id"],
        1.6,
        end_days_ago=2,
        corrects=second["id"],
        note="The first report double-counted the bank holiday.",
    )
    assert fixed["corrects_id"] == second["id"] and fixed["effective"]
    log = ok(town.manager.get(f"{TRIALS}/{trial['id']}/measurements"))["items"]
    assert [(m["value"], m["effective"]) for m in log] == [(1.7, True), (1.5, False), (1.6, True)]
    assert first["sequence"] == 1 and fixed["sequence"] == 3

    live = ok(town.manager.get(f"{TRIALS}/{trial['id']}"))
    assert live["gain"]["metrics"][0]["latest_value"] == 1.6  # the correction, not the first report
    assert live["gain"]["annual_hours"] == 480.0  # (2.0 − 1.6) × 1200
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/evaluate"))
    concluded = ok(
        town.manager.post(
            f"{TRIALS}/{trial['id']}/verdict",
            json=verdict_body(
                "worked",
                design="before_after",
                verified_by={"name": "Sam Audit", "organisation": "Internal audit", "independent": True},
            ),
        )
    )
    assert concluded["status"] == "concluded"
    assert concluded["verdict"]["outcome"] == "worked"
    assert concluded["verdict"]["evidence"]["level"] == 2  # before/after: change shown, cause not
    assert concluded["evidence_level"] == 2
    assert concluded["verdict"]["gain"]["annual_pounds"] == 12000.0  # 480 h × £25

    published = town.manager.post(f"{TRIALS}/{trial['id']}/publish")
    record = ok(published, 201)
    assert record["licence"]["name"] == "Open Government Licence v3.0"
    assert record["outcome"] == "worked" and record["evidence"]["level"] == 2
    assert [p["name"] for p in record["people"]] == ["Priya Shah"]  # only the one who agreed
    assert record["unnamed_people"] == 2
    assert record["evidence"]["verified_by"] == {
        "name": None,
        "organisation": "Internal audit",
        "independent": True,
    }
    text = published.text
    assert "Union rep" not in text and "bank holiday" not in text and "Tom Reed" not in text
    assert [m["value"] for m in record["metrics"][0]["measurements"]] == [1.7, 1.6]

    # Another council reads it in the library, but never the trial itself.
    found = ok(other_town.staff.get(LIBRARY, params={"q": f"change-of-address {tag}"}))
    assert [e["id"] for e in found["items"]] == [record["id"]]
    assert found["items"][0]["council"] == {"id": town.council.id, "name": town.council.name}
    assert ok(other_town.staff.get(f"{LIBRARY}/{record['id']}")) == record
    problem(other_town.manager.get(f"{TRIALS}/{trial['id']}"), 404)

    again = town.manager.get(f"{TRIALS}/{trial['id']}")
    assert ok(again)["library_entry_id"] == record["id"]
    problem(town.manager.post(f"{TRIALS}/{trial['id']}/publish"), 409, "trial_id")


def test_a_repeated_create_returns_the_same_trial(town):
    idea = town.idea("Chatbot for bulky waste bookings", service_area="waste_and_recycling")
    first = open_trial(town.manager, idea["id"])
    again = town.manager.post(TRIALS, json={"idea_id": idea["id"], "hypothesis": "A different plan"})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first["id"] and again.json()["hypothesis"] == first["hypothesis"]
    listed = ok(town.manager.get(TRIALS, params={"limit": 200}))
    assert [t["id"] for t in listed["items"]].count(first["id"]) == 1


def test_an_idempotency_key_replays_the_first_answer(town):
    idea = town.idea("Text reminders for missed bin collections", service_area="waste_and_recycling")
    trial = open_trial(town.manager, idea["id"])
    body = {"name": "Calls chasing a missed bin", "unit": "count", "direction": "lower_is_better"}
    headers = {"Idempotency-Key": "metric-calls-1"}
    first = town.manager.post(f"{TRIALS}/{trial['id']}/metrics", json=body, headers=headers)
    retry = town.manager.post(f"{TRIALS}/{trial['id']}/metrics", json=body, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"] and retry.headers["idempotent-replayed"] == "true"
    assert len(ok(town.manager.get(f"{TRIALS}/{trial['id']}"))["metrics"]) == 1


def test_plan_changes_need_the_current_version(town):
    idea = town.idea("Shared inbox triage rules")
    trial = open_trial(town.manager, idea["id"])
    url = f"{TRIALS}/{trial['id']}"
    problem(town.manager.patch(url, json={"scope": "Two teams"}), 428, "If-Match")
    etag = town.manager.get(url).headers["etag"]
    changed = town.manager.patch(url, json={"scope": "Two teams"}, headers={"If-Match": etag})
    assert ok(changed)["scope"] == "Two teams" and changed.headers["etag"] != etag
    problem(town.manager.patch(url, json={"scope": "Three"}, headers={"If-Match": etag}), 412, "If-Match")


def test_the_vote_to_trial_message_makes_one_trial_however_often_it_comes(platform, town):
    from tests.followup.kit import service_headers

    idea = town.idea("Automatic council tax discount checks")
    message = {
        "event_id": f"round-1:{idea['id']}",
        "idea_id": idea["id"],
        "hack_day_id": town.hack_day["id"],
        "council_id": town.council.id,
        "council_name": town.council.name,
        "title": idea["title"],
        "service_area": "revenues_and_benefits",
        "round_id": town.hack_day["id"],
        "rank": 1,
    }
    # Internal routes are reached on the service's own address, never through the gateway.
    with httpx.Client(base_url=platform.url("followup"), timeout=30) as client:
        first = client.post("/api/followup/internal/trials", json=message, headers=service_headers(platform))
        again = client.post("/api/followup/internal/trials", json=message, headers=service_headers(platform))
        other_event = client.post(
            "/api/followup/internal/trials",
            json={**message, "event_id": "another"},
            headers=service_headers(platform),
        )
    assert first.status_code == 201, first.text
    assert again.status_code == other_event.status_code == 200
    assert first.json()["id"] == again.json()["id"] == other_event.json()["id"]
    trial = ok(town.manager.get(f"{TRIALS}/{first.json()['id']}"))
    assert trial["status"] == "planned" and trial["origin"] == "vote" and trial["round_rank"] == 1
    # The managers then run it like any other trial.
    assert ok(town.manager.post(TRIALS, json={"idea_id": idea["id"]}))["id"] == trial["id"]
    # Nobody but the voting service may use the internal door, admins and other services included.
    with httpx.Client(base_url=platform.url("followup"), timeout=30) as client:
        for headers in (
            town.manager.headers,
            service_headers(platform, "ideas"),
            service_headers(platform, "followup"),
        ):
            problem(client.post("/api/followup/internal/trials", json=message, headers=headers), 403)


def test_racing_requests_still_make_one_trial(platform, town):
    """Eight managers' clicks and eight copies of the vote message, all at once."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.followup.kit import service_headers

    clicked = town.idea("Raced by impatient clicks")
    messaged = town.idea("Raced by a retried message")
    message = {
        "event_id": f"race:{messaged['id']}",
        "idea_id": messaged["id"],
        "council_id": town.council.id,
        "council_name": town.council.name,
        "title": messaged["title"],
    }

    def click(_: int):
        with platform.client() as client:
            return client.post(TRIALS, json={"idea_id": clicked["id"]}, headers=town.manager.headers)

    def deliver(_: int):
        with httpx.Client(base_url=platform.url("followup"), timeout=30) as client:
            return client.post("/api/followup/internal/trials", json=message, headers=service_headers(platform))

    with ThreadPoolExecutor(max_workers=8) as pool:
        clicks = list(pool.map(click, range(8)))
        deliveries = list(pool.map(deliver, range(8)))
    for answers in (clicks, deliveries):
        assert sorted(r.status_code for r in answers) == [200] * 7 + [201], [r.text for r in answers]
        assert len({r.json()["id"] for r in answers}) == 1


def test_the_readings_themselves_are_shown_not_just_their_number(town):
    """A trial (and the journey of its idea) lists each metric's effective readings, after corrections."""
    idea = town.idea("Readings shown in full")
    trial = open_trial(town.manager, idea["id"])
    metric = add_metric(town.manager, trial["id"], baseline=baseline(2.0))
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/start"))
    first = measure(town.manager, trial["id"], metric["id"], 1.8, end_days_ago=30)
    measure(town.manager, trial["id"], metric["id"], 1.6, end_days_ago=1)
    measure(town.manager, trial["id"], metric["id"], 1.7, end_days_ago=30, corrects=first["id"])
    shown = ok(town.staff.get(f"{TRIALS}/{trial['id']}"))["metrics"][0]
    assert [r["value"] for r in shown["readings"]] == [1.7, 1.6]
    assert shown["readings"][1]["period_end"] == days_ago(1) and shown["readings"][1]["source"]
    journey = ok(town.staff.get(f"/api/journeys/ideas/{idea['id']}"))
    assert [r["value"] for r in journey["trial"]["metrics"][0]["readings"]] == [1.7, 1.6]
