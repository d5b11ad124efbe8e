"""The gain of a trial, computed from its metrics and measurements (never typed by anyone).

For each metric, the *latest effective measurement* (the most recent period, after corrections)
is compared with the baseline:

    change       = latest − baseline
    improvement  = baseline − latest   if lower is better
                 = latest − baseline   if higher is better      (positive means better)
    improvement% = improvement ÷ |baseline| × 100                (none when the baseline is 0)

Annualised, for units that are time or money (see vocab.HOUR_UNITS / MONEY_UNITS):

    hours a year  = improvement × annual_volume          (hours_per_case)
                  = improvement ÷ 60 × annual_volume     (minutes_per_case)
                  = improvement × 52                     (hours_per_week)
    pounds a year = hours a year × hourly_cost_pounds    (time units)
                  = improvement × annual_volume          (cost_pounds_per_case)
                  = improvement                          (cost_pounds_per_year)

Each metric's hours and pounds count as cashable or non-cashable by the metric's `cashable` flag.
Totals add up the metrics; net = total pounds − the trial's own cost, and net cashable = cashable
pounds − the trial's own cost. A worsening gives negative figures: they are reported, not hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from followup.models import Measurement, Metric
from followup.vocabulary import HOUR_UNITS, MONEY_UNITS, Direction, Unit


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def effective_series(measurements: Iterable[Measurement]) -> list[Measurement]:
    """One entry per original measurement: its latest correction (or itself), oldest period first."""
    latest: dict[Any, Measurement] = {}
    for m in measurements:
        current = latest.get(m.original_id)
        if current is None or m.sequence > current.sequence:
            latest[m.original_id] = m
    return sorted(latest.values(), key=lambda m: (m.period_end, m.period_start, m.sequence))


@dataclass(frozen=True)
class MetricFigures:
    metric: Metric
    series: Sequence[Measurement]

    @property
    def latest(self) -> Measurement | None:
        return self.series[-1] if self.series else None

    def as_dict(self) -> dict[str, Any]:
        m, latest = self.metric, self.latest
        out: dict[str, Any] = {
            "metric_id": str(m.id),
            "name": m.name,
            "unit": m.unit,
            "direction": m.direction,
            "baseline_value": m.baseline_value,
            "target_value": m.target_value,
            "latest_value": latest.value if latest else None,
            "measurements": len(self.series),
            "change": None,
            "improvement": None,
            "improvement_percent": None,
            "target_met": None,
            "annual_hours": None,
            "annual_pounds": None,
            "cashable": m.cashable,
            "missing": [],
        }
        missing: list[str] = out["missing"]
        if m.baseline_value is None:
            missing.append("baseline")
        if latest is None:
            missing.append("measurement")
        if missing:
            return out
        assert latest is not None and m.baseline_value is not None
        change = latest.value - m.baseline_value
        improvement = -change if m.direction == Direction.lower_is_better else change
        out["change"] = _r(change)
        out["improvement"] = _r(improvement)
        if m.baseline_value != 0:
            out["improvement_percent"] = _r(improvement / abs(m.baseline_value) * 100)
        if m.target_value is not None:
            out["target_met"] = (
                latest.value <= m.target_value
                if m.direction == Direction.lower_is_better
                else latest.value >= m.target_value
            )
        hours, pounds = _annualise(m, improvement, missing)
        out["annual_hours"], out["annual_pounds"] = _r(hours), _r(pounds)
        return out


def _annualise(m: Metric, improvement: float, missing: list[str]) -> tuple[float | None, float | None]:
    unit = Unit(m.unit)
    if unit in HOUR_UNITS:
        factor, needs_volume = HOUR_UNITS[unit]
        volume = m.annual_volume if needs_volume else 1.0
        if volume is None:
            missing.append("annual_volume")
            return None, None
        hours = improvement * factor * volume
        if m.hourly_cost_pounds is None:
            missing.append("hourly_cost_pounds")
            return hours, None
        return hours, hours * m.hourly_cost_pounds
    if unit in MONEY_UNITS:
        factor, needs_volume = MONEY_UNITS[unit]
        volume = m.annual_volume if needs_volume else 1.0
        if volume is None:
            missing.append("annual_volume")
            return None, None
        return None, improvement * factor * volume
    return None, None


def compute_gain(
    metrics: Sequence[Metric], measurements: Iterable[Measurement], trial_cost_pounds: float
) -> dict[str, Any]:
    """The whole gain of a trial as a plain dict (stored frozen with the verdict, shown live before)."""
    by_metric: dict[Any, list[Measurement]] = {m.id: [] for m in metrics}
    for entry in measurements:
        by_metric.setdefault(entry.metric_id, []).append(entry)
    rows = [MetricFigures(m, effective_series(by_metric[m.id])).as_dict() for m in metrics]

    totals = {
        "cashable_hours": 0.0,
        "non_cashable_hours": 0.0,
        "cashable_pounds": 0.0,
        "non_cashable_pounds": 0.0,
    }
    for row in rows:
        kind = "cashable" if row["cashable"] else "non_cashable"
        totals[f"{kind}_hours"] += row["annual_hours"] or 0.0
        totals[f"{kind}_pounds"] += row["annual_pounds"] or 0.0
    annual_pounds = totals["cashable_pounds"] + totals["non_cashable_pounds"]
    return {
        "metrics": rows,
        # At least one metric with a baseline and a measurement: the minimum to claim a gain.
        "has_data": any(r["change"] is not None for r in rows),
        "annual_hours": _r(totals["cashable_hours"] + totals["non_cashable_hours"]),
        "cashable_hours": _r(totals["cashable_hours"]),
        "non_cashable_hours": _r(totals["non_cashable_hours"]),
        "annual_pounds": _r(annual_pounds),
        "cashable_pounds": _r(totals["cashable_pounds"]),
        "non_cashable_pounds": _r(totals["non_cashable_pounds"]),
        "trial_cost_pounds": _r(trial_cost_pounds),
        "net_pounds": _r(annual_pounds - trial_cost_pounds),
        "net_cashable_pounds": _r(totals["cashable_pounds"] - trial_cost_pounds),
    }
