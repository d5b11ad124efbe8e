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
from platform_core.problems import Problem


async def measurements_of(session: AsyncSession, trial_id: uuid.UUID) -> Sequence[Measurement]:
    """Every entry of the trial, corrections included, per metric in the order recorded."""
    return (
        await session.exec(
            select(Measurement)
            .where(col(Measurement.trial_id) == trial_id)
            .order_by(col(Measurement.metric_id), col(Measurement.sequence))
        )
    ).all()


async def _checked(session: AsyncSession, trial: Trial, body: MeasurementCreate) -> tuple[Metric, uuid.UUID | None]:
    """The metric the entry is for and the original it corrects (if any); 422 naming the field."""
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
    return metric, original_id


async def _next_sequence(session: AsyncSession, metric_id: uuid.UUID) -> int:
    last = (await session.exec(select(func.max(Measurement.sequence)).where(Measurement.metric_id == metric_id))).one()
    return (last or 0) + 1


async def record_measurement(
    session: AsyncSession, trial: Trial, body: MeasurementCreate, principal: Principal
) -> Measurement:
    """Append a measurement (or a correction of one); nothing already recorded is changed."""
    require_status(trial, TrialStatus.running, TrialStatus.evaluating, doing="record measurements")
    metric, original_id = await _checked(session, trial, body)
    entry = _entry(trial, metric, body, original_id, await _next_sequence(session, metric.id), principal)
    session.add(entry)
    touch(trial)
    await session.flush()
    return entry


async def record_batch(
    session: AsyncSession, trial: Trial, rows: list[MeasurementCreate], principal: Principal
) -> list[Measurement]:
    """Record many readings at once (a spreadsheet's year of them): all of them or, if any row is
    refused, none, with every refusal named `measurements.<row>.<field>` (rows counted from 0).

    A period a metric already has an original reading for is refused (correct that entry instead), and
    so is the same period twice in one batch: a file uploaded twice then records its readings once."""
    require_status(trial, TrialStatus.running, TrialStatus.evaluating, doing="record measurements")
    recorded = {
        (m.metric_id, m.period_start, m.period_end)
        for m in await measurements_of(session, trial.id)
        if m.corrects_id is None
    }
    errors: list[dict[str, str]] = []
    checked: list[tuple[MeasurementCreate, Metric, uuid.UUID | None]] = []
    for row, body in enumerate(rows):
        try:
            metric, original_id = await _checked(session, trial, body)
        except Problem as refused:
            errors += [{**e, "field": f"measurements.{row}.{e['field']}"} for e in refused.errors or []]
            continue
        period = (metric.id, body.period_start, body.period_end)
        if body.corrects is None:
            if period in recorded:
                errors.append(
                    {
                        "field": f"measurements.{row}.period_start",
                        "message": f"{metric.name} already has a reading for this period: correct that one instead",
                    }
                )
                continue
            recorded.add(period)
        checked.append((body, metric, original_id))
    if errors:
        rows_refused = len({e["field"].split(".")[1] for e in errors})
        raise Problem(
            422,
            f"{rows_refused} of {len(rows)} rows could not be recorded, so none was: "
            + "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]),
            errors=errors,
        )
    sequences: dict[uuid.UUID, int] = {}
    entries = []
    for body, metric, original_id in checked:
        if metric.id not in sequences:
            sequences[metric.id] = await _next_sequence(session, metric.id)
        entries.append(_entry(trial, metric, body, original_id, sequences[metric.id], principal))
        sequences[metric.id] += 1
    session.add_all(entries)
    touch(trial)
    await session.flush()
    return entries


def _entry(
    trial: Trial,
    metric: Metric,
    body: MeasurementCreate,
    original_id: uuid.UUID | None,
    sequence: int,
    principal: Principal,
) -> Measurement:
    entry_id = uuid.uuid4()
    return Measurement(
        id=entry_id,
        trial_id=trial.id,
        metric_id=metric.id,
        sequence=sequence,
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
