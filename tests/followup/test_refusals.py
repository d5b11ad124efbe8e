"""Every refusal a manager (or someone who is not one) can meet, each with a problem naming the field."""

from __future__ import annotations

import pytest

from tests.followup.kit import (
    TRIALS,
    add_metric,
    baseline,
    measure,
    ok,
    open_trial,
    problem,
    run_to_evaluation,
    verdict_body,
)


@pytest.fixture(scope="module")
def running(town) -> dict:
    trial = open_trial(town.manager, town.idea("Frozen goalposts")["id"])
    metric = add_metric(town.manager, trial["id"], baseline=baseline(2.0), target_value=1.5)
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/start"))
    return {"trial": trial, "metric": metric, "url": f"{TRIALS}/{trial['id']}"}


def test_metrics_and_goals_freeze_when_the_trial_starts(town, running):
    url, metric = running["url"], running["metric"]
    problem(
        town.manager.post(f"{url}/metrics", json={"name": "Another", "unit": "count", "direction": "lower_is_better"}),
        409,
        "metrics",
    )
    problem(
        town.manager.patch(f"{url}/metrics/{metric['id']}", json={"target_value": 1.9}, headers={"If-Match": '"1"'}),
        409,
        "metrics",
    )
    problem(town.manager.delete(f"{url}/metrics/{metric['id']}"), 409, "metrics")
    etag = town.manager.get(url).headers["etag"]
    problem(
        town.manager.patch(url, json={"hypothesis": "Something easier"}, headers={"If-Match": etag}),
        409,
        "hypothesis",
    )
    problem(
        town.manager.patch(url, json={"review_date": "2030-01-01"}, headers={"If-Match": etag}),
        409,
        "review_date",
    )
    # What is not a goal may still change: the team, the trial's cost, the internal notes.
    changed = ok(town.manager.patch(url, json={"internal_notes": "Week 2: going well"}, headers={"If-Match": etag}))
    assert changed["internal_notes"] == "Week 2: going well"
    assert ok(town.manager.get(url))["metrics"][0]["target_value"] == 1.5
    problem(town.manager.post(f"{url}/start"), 409, "status")


def test_a_trial_cannot_start_without_a_baseline(town):
    trial = open_trial(town.manager, town.idea("No baseline yet")["id"])
    problem(town.manager.post(f"{TRIALS}/{trial['id']}/start"), 409, "metrics")
    metric = add_metric(town.manager, trial["id"], name="Complaints", unit="count")
    problem(town.manager.post(f"{TRIALS}/{trial['id']}/start"), 409, "metrics")
    changed = town.manager.patch(
        f"{TRIALS}/{trial['id']}/metrics/{metric['id']}",
        json={"baseline": baseline(14)},
        headers={"If-Match": f'"{metric["version"]}"'},
    )
    assert ok(changed)["baseline"]["value"] == 14
    problem(
        town.manager.post(f"{TRIALS}/{trial['id']}/start", json={"started_on": "2099-01-01"}),
        422,
        "started_on",
    )
    assert ok(town.manager.post(f"{TRIALS}/{trial['id']}/start"))["status"] == "running"


