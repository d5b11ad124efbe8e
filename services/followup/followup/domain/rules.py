"""The refusals every aggregate of a trial shares: a wrong status, an impossible reading."""

from __future__ import annotations

from datetime import date

from followup.models import Trial
from followup.vocabulary import UNIT_RANGES, TrialStatus, Unit
from platform_core.clock import utcnow
from platform_core.problems import Problem


def today() -> date:
    return utcnow().date()


def touch(trial: Trial) -> None:
    """A change to the trial or anything it holds: a new version (its ETag) and time."""
    trial.version += 1
    trial.updated_at = utcnow()


def conflict(detail: str, field: str = "status") -> Problem:
    return Problem(409, detail, errors=[{"field": field, "message": detail}])


def invalid(field: str, message: str, detail: str | None = None) -> Problem:
    return Problem(422, detail or f"{field}: {message}", errors=[{"field": field, "message": message}])


def require_status(trial: Trial, *allowed: TrialStatus, doing: str) -> None:
    if trial.status not in allowed:
        names = " or ".join(s.value for s in allowed)
        raise conflict(f"The trial is {trial.status}; you can {doing} only when it is {names}.")


def check_reading(unit: str, value: float | None, field: str) -> None:
    """422 naming `field` if `value` cannot be a reading in `unit` (e.g. an error rate of 3)."""
    if value is None:
        return
    low, high = UNIT_RANGES[Unit(unit)]
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"from {low:g}" + (f" to {high:g}" if high is not None else " up")
        raise invalid(field, f"a value in {unit} runs {bounds}")
