"""A year of readings in one call (all or none, each refusal naming its row and field, a retry or a second
upload recording nothing twice); a verdict checked before it is given; the library record previewed
before publishing. Through the gateway, on both databases."""

from __future__ import annotations

import uuid
from datetime import timedelta

from tests.followup.kit import (
    TRIALS,
    add_metric,
    baseline,
    days_ago,
    ok,
    open_trial,
    problem,
    today,
    verdict_body,
)

SCALE = (1, 8, 0.05)  # hours per case, days waiting, an error rate (0 to 1)


def _year(metric_ids: list[str]) -> list[dict]:
    """Twelve four-week periods for each metric, the latest ending yesterday: 36 rows for three metrics."""
    rows = []
    for n, metric_id in enumerate(metric_ids):
        for month in range(12):
            end = today() - timedelta(days=1 + 28 * month)
            rows.append(
                {
                    "metric_id": metric_id,
                    "value": round((1.0 + month / 10) * SCALE[n], 3),
                    "period_start": (end - timedelta(days=27)).isoformat(),
                    "period_end": end.isoformat(),
                    "method": "Case system report",
                    "source": "Northgate",
                }
            )
    return rows


def _running_trial(town) -> tuple[dict, list[str]]:
    idea = town.idea(f"Pre-fill forms {uuid.uuid4().hex[:8]}")
    trial = open_trial(town.manager, idea["id"])
    ids = [
        add_metric(town.manager, trial["id"], name="Hours per case", baseline=baseline(2.0), annual_volume=1200)["id"],
        add_metric(town.manager, trial["id"], name="Days waiting", unit="days_waiting", baseline=baseline(9))["id"],
        add_metric(town.manager, trial["id"], name="Error rate", unit="error_rate", direction="lower_is_better")["id"],
    ]
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/start", json={"started_on": days_ago(340)}))
    return trial, ids


def _count(manager, trial_id: str) -> int:
    return ok(manager.get(f"{TRIALS}/{trial_id}/measurements"))["total"]


def test_a_year_of_readings_in_one_call_recorded_once(town):
    trial, ids = _running_trial(town)
    path = f"{TRIALS}/{trial['id']}/measurements/batch"
    body = {"measurements": _year(ids)}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    made = ok(town.manager.post(path, json=body, headers=key), 201)
    assert made["recorded"] == 36 and len({m["id"] for m in made["items"]}) == 36
    assert all(m["effective"] for m in made["items"])
    again = ok(town.manager.post(path, json=body, headers=key), 201)  # the answer was lost: replayed
    assert [m["id"] for m in again["items"]] == [m["id"] for m in made["items"]]
    # The same file uploaded again as a new form: every row names its period, and nothing is added.
    refused = problem(town.manager.post(path, json=body, headers={"Idempotency-Key": uuid.uuid4().hex}), 422)
    assert {e["field"] for e in refused["errors"]} == {f"measurements.{n}.period_start" for n in range(36)}
    assert _count(town.manager, trial["id"]) == 36
    readings = ok(town.manager.get(f"{TRIALS}/{trial['id']}"))["metrics"][0]["readings"]
    assert len(readings) == 12

    # A correction in a batch keeps the original on record beside it.
    first = made["items"][0]
    fix = {**body["measurements"][0], "value": 1.7, "corrects": first["id"]}
    ok(town.manager.post(path, json={"measurements": [fix]}), 201)
    entries = ok(town.manager.get(f"{TRIALS}/{trial['id']}/measurements", params={"metric_id": ids[0]}))["items"]
    assert {(e["value"], e["effective"]) for e in entries if first["id"] in (e["id"], e["corrects_id"])} == {
        (1.0, False),
        (1.7, True),
    }
    # A trial's page asks for the trial and every entry in one call: the entries as the list has them.
    alone = ok(town.manager.get(f"{TRIALS}/{trial['id']}"))
    both = ok(town.manager.get(f"{TRIALS}/{trial['id']}", params={"measurements": "true"}))
    listed = ok(town.manager.get(f"{TRIALS}/{trial['id']}/measurements", params={"limit": 200}))["items"]
    assert alone["measurements"] is None and len(both["measurements"]) == 37 and both["measurements"] == listed
    assert {k: v for k, v in both.items() if k != "measurements"} == {
        k: v for k, v in alone.items() if k != "measurements"
    }
    # Many trials' records at once (the "tried before?" evidence) are each the record asked for alone.
    other, _ = _running_trial(town)
    answer = ok(town.manager.post(f"{TRIALS}/by-ideas", json={"idea_ids": [other["idea"]["id"], trial["idea"]["id"]]}))
    assert answer["items"] == [ok(town.manager.get(f"{TRIALS}/{other['id']}")), alone]