def test_a_verdict_claiming_a_gain_needs_a_baseline_and_a_measurement(town):
    trial = open_trial(town.manager, town.idea("Claimed without data")["id"])
    metric = add_metric(town.manager, trial["id"], baseline=baseline(2.0))
    url = f"{TRIALS}/{trial['id']}"
    ok(town.manager.post(f"{url}/start"))
    problem(town.manager.post(f"{url}/verdict", json=verdict_body("worked")), 409, "status")  # still running
    ok(town.manager.post(f"{url}/evaluate"))
    for outcome in ("worked", "partly"):
        body = problem(town.manager.post(f"{url}/verdict", json=verdict_body(outcome)), 422, "outcome")
        assert "baseline" in body["detail"] and "measurement" in body["detail"]
    problem(
        town.manager.post(f"{url}/verdict", json={**verdict_body("did_not_work"), "reasons": []}),
        422,
        "reasons",
    )
    problem(town.manager.post(f"{url}/verdict", json={**verdict_body("no_change"), "lessons": {}}), 422, "lessons")
    problem(
        town.manager.post(f"{url}/verdict", json={**verdict_body("no_change"), "reasons": [{"code": "morale"}]}),
        422,
        "reasons.0.code",
    )
    problem(
        town.manager.post(
            f"{url}/measurements",
            json={
                "metric_id": metric["id"],
                "value": 1,
                "period_start": "2099-01-01",
                "period_end": "2099-01-31",
            },
        ),
        422,
        "period_end",
    )
    measure(town.manager, trial["id"], metric["id"], 1.5)
    key = {"Idempotency-Key": f"verdict-{trial['id']}"}
    concluded = ok(town.manager.post(f"{url}/verdict", json=verdict_body("worked"), headers=key))
    assert concluded["status"] == "concluded"
    replayed = town.manager.post(f"{url}/verdict", json=verdict_body("worked"), headers=key)
    assert ok(replayed) == concluded and replayed.headers["idempotent-replayed"] == "true"
    problem(town.manager.post(f"{url}/verdict", json=verdict_body("worked")), 409, "status")
    problem(
        town.manager.post(
            f"{url}/measurements",
            json={
                "metric_id": metric["id"],
                "value": 1,
                "period_start": "2026-01-01",
                "period_end": "2026-01-31",
            },
        ),
        409,
        "status",
    )


def test_measurements_are_append_only(town, running):
    url, metric = running["url"], running["metric"]
    entry = measure(town.manager, running["trial"]["id"], metric["id"], 1.9)
    for method in ("PATCH", "PUT", "DELETE"):
        assert town.manager.request(method, f"{url}/measurements/{entry['id']}", json={"value": 0}).status_code in (
            404,
            405,
        )
    problem(
        town.manager.post(
            f"{url}/measurements",
            json={
                "metric_id": metric["id"],
                "value": 1,
                "period_start": "2026-01-01",
                "period_end": "2026-01-31",
                "corrects": "00000000-0000-4000-8000-000000000000",
            },
        ),
        422,
        "corrects",
    )
    assert [m["value"] for m in ok(town.manager.get(f"{url}/measurements"))["items"]].count(1.9) == 1


def test_only_the_trials_own_managers_change_it(town, other_town, running):
    url, metric = running["url"], running["metric"]
    etag = town.manager.get(url).headers["etag"]
    # Staff of the council may read the trial but not change it.
    assert ok(town.staff.get(url))["id"] == running["trial"]["id"]
    problem(town.staff.patch(url, json={"scope": "x"}, headers={"If-Match": etag}), 403)
    problem(
        town.staff.post(
            f"{url}/measurements",
            json={
                "metric_id": metric["id"],
                "value": 1,
                "period_start": "2026-01-01",
                "period_end": "2026-01-31",
            },
        ),
        403,
    )
    problem(town.staff.post(TRIALS, json={"idea_id": town.idea("Staff cannot open trials")["id"]}), 403)
    # Another council's manager cannot even see it, let alone change it.
    problem(other_town.manager.get(url), 404)
    problem(other_town.manager.patch(url, json={"scope": "x"}, headers={"If-Match": etag}), 404)
    problem(other_town.manager.post(f"{url}/evaluate"), 404)
    problem(
        other_town.manager.post(
            f"{url}/measurements",
            json={
                "metric_id": metric["id"],
                "value": 1,
                "period_start": "2026-01-01",
                "period_end": "2026-01-31",
            },
        ),
        404,
    )
    assert running["trial"]["id"] not in [t["id"] for t in ok(other_town.manager.get(TRIALS))["items"]]
    # ... nor open a trial of an idea of ours.
    problem(
        other_town.manager.post(TRIALS, json={"idea_id": town.idea("Not yours to trial")["id"]}),
        403,
        "idea_id",
    )
    problem(town.manager.post(TRIALS, json={"idea_id": "00000000-0000-4000-8000-000000000000"}), 422, "idea_id")
    assert ok(town.manager.get(url))["scope"] == running["trial"]["scope"]


