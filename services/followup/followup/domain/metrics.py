"""A trial's metrics: what is measured, its baseline and its target; fixed once the trial starts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from followup.domain.rules import check_reading, conflict, invalid, touch
from followup.models import Metric, Trial
from followup.schemas import MetricCreate, MetricUpdate
from followup.vocabulary import TrialStatus
from platform_core.clock import utcnow
from platform_core.problems import Problem


def _check_metric_values(metric: Metric) -> None:
    check_reading(metric.unit, metric.baseline_value, "baseline.value")
    check_reading(metric.unit, metric.target_value, "target_value")


async def metrics_of(session: AsyncSession, trial_id: uuid.UUID) -> Sequence[Metric]:
    """The trial's metrics in the order they were added."""
    return (
        await session.exec(
            select(Metric).where(col(Metric.trial_id) == trial_id).order_by(col(Metric.created_at), col(Metric.id))
        )
    ).all()


def _metrics_frozen(trial: Trial) -> None:
    if trial.status != TrialStatus.planned:
        raise conflict(
            f"The trial is {trial.status}: its metrics, baselines and targets froze when it started.",
            field="metrics",
        )


def _apply_metric(metric: Metric, values: dict[str, Any]) -> None:
    if "baseline" in values:
        baseline = values.pop("baseline")
        metric.baseline_value = baseline["value"] if baseline else None
        metric.baseline_period_start = baseline["period_start"] if baseline else None
        metric.baseline_period_end = baseline["period_end"] if baseline else None
        metric.baseline_method = baseline["method"] if baseline else ""
    for field, value in values.items():
        setattr(metric, field, value)


async def _name_taken(session: AsyncSession, trial_id: uuid.UUID, name: str, but: uuid.UUID | None) -> bool:
    query = select(Metric.id).where(Metric.trial_id == trial_id, func.lower(Metric.name) == name.lower())
    if but is not None:
        query = query.where(Metric.id != but)
    return (await session.exec(query)).first() is not None


async def add_metric(session: AsyncSession, trial: Trial, body: MetricCreate) -> Metric:
    """A new metric of a planned trial (names unique within the trial, whatever the case)."""
    _metrics_frozen(trial)
    if await _name_taken(session, trial.id, body.name, None):
        raise conflict(f"The trial already has a metric called {body.name!r}.", field="name")
    metric = Metric(trial_id=trial.id, name=body.name, unit=body.unit, direction=body.direction, created_at=utcnow())
    _apply_metric(metric, body.model_dump(exclude={"name", "unit", "direction"}))
    _check_metric_values(metric)
    session.add(metric)
    touch(trial)
    await session.flush()
    return metric


async def metric_of(session: AsyncSession, trial: Trial, metric_id: uuid.UUID) -> Metric:
    """The trial's metric, or 404."""
    metric = await session.get(Metric, metric_id)
    if metric is None or metric.trial_id != trial.id:
        raise Problem(404, f"The trial has no metric {metric_id}.")
    return metric


async def update_metric(session: AsyncSession, trial: Trial, metric: Metric, body: MetricUpdate) -> None:
    """Change the fields sent (only while the trial is planned)."""
    _metrics_frozen(trial)
    values = body.model_dump(include=body.model_fields_set)
    for field in ("name", "unit", "direction", "cashable"):
        if field in values and values[field] is None:
            raise invalid(field, "cannot be null; leave it out to keep the current value")
    if values.get("name") and await _name_taken(session, trial.id, values["name"], metric.id):
        raise conflict(f"The trial already has a metric called {values['name']!r}.", field="name")
    _apply_metric(metric, values)
    _check_metric_values(metric)
    metric.version += 1
    touch(trial)
    await session.flush()


async def delete_metric(session: AsyncSession, trial: Trial, metric: Metric) -> None:
    """Remove a metric of a planned trial."""
    _metrics_frozen(trial)
    await session.delete(metric)
    touch(trial)
