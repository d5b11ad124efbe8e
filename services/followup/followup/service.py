"""The rules of a trial's life: plan, metrics, start, measure, review, verdict. No HTTP here.

planned → running → evaluating → concluded, or stopped early from any of the first three.
The hypothesis, review date, checkpoint schedule and metrics may change only while planned.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from followup import checkpoints as schedule
from followup.evidence import evidence_level
from followup.gain import compute_gain
from followup.ideas_client import IdeaSnapshot
from followup.models import (
    Checkpoint,
    InboxEvent,
    LibraryEntry,
    Measurement,
    Metric,
    Trial,
    Verdict,
    utcnow,
)
from followup.schemas import (
    InternalTrialCreate,
    MeasurementCreate,
    MetricCreate,
    MetricUpdate,
    TrialCreate,
    TrialUpdate,
    VerdictCreate,
)
from followup.vocab import DEFAULT_CHECKPOINTS, GAIN_OUTCOMES, UNIT_RANGES, Outcome, TrialStatus, Unit
from platform_core.auth import Principal
from platform_core.problems import Problem

# How far back a manager may date the start of a trial they are recording late.
MAX_BACKDATE_DAYS = 366
# Fields of a trial fixed once it starts, so nobody moves the goalposts.
FROZEN_AT_START = ("hypothesis", "review_date", "checkpoint_schedule")
NULLABLE_FIELDS = ("owner", "sponsor", "planned_start", "planned_end", "review_date")
# Idea statuses (from the ideas service) that cannot become a trial: run the original, not a duplicate.
IDEAS_OUT_OF_PLAY = ("withdrawn", "hidden", "duplicate")


def today() -> date:
    return datetime.now(UTC).date()


def _touch(trial: Trial) -> None:
    trial.version += 1
    trial.updated_at = utcnow()


def _conflict(detail: str, field: str = "status") -> Problem:
    return Problem(409, detail, errors=[{"field": field, "message": detail}])


def _invalid(field: str, message: str, detail: str | None = None) -> Problem:
    return Problem(422, detail or f"{field}: {message}", errors=[{"field": field, "message": message}])


def check_reading(unit: str, value: float | None, field: str) -> None:
    """422 naming `field` if `value` cannot be a reading in `unit` (e.g. an error rate of 3)."""
    if value is None:
        return
    low, high = UNIT_RANGES[Unit(unit)]
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"from {low:g}" + (f" to {high:g}" if high is not None else " up")
        raise _invalid(field, f"a value in {unit} runs {bounds}")


def _check_metric_values(metric: Metric) -> None:
    check_reading(metric.unit, metric.baseline_value, "baseline.value")
    check_reading(metric.unit, metric.target_value, "target_value")


def _require_status(trial: Trial, *allowed: TrialStatus, doing: str) -> None:
    if trial.status not in allowed:
        names = " or ".join(s.value for s in allowed)
        raise _conflict(f"The trial is {trial.status}; you can {doing} only when it is {names}.")


# ---- creating ------------------------------------------------------------------------------------


async def trial_of_idea(session: AsyncSession, idea_id: uuid.UUID) -> Trial | None:
    return (await session.exec(select(Trial).where(Trial.idea_id == idea_id))).one_or_none()


async def _insert_once(session: AsyncSession, trial: Trial) -> tuple[Trial, bool]:
    """Insert the trial unless its idea already has one (also when another request races us)."""
    try:
        async with session.begin_nested():
            session.add(trial)
            await session.flush()
    except IntegrityError:
        existing = await trial_of_idea(session, trial.idea_id)
        if existing is None:
            raise
        return existing, False
    return trial, True


def _people(body: TrialCreate | TrialUpdate, field: str) -> Any:
    value = getattr(body, field)
    if value is None:
        return None
    if isinstance(value, list):
        return [p.model_dump() for p in value]
    return value.model_dump()


async def create_trial(
    session: AsyncSession,
    *,
    principal: Principal,
    body: TrialCreate,
    idea: IdeaSnapshot,
    hack_day_on: date | None,
) -> tuple[Trial, bool]:
    """A planned trial of the idea, or the idea's existing trial (created=False)."""
    existing = await trial_of_idea(session, body.idea_id)
    if existing is not None:
        return existing, False
    if idea.status in IDEAS_OUT_OF_PLAY:
        raise _invalid("idea_id", f"the idea is {idea.status}; a trial needs an idea still in play")
    now = utcnow()
    trial = Trial(
        idea_id=idea.id,
        council_id=idea.council_id,
        council_name=idea.council_name or principal.council_name,
        hack_day_id=idea.hack_day_id,
        hack_day_on=hack_day_on or (idea.created_at.date() if idea.created_at else None),
        idea_title=idea.title[:300],
        service_area=idea.service_area[:120],
        origin="manager",
        owner=_people(body, "owner"),
        sponsor=_people(body, "sponsor"),
        team=_people(body, "team") or [],
        hypothesis=body.hypothesis,
        scope=body.scope,
        planned_start=body.planned_start,
        planned_end=body.planned_end,
        review_date=body.review_date,
        checkpoint_schedule=list(body.checkpoint_schedule),
        trial_cost_pounds=body.trial_cost_pounds,
        internal_notes=body.internal_notes,
        created_by=principal.person_id,
        created_at=now,
        updated_at=now,
    )
    return await _insert_once(session, trial)