def test_an_admin_reads_but_does_not_run_trials(admin, town, running):
    assert ok(admin.get(running["url"]))["id"] == running["trial"]["id"]
    etag = town.manager.get(running["url"]).headers["etag"]
    problem(admin.patch(running["url"], json={"scope": "x"}, headers={"If-Match": etag}), 403)


def test_ideas_down_means_503_not_a_hang(platform, town):
    idea = town.idea("Asked while ideas is down")
    platform.kill("ideas")
    try:
        body = problem(town.manager.post(TRIALS, json={"idea_id": idea["id"]}), 503)
        assert "ideas service" in body["detail"]
    finally:
        platform.start("ideas")
    assert open_trial(town.manager, idea["id"])["status"] == "planned"


def test_stopping_needs_a_reason(town):
    trial = open_trial(town.manager, town.idea("Stopped without saying why")["id"])
    add_metric(town.manager, trial["id"], baseline=baseline(2.0))
    run_to_evaluation(town.manager, trial["id"])
    problem(
        town.manager.post(f"{TRIALS}/{trial['id']}/verdict", json={**verdict_body("stopped"), "reasons": []}),
        422,
        "reasons",
    )


def test_numbers_and_text_a_database_should_never_see_are_refused(town, running):
    url, metric = running["url"], running["metric"]
    raw = f'{{"metric_id": "{metric["id"]}", "value": NaN, "period_start": "2026-01-01", "period_end": "2026-01-31"}}'
    problem(
        town.manager.post(f"{url}/measurements", content=raw, headers={"Content-Type": "application/json"}),
        422,
        "value",
    )
    problem(
        town.manager.post(
            f"{url}/measurements",
            json={
                "metric_id": metric["id"],
                "value": 1,
                "period_start": "2026-01-01",
                "period_end": "2026-01-31",
                "source": "nul\x00byte",
            },
        ),
        422,
        "source",
    )
    problem(town.manager.get("/api/followup/library", params={"q": "nul\x00byte"}), 422, "q")
    page = ok(town.manager.get(f"{url}/measurements", params={"limit": 1}))
    assert len(page["items"]) == 1 and page["total"] >= 1 and page["limit"] == 1


def test_a_withdrawn_idea_cannot_become_a_trial(town):
    idea = town.idea("Withdrawn before the trial")
    ok(town.staff.post(f"/api/ideas/ideas/{idea['id']}/withdraw"))
    body = problem(town.manager.post(TRIALS, json={"idea_id": idea["id"]}), 422, "idea_id")
    assert "withdrawn" in body["detail"]


def test_resending_a_frozen_goal_unchanged_is_not_a_change(town, running):
    url = running["url"]
    current = town.manager.get(url)
    same = {"hypothesis": current.json()["hypothesis"], "scope": "Now two teams"}
    changed = ok(town.manager.patch(url, json=same, headers={"If-Match": current.headers["etag"]}))
    assert changed["scope"] == "Now two teams"


def test_a_reading_must_fit_its_unit(town):
    trial = open_trial(town.manager, town.idea("Readings that cannot be")["id"])
    url = f"{TRIALS}/{trial['id']}/metrics"
    problem(
        town.manager.post(
            url,
            json={"name": "Errors", "unit": "error_rate", "direction": "lower_is_better", "baseline": baseline(3.0)},
        ),
        422,
        "baseline.value",
    )
    problem(
        town.manager.post(
            url, json={"name": "Wait", "unit": "days_waiting", "direction": "lower_is_better", "target_value": -2}
        ),
        422,
        "target_value",
    )
    metric = add_metric(town.manager, trial["id"], name="Errors", unit="error_rate", baseline=baseline(0.12))
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/start"))
    problem(
        town.manager.post(
            f"{TRIALS}/{trial['id']}/measurements",
            json={"metric_id": metric["id"], "value": 8, "period_start": "2026-01-01", "period_end": "2026-01-31"},
        ),
        422,
        "value",
    )
    assert measure(town.manager, trial["id"], metric["id"], 0.08)["value"] == 0.08