def test_one_bad_row_refuses_the_whole_batch_naming_each_row_and_field(town):
    trial, ids = _running_trial(town)
    rows = _year(ids[:1])[:3]
    rows.append({**rows[0], "metric_id": ids[2], "value": 3})  # an error rate runs 0 to 1
    rows.append({**rows[0], "metric_id": str(uuid.uuid4())})  # no such metric
    rows.append({**rows[0], "period_end": (today() + timedelta(days=3)).isoformat()})  # the future
    rows.append({**rows[1]})  # the same period twice in one file
    refused = problem(town.manager.post(f"{TRIALS}/{trial['id']}/measurements/batch", json={"measurements": rows}), 422)
    assert {e["field"] for e in refused["errors"]} == {
        "measurements.3.value",
        "measurements.4.metric_id",
        "measurements.5.period_end",
        "measurements.6.period_start",
    }
    assert "4 of 7 rows could not be recorded, so none was" in refused["detail"]
    assert _count(town.manager, trial["id"]) == 0
    typed = problem(
        town.manager.post(
            f"{TRIALS}/{trial['id']}/measurements/batch", json={"measurements": [{**rows[0], "value": "lots"}]}
        ),
        422,
    )
    assert typed["errors"][0]["field"] == "measurements.0.value"
    problem(town.staff.post(f"{TRIALS}/{trial['id']}/measurements/batch", json={"measurements": rows[:1]}), 403)


def test_a_verdict_checked_then_given_and_the_record_previewed_then_published(town):
    trial, ids = _running_trial(town)
    tid = trial["id"]
    ok(town.manager.post(f"{TRIALS}/{tid}/measurements/batch", json={"measurements": _year(ids[:2])}), 201)
    problem(town.manager.get(f"{TRIALS}/{tid}/publish/preview"), 409, "status")
    ok(town.manager.post(f"{TRIALS}/{tid}/evaluate"))
    body = verdict_body("partly", design="before_after")
    checked = ok(town.manager.post(f"{TRIALS}/{tid}/verdict/check", json=body))
    assert checked["evidence"]["level"] == 2 and checked["evidence"]["label"]
    # Hours per case 2.0 -> 1.0 (the latest period) on 1,200 cases: 1,200 hours a year.
    assert checked["gain"]["annual_hours"] == 1200 and checked["gain"]["has_data"]
    assert ok(town.manager.get(f"{TRIALS}/{tid}"))["status"] == "evaluating"  # nothing saved
    problem(town.manager.post(f"{TRIALS}/{tid}/verdict/check", json={**body, "reasons": []}), 422, "reasons")
    given = ok(town.manager.post(f"{TRIALS}/{tid}/verdict", json=body))
    assert given["verdict"]["evidence"]["level"] == 2 and given["verdict"]["gain"] == checked["gain"]

    preview = ok(town.staff.get(f"{TRIALS}/{tid}/publish/preview"))
    assert "internal_notes" not in preview and "Union rep" not in str(preview)
    published = ok(town.manager.post(f"{TRIALS}/{tid}/publish"), 201)
    set_on_publishing = ("id", "url", "published_at")
    assert {k: v for k, v in preview.items() if k not in set_on_publishing} == {
        k: v for k, v in published.items() if k not in set_on_publishing
    }