async def create_trial_from_selection(session: AsyncSession, body: InternalTrialCreate) -> tuple[Trial, bool]:
    """The vote-to-trial message: done once per event id, and once per idea whatever the event."""
    seen = await session.get(InboxEvent, body.event_id)
    if seen is not None:
        trial = await session.get(Trial, seen.trial_id)
        if trial is not None:
            return trial, False
    now = utcnow()
    trial, created = await _insert_once(
        session,
        Trial(
            idea_id=body.idea_id,
            council_id=body.council_id,
            council_name=body.council_name,
            hack_day_id=body.hack_day_id,
            hack_day_on=body.hack_day_on,
            idea_title=body.title,
            service_area=body.service_area,
            origin="vote",
            round_id=body.round_id,
            round_rank=body.rank,
            checkpoint_schedule=list(DEFAULT_CHECKPOINTS),
            created_at=now,
            updated_at=now,
        ),
    )
    try:
        async with session.begin_nested():
            session.add(InboxEvent(event_id=body.event_id, trial_id=trial.id, received_at=now))
            await session.flush()
    except IntegrityError:
        # The same event raced us in another request; the unique idea id already kept one trial.
        pass
    return trial, created


async def list_trials(
    session: AsyncSession,
    *,
    council_id: uuid.UUID | None,
    everyone: bool,
    status: TrialStatus | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Trial], int, dict[uuid.UUID, str], dict[uuid.UUID, uuid.UUID]]:
    """A page of trials, newest first, with each one's outcome and library entry (if any)."""
    query = select(Trial)
    if not everyone:
        query = query.where(Trial.council_id == council_id)
    if status is not None:
        query = query.where(Trial.status == status)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    ordered = query.order_by(col(Trial.created_at).desc(), col(Trial.id)).limit(limit).offset(offset)
    trials = (await session.exec(ordered)).all()
    ids = [t.id for t in trials]
    if not ids:
        return trials, total, {}, {}
    outcomes = dict(
        (await session.exec(select(Verdict.trial_id, Verdict.outcome).where(col(Verdict.trial_id).in_(ids)))).all()
    )
    entries = dict(
        (
            await session.exec(
                select(LibraryEntry.trial_id, LibraryEntry.id).where(col(LibraryEntry.trial_id).in_(ids))
            )
        ).all()
    )
    return trials, total, outcomes, entries


# ---- planning --------------------------------------------------------------------------------------


def update_trial(trial: Trial, body: TrialUpdate) -> None:
    _require_status(trial, TrialStatus.planned, TrialStatus.running, TrialStatus.evaluating, doing="change the plan")
    fields = body.model_fields_set
    for field in fields:
        if getattr(body, field) is None and field not in NULLABLE_FIELDS:
            raise _invalid(field, "cannot be null; leave it out to keep the current value")
    if trial.status != TrialStatus.planned:
        # Sending the same value again is harmless; only a real change of a goal is refused.
        frozen = sorted(f for f in fields if f in FROZEN_AT_START and getattr(body, f) != getattr(trial, f))
        if frozen:
            raise _conflict(f"The trial has started, so {', '.join(frozen)} can no longer change.", field=frozen[0])
    for field in fields:
        value = _people(body, field) if field in ("owner", "sponsor", "team") else getattr(body, field)
        setattr(trial, field, value)
    if trial.planned_start and trial.planned_end and trial.planned_end < trial.planned_start:
        raise _invalid("planned_end", "the end is before the start")
    _touch(trial)


