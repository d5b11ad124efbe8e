"""Measurements: append-only readings of a trial's metrics; a correction names the one it corrects."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from followup.domain.rules import check_reading, invalid, require_status, today, touch
from followup.models import Measurement, Metric, Trial
from followup.schemas import MeasurementCreate
from followup.vocabulary import TrialStatus
from platform_core.auth import Principal
from platform_core.clock import utcnow


async def measurements_of(session: AsyncSession, trial_id: uuid.UUID) -> Sequence[Measurement]:
    """Every entry of the trial, corrections included, per metric in the order recorded."""
    return (
        await session.exec(
            select(Measurement)
            .where(col(Measurement.trial_id) == trial_id)
            .order_by(col(Measurement.metric_id), col(Measurement.sequence))
        )
    ).all()


async def record_measurement(
    session: AsyncSession, trial: Trial, body: MeasurementCreate, principal: Principal
) -> Measurement:
    """Append a measurement (or a correction of one); nothing already recorded is changed."""
    require_status(trial, TrialStatus.running, TrialStatus.evaluating, doing="record measurements")
    metric = await session.get(Metric, body.metric_id)
    if metric is None or metric.trial_id != trial.id:
        raise invalid("metric_id", "is not a metric of this trial")
    if body.period_end > today():
        raise invalid("period_end", "cannot be in the future")
    check_reading(metric.unit, body.value, "value")
    original_id: uuid.UUID | None = None
    if body.corrects is not None:
        corrected = await session.get(Measurement, body.corrects)
        if corrected is None or corrected.metric_id != metric.id:
            raise invalid("corrects", "is not a measurement of this metric")
        original_id = corrected.original_id
    last = (await session.exec(select(func.max(Measurement.sequence)).where(Measurement.metric_id == metric.id))).one()
    entry_id = uuid.uuid4()
    entry = Measurement(
        id=entry_id,
        trial_id=trial.id,
        metric_id=metric.id,
        sequence=(last or 0) + 1,
        value=body.value,
        period_start=body.period_start,
        period_end=body.period_end,
        method=body.method,
        source=body.source,
        note=body.note,
        corrects_id=body.corrects,
        original_id=original_id or entry_id,
        recorded_by=principal.person_id,
        recorded_at=utcnow(),
    )
    session.add(entry)
    touch(trial)
    await session.flush()
    return entry
