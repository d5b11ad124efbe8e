"""The gain and the evidence level are computed, never typed: checked here against sums done by hand."""

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


def _by_name(gain: dict) -> dict:
    return {m["name"]: m for m in gain["metrics"]}


def test_the_gain_by_hand(town):
    trial = open_trial(town.manager, town.idea("Scan-on-arrival for benefit claims")["id"], trial_cost_pounds=5000)
    t = trial["id"]
    hours = add_metric(
        town.manager,
        t,
        name="Hours per claim",
        unit="hours_per_case",
        direction="lower_is_better",
        baseline=baseline(2.0),
        target_value=1.5,
        annual_volume=1200,
        hourly_cost_pounds=25,
    )
    minutes = add_metric(
        town.manager,
        t,
        name="Minutes to index a letter",
        unit="minutes_per_case",
        direction="lower_is_better",
        baseline=baseline(30),
        annual_volume=5000,
        hourly_cost_pounds=20,
    )
    weekly = add_metric(
        town.manager,
        t,
        name="Agency hours a week",
        unit="hours_per_week",
        direction="lower_is_better",
        baseline=baseline(40),
        hourly_cost_pounds=30,
        cashable=True,
    )
    spend = add_metric(
        town.manager,
        t,
        name="Scanning contract",
        unit="cost_pounds_per_year",
        direction="lower_is_better",
        baseline=baseline(10000),
        cashable=True,
    )
    waiting = add_metric(
        town.manager,
        t,
        name="Days waiting for a decision",
        unit="days_waiting",
        direction="lower_is_better",
        baseline=baseline(20),
        target_value=10,
    )
    first_time = add_metric(
        town.manager,
        t,
        name="Answered first time",
        unit="percent",
        direction="higher_is_better",
        baseline=baseline(60),
        target_value=70,
    )
    ok(town.manager.post(f"{TRIALS}/{t}/start"))
    wrong = measure(town.manager, t, hours["id"], 1.5, end_days_ago=3)
    measure(town.manager, t, hours["id"], 1.4, end_days_ago=3, corrects=wrong["id"])
    measure(town.manager, t, hours["id"], 1.8, end_days_ago=40)  # older period: not the latest
    measure(town.manager, t, minutes["id"], 24, end_days_ago=3)
    measure(town.manager, t, weekly["id"], 30, end_days_ago=3)
    measure(town.manager, t, spend["id"], 7000, end_days_ago=3)
    measure(town.manager, t, waiting["id"], 12, end_days_ago=3)
    measure(town.manager, t, first_time["id"], 75, end_days_ago=3)

    gain = ok(town.manager.get(f"{TRIALS}/{t}"))["gain"]
    rows = _by_name(gain)
    # Hours per claim: 2.0 → 1.4 (the correction), 0.6 h better; × 1200 claims = 720 h; × £25 = £18,000.
    assert (
        rows["Hours per claim"].items()
        >= {
            "latest_value": 1.4,
            "change": -0.6,
            "improvement": 0.6,
            "improvement_percent": 30.0,
            "target_met": True,
            "annual_hours": 720.0,
            "annual_pounds": 18000.0,
        }.items()
    )
    assert rows["Hours per claim"]["measurements"] == 2
    # Minutes: 30 → 24, 6 min × 5000 ÷ 60 = 500 h; × £20 = £10,000.
    assert (
        rows["Minutes to index a letter"]["annual_hours"],
        rows["Minutes to index a letter"]["annual_pounds"],
    ) == (500.0, 10000.0)
    # Agency hours a week: 40 → 30, 10 h × 52 = 520 h; × £30 = £15,600, cashable.
    assert (rows["Agency hours a week"]["annual_hours"], rows["Agency hours a week"]["annual_pounds"]) == (
        520.0,
        15600.0,
    )
    # Contract: £10,000 → £7,000 a year, £3,000 cashable, no hours.
    assert (rows["Scanning contract"]["annual_hours"], rows["Scanning contract"]["annual_pounds"]) == (
        None,
        3000.0,
    )
    # Outcome metrics: a change, no hours or money.
    assert (
        rows["Days waiting for a decision"].items()
        >= {
            "improvement": 8.0,
            "improvement_percent": 40.0,
            "target_met": False,
            "annual_pounds": None,
        }.items()
    )
    assert (
        rows["Answered first time"].items()
        >= {"change": 15.0, "improvement": 15.0, "improvement_percent": 25.0, "target_met": True}.items()
    )
    assert {k: gain[k] for k in gain if k != "metrics"} == {
        "has_data": True,
        "annual_hours": 1740.0,  # 720 + 500 + 520
        "cashable_hours": 520.0,
        "non_cashable_hours": 1220.0,  # 720 + 500
        "annual_pounds": 46600.0,  # 18,000 + 10,000 + 15,600 + 3,000
        "cashable_pounds": 18600.0,  # 15,600 + 3,000
        "non_cashable_pounds": 28000.0,  # 18,000 + 10,000
        "trial_cost_pounds": 5000.0,
        "net_pounds": 41600.0,  # 46,600 − 5,000
        "net_cashable_pounds": 13600.0,  # 18,600 − 5,000
    }