async def metrics_of(session: AsyncSession, trial_id: uuid.UUID) -> Sequence[Metric]:
    return (
        await session.exec(select(Metric).where(Metric.trial_id == trial_id).order_by(Metric.created_at, Metric.id))
    ).all()


def _metrics_frozen(trial: Trial) -> None:
    if trial.status != TrialStatus.planned:
        raise _conflict(
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
    _metrics_frozen(trial)
    if await _name_taken(session, trial.id, body.name, None):
        raise _conflict(f"The trial already has a metric called {body.name!r}.", field="name")
    metric = Metric(trial_id=trial.id, name=body.name, unit=body.unit, direction=body.direction, created_at=utcnow())
    _apply_metric(metric, body.model_dump(exclude={"name", "unit", "direction"}))
    _check_metric_values(metric)
    session.add(metric)
    _touch(trial)
    await session.flush()
    return metric


async def metric_of(session: AsyncSession, trial: Trial, metric_id: uuid.UUID) -> Metric:
    metric = await session.get(Metric, metric_id)
    if metric is None or metric.trial_id != trial.id:
        raise Problem(404, f"The trial has no metric {metric_id}.")
    return metric


async def update_metric(session: AsyncSession, trial: Trial, metric: Metric, body: MetricUpdate) -> None:
    _metrics_frozen(trial)
    values = body.model_dump(include=body.model_fields_set)
    for field in ("name", "unit", "direction", "cashable"):
        if field in values and values[field] is None:
            raise _invalid(field, "cannot be null; leave it out to keep the current value")
    if values.get("name") and await _name_taken(session, trial.id, values["name"], metric.id):
        raise _conflict(f"The trial already has a metric called {values['name']!r}.", field="name")
    _apply_metric(metric, values)
    _check_metric_values(metric)
    metric.version += 1
    _touch(trial)


async def delete_metric(session: AsyncSession, trial: Trial, metric: Metric) -> None:
    _metrics_frozen(trial)
    await session.delete(metric)
    _touch(trial)


# ---- running ---------------------------------------------------------------------------------------


async def start_trial(session: AsyncSession, trial: Trial, started_on: date | None) -> None:
    """planned → running: needs a metric with a baseline; freezes the plan and sets the reviews."""
    _require_status(trial, TrialStatus.planned, doing="start it")
    day = started_on or today()
    if day > today():
        raise _invalid("started_on", "cannot be in the future")
    if day < today() - timedelta(days=MAX_BACKDATE_DAYS):
        raise _invalid("started_on", f"cannot be more than {MAX_BACKDATE_DAYS} days ago")
    metrics = await metrics_of(session, trial.id)
    if not any(m.baseline_value is not None for m in metrics):
        raise _conflict(
            "A trial starts only with at least one metric that has a baseline: otherwise no gain "
            "could ever be shown. Add one first.",
            field="metrics",
        )
    for label, due in schedule.schedule(day, list(trial.checkpoint_schedule)):
        session.add(Checkpoint(trial_id=trial.id, label=label, due_on=due))
    trial.status = TrialStatus.running
    trial.started_at = datetime.combine(day, datetime.now(UTC).timetz())
    _touch(trial)
    await session.flush()


def begin_evaluation(trial: Trial) -> None:
    _require_status(trial, TrialStatus.running, doing="begin the evaluation")
    trial.status = TrialStatus.evaluating
    trial.evaluating_at = utcnow()
    _touch(trial)


async def measurements_of(session: AsyncSession, trial_id: uuid.UUID) -> Sequence[Measurement]:
    return (
        await session.exec(
            select(Measurement)
            .where(Measurement.trial_id == trial_id)
            .order_by(Measurement.metric_id, Measurement.sequence)
        )
    ).all()


async def record_measurement(
    session: AsyncSession, trial: Trial, body: MeasurementCreate, principal: Principal
) -> Measurement:
    """Append a measurement (or a correction of one); nothing already recorded is changed."""
    _require_status(trial, TrialStatus.running, TrialStatus.evaluating, doing="record measurements")
    metric = await session.get(Metric, body.metric_id)
    if metric is None or metric.trial_id != trial.id:
        raise _invalid("metric_id", "is not a metric of this trial")
    if body.period_end > today():
        raise _invalid("period_end", "cannot be in the future")
    check_reading(metric.unit, body.value, "value")
    original_id: uuid.UUID | None = None
    if body.corrects is not None:
        corrected = await session.get(Measurement, body.corrects)
        if corrected is None or corrected.metric_id != metric.id:
            raise _invalid("corrects", "is not a measurement of this metric")
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
    _touch(trial)
    await session.flush()
    return entry


async def review_checkpoint(
    session: AsyncSession, trial: Trial, checkpoint_id: uuid.UUID, note: str, principal: Principal
) -> Checkpoint:
    _require_status(trial, TrialStatus.running, TrialStatus.evaluating, doing="record a review")
    checkpoint = await session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or checkpoint.trial_id != trial.id:
        raise Problem(404, f"The trial has no checkpoint {checkpoint_id}.")
    if checkpoint.reviewed_at is not None:
        raise _conflict("This checkpoint was already reviewed.", field="checkpoint")
    checkpoint.reviewed_at = utcnow()
    checkpoint.reviewed_by = principal.person_id
    checkpoint.note = note
    _touch(trial)
    return checkpoint


# ---- the verdict -----------------------------------------------------------------------------------


async def _check_replications(session: AsyncSession, trial: Trial, ids: list[uuid.UUID]) -> None:
    for entry_id in ids:
        entry = await session.get(LibraryEntry, entry_id)
        if entry is None:
            raise _invalid("replications", f"{entry_id} is not a published library entry")
        if entry.council_id == trial.council_id:
            raise _invalid("replications", f"{entry_id} is from your own council, not a replication")
        if entry.outcome not in GAIN_OUTCOMES:
            raise _invalid("replications", f"{entry_id} did not show a gain ({entry.outcome})")


async def give_verdict(session: AsyncSession, trial: Trial, body: VerdictCreate, principal: Principal) -> Verdict:
    """Conclude (from evaluating) or stop (from planned, running or evaluating) with a verdict."""
    if body.outcome == Outcome.stopped:
        _require_status(trial, TrialStatus.planned, TrialStatus.running, TrialStatus.evaluating, doing="stop it")
    else:
        _require_status(trial, TrialStatus.evaluating, doing="give a verdict (other than stopped)")
    if body.outcome != Outcome.worked and not body.reasons:
        raise _invalid("reasons", "give at least one reason from the taxonomy unless the trial worked")
    if not any(body.lessons.model_dump().values()):
        raise _invalid("lessons", "write at least one lesson for the councils that come after you")
    if len({r.code for r in body.reasons}) != len(body.reasons):
        raise _invalid("reasons", "name each reason once")
    gain = compute_gain(
        await metrics_of(session, trial.id), await measurements_of(session, trial.id), trial.trial_cost_pounds
    )
    if body.outcome in GAIN_OUTCOMES and not gain["has_data"]:
        raise _invalid(
            "outcome",
            "a verdict claiming a gain needs a metric with a baseline and at least one measurement",
            detail=f"outcome: '{body.outcome}' claims a gain, but no metric has both a baseline and a "
            "measurement; record one, or choose no_change, did_not_work or inconclusive.",
        )
    await _check_replications(session, trial, body.replications)
    verification = body.verified_by.model_dump() if body.verified_by else None
    verdict = Verdict(
        trial_id=trial.id,
        outcome=body.outcome,
        summary=body.summary,
        reasons=[r.model_dump() for r in body.reasons],
        lessons=body.lessons.model_dump(),
        design=body.design,
        verification=verification,
        replications=[str(i) for i in body.replications],
        evidence_level=evidence_level(
            has_data=gain["has_data"],
            design=body.design,
            independent=bool(verification and verification["independent"]),
            replicated=bool(body.replications),
        ),
        gain=gain,
        decided_by=principal.person_id,
        decided_at=utcnow(),
    )
    session.add(verdict)
    trial.status = TrialStatus.stopped if body.outcome == Outcome.stopped else TrialStatus.concluded
    trial.ended_at = verdict.decided_at
    _touch(trial)
    await session.flush()
    return verdict
