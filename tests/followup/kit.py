"""Small helpers for the follow-up tests: an idea from the real ideas service, a trial, metrics.

Everything goes through the gateway over HTTP, as a manager's browser or a council's script would.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.support.http import ok, problem, service_headers  # noqa: F401

TRIALS = "/api/followup/trials"
LIBRARY = "/api/followup/library"


def today() -> date:
    return datetime.now(UTC).date()


def days_ago(n: int) -> str:
    return (today() - timedelta(days=n)).isoformat()


def open_hack_day(organiser, held_on: str = "2026-09-10") -> dict:
    day = ok(
        organiser.post(
            "/api/ideas/hack-days",
            json={
                "name": f"Autumn hack day {uuid.uuid4().hex[:6]}",
                "date": held_on,
                "themes": ["Less time on paperwork, more time with residents"],
            },
        ),
        201,
    )
    return ok(organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "open"}))


def submit_idea(staff, hack_day_id: str, title: str, service_area: str = "revenues_and_benefits") -> dict:
    return ok(
        staff.post(
            "/api/ideas/ideas",
            json={
                "hack_day_id": hack_day_id,
                "title": title,
                "problem": "Officers re-key the same details from emails into three systems, every case.",
                "proposal": "Try it for three months in one team, measured against last quarter.",
                "service_area": service_area,
            },
        ),
        201,
    )


def open_trial(manager, idea_id: str, **plan: Any) -> dict:
    body = {
        "idea_id": idea_id,
        "owner": {"name": "Priya Shah", "job_title": "Revenues team leader", "consents_to_be_named": True},
        "sponsor": {"name": "Tom Reed", "job_title": "Head of customer services"},
        "team": [{"name": "Alex Green", "consents_to_be_named": False}],
        "hypothesis": "If we pre-fill forms from the email, then time per case will fall by a quarter.",
        "scope": "The change-of-address team only; business rates left out.",
        "review_date": (today() + timedelta(days=120)).isoformat(),
        "trial_cost_pounds": 5000,
        "internal_notes": "Union rep briefed; do not publish the staffing detail.",
        **plan,
    }
    return ok(manager.post(TRIALS, json=body), 201)


def baseline(value: float, method: str = "Case system report, last quarter") -> dict:
    return {"value": value, "period_start": days_ago(200), "period_end": days_ago(110), "method": method}


def add_metric(manager, trial_id: str, **fields: Any) -> dict:
    body = {"name": "Hours per case", "unit": "hours_per_case", "direction": "lower_is_better", **fields}
    return ok(manager.post(f"{TRIALS}/{trial_id}/metrics", json=body), 201)


def measure(
    manager,
    trial_id: str,
    metric_id: str,
    value: float,
    *,
    end_days_ago: int = 1,
    corrects: str | None = None,
    note: str = "",
) -> dict:
    body = {
        "metric_id": metric_id,
        "value": value,
        "period_start": days_ago(end_days_ago + 27),
        "period_end": days_ago(end_days_ago),
        "method": "Case system report",
        "source": "Northgate revenues system",
        "note": note,
    }
    if corrects:
        body["corrects"] = corrects
    return ok(manager.post(f"{TRIALS}/{trial_id}/measurements", json=body), 201)


def verdict_body(outcome: str, **fields: Any) -> dict:
    return {
        "outcome": outcome,
        "summary": "Pre-filling cut the time per case; staff kept using it after the trial.",
        "reasons": [] if outcome == "worked" else [{"code": "adoption", "note": "Two officers kept re-keying."}],
        "lessons": {
            "what_worked": "Pre-filled forms from the email template.",
            "what_did_not": "Attachments still needed re-keying.",
            "do_differently": "Agree the email template with the contact centre first.",
            "conditions_elsewhere": "Works where address changes arrive by structured email.",
        },
        **fields,
    }


def run_to_evaluation(manager, trial_id: str, **start: Any) -> dict:
    ok(manager.post(f"{TRIALS}/{trial_id}/start", json=start or None))
    return ok(manager.post(f"{TRIALS}/{trial_id}/evaluate"))