def test_a_worse_result_is_a_negative_gain_and_missing_volumes_are_named(town):
    trial = open_trial(town.manager, town.idea("Self-serve parking permits")["id"], trial_cost_pounds=0)
    t = trial["id"]
    slower = add_metric(
        town.manager,
        t,
        name="Hours per permit",
        baseline=baseline(1.0),
        annual_volume=100,
        hourly_cost_pounds=20,
    )
    unknown = add_metric(town.manager, t, name="Hours per appeal", baseline=baseline(3.0))
    ok(town.manager.post(f"{TRIALS}/{t}/start"))
    measure(town.manager, t, slower["id"], 1.25)
    measure(town.manager, t, unknown["id"], 2.0)
    rows = _by_name(ok(town.manager.get(f"{TRIALS}/{t}"))["gain"])
    assert rows["Hours per permit"]["improvement"] == -0.25
    assert (rows["Hours per permit"]["annual_hours"], rows["Hours per permit"]["annual_pounds"]) == (
        -25.0,
        -500.0,
    )
    assert rows["Hours per appeal"]["missing"] == ["annual_volume"]
    assert rows["Hours per appeal"]["annual_hours"] is None


@pytest.fixture(scope="module")
def replicated_elsewhere(other_town) -> str:
    """A published 'worked' entry of another council: what a level-5 claim may point at."""
    trial = open_trial(other_town.manager, other_town.idea("Pre-fill forms (replication)")["id"])
    metric = add_metric(other_town.manager, trial["id"], baseline=baseline(2.0))
    ok(other_town.manager.post(f"{TRIALS}/{trial['id']}/start"))
    measure(other_town.manager, trial["id"], metric["id"], 1.5)
    ok(other_town.manager.post(f"{TRIALS}/{trial['id']}/evaluate"))
    ok(other_town.manager.post(f"{TRIALS}/{trial['id']}/verdict", json=verdict_body("worked", design="before_after")))
    return ok(other_town.manager.post(f"{TRIALS}/{trial['id']}/publish"), 201)["id"]


def _measured_trial(town, title: str) -> str:
    trial = open_trial(town.manager, town.idea(title)["id"])
    metric = add_metric(town.manager, trial["id"], baseline=baseline(2.0))
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/start"))
    measure(town.manager, trial["id"], metric["id"], 1.5)
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/evaluate"))
    return trial["id"]


INDEPENDENT = {
    "name": "Dr Lee",
    "organisation": "University of Leeds",
    "independent": True,
    "consents_to_be_named": True,
}
IN_HOUSE = {"name": "Kim Patel", "organisation": "Revenues", "independent": False}


@pytest.mark.parametrize(
    ("fields", "level"),
    [
        ({}, 1),  # no design stated
        ({"design": "before_after", "verified_by": INDEPENDENT}, 2),  # verification cannot lift before/after
        ({"design": "comparison_group", "verified_by": IN_HOUSE}, 3),
        ({"design": "randomised"}, 3),
        ({"design": "comparison_group", "verified_by": INDEPENDENT}, 4),
        ({"design": "randomised", "verified_by": INDEPENDENT, "replications": "elsewhere"}, 5),
        (
            {"design": "randomised", "verified_by": IN_HOUSE, "replications": "elsewhere"},
            3,
        ),  # no step skipped
    ],
)
def test_the_evidence_level_follows_how_the_gain_was_measured(town, replicated_elsewhere, fields, level):
    if fields.get("replications") == "elsewhere":
        fields = {**fields, "replications": [replicated_elsewhere]}
    t = _measured_trial(town, f"Evidence level {level} {sorted(fields)}")
    body = ok(town.manager.post(f"{TRIALS}/{t}/verdict", json=verdict_body("partly", **fields)))
    assert body["evidence_level"] == body["verdict"]["evidence"]["level"] == level
    assert body["verdict"]["evidence"]["label"]


def test_without_data_the_evidence_is_level_one_whatever_the_design(town):
    trial = open_trial(town.manager, town.idea("Evidence without data")["id"])
    add_metric(town.manager, trial["id"], baseline=baseline(2.0))
    run_to_evaluation(town.manager, trial["id"])
    body = ok(
        town.manager.post(
            f"{TRIALS}/{trial['id']}/verdict",
            json=verdict_body("inconclusive", design="randomised", verified_by=INDEPENDENT),
        )
    )
    assert body["evidence_level"] == 1 and body["verdict"]["gain"]["has_data"] is False


def test_a_replication_must_be_another_councils_published_gain(town, replicated_elsewhere):
    t = _measured_trial(town, "Replication refusals")
    own = ok(town.manager.get("/api/followup/library", params={"council_id": town.council.id}))["items"]
    bad = [own[0]["id"]] if own else ["00000000-0000-4000-8000-000000000000"]
    problem(
        town.manager.post(f"{TRIALS}/{t}/verdict", json=verdict_body("worked", design="randomised", replications=bad)),
        422,
        "replications",
    )


def test_nobody_types_a_gain_or_an_evidence_level(town):
    trial = open_trial(town.manager, town.idea("Typed-in gains")["id"])
    t = trial["id"]
    for field, value in [("evidence_level", 5), ("gain", {"annual_pounds": 1e6})]:
        problem(
            town.manager.post(f"{TRIALS}/{t}/verdict", json=verdict_body("worked", **{field: value})),
            422,
            field,
        )
        etag = town.manager.get(f"{TRIALS}/{t}").headers["etag"]
        problem(town.manager.patch(f"{TRIALS}/{t}", json={field: value}, headers={"If-Match": etag}), 422, field)
    for field, value in [("status", "concluded"), ("council_id", town.council.id), ("version", 9)]:
        etag = town.manager.get(f"{TRIALS}/{t}").headers["etag"]
        problem(town.manager.patch(f"{TRIALS}/{t}", json={field: value}, headers={"If-Match": etag}), 422, field)
    problem(
        town.manager.post(TRIALS, json={"idea_id": town.idea("Typed council")["id"], "council_id": town.council.id}),
        422,
        "council_id",
    )
