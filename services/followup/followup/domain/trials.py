"""A trial's life: open it, plan it, start it, evaluate it, review its checkpoints. No HTTP here.

planned → running → evaluating → concluded, or stopped early from any of the first three
(domain/verdicts.py). The hypothesis, review date, checkpoint schedule and metrics may change
only while planned.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from followup.clients.ideas import IdeaSnapshot
from followup.domain import checkpoints as schedule
from followup.domain import partners
from followup.domain.evidence import evidence_level
from followup.domain.gain import compute_gain, effective_series
from followup.domain.metrics import metrics_of
from followup.domain.rules import conflict, invalid, require_status, today, touch
from followup.models import Checkpoint, LibraryEntry, Measurement, Metric, Trial, Verdict
from followup.schemas import TrialCreate, TrialUpdate
from followup.vocabulary import TrialStatus
from platform_core.auth import Principal
from platform_core.clock import utcnow
from platform_core.problems import Problem

# How far back a manager may date the start of a trial they are recording late.
MAX_BACKDATE_DAYS = 366
# Fields of a trial fixed once it starts, so nobody moves the goalposts: what it is judged against, that is
# what it tries and with whom. The people (owner, sponsor, team) are not goalposts: someone who leaves or
# changes job during a trial is replaced, until the verdict like the rest of the plan.
FROZEN_AT_START = ("hypothesis", "review_date", "checkpoint_schedule", "kind_of_change", "partner_ids")
NULLABLE_FIELDS = ("owner", "sponsor", "planned_start", "planned_end", "review_date")
# Idea statuses (from the ideas service) that cannot become a trial: run the original, not a duplicate.
IDEAS_OUT_OF_PLAY = ("withdrawn", "hidden", "duplicate")


# ---- reading --------------------------------------------------------------------------------------


async def trial_of_idea(session: AsyncSession, idea_id: uuid.UUID) -> Trial | None:
    """The idea's trial, if it has one (one trial per idea)."""
    return (await session.exec(select(Trial).where(Trial.idea_id == idea_id))).one_or_none()


async def trials_of_ideas(session: AsyncSession, idea_ids: Sequence[uuid.UUID]) -> list[Trial]:
    """The trials of these ideas (those that have one), in the order the ideas are named, in one query."""
    found = {t.idea_id: t for t in (await session.exec(select(Trial).where(col(Trial.idea_id).in_(idea_ids)))).all()}
    return [found[i] for i in idea_ids if i in found]


@dataclass(frozen=True)
class TrialDetail:
    """Everything shown of one trial, loaded at once so that presentation never queries."""

    trial: Trial
    metrics: Sequence[Metric]
    measurements: Sequence[Measurement]
    checkpoints: Sequence[Checkpoint]
    verdict: Verdict | None
    entry: LibraryEntry | None
    gain: dict[str, Any]
    evidence_level: int
    today: date
    # Each metric's effective readings (after corrections), oldest period first.
    readings: dict[uuid.UUID, list[Measurement]]


async def detail(session: AsyncSession, trial: Trial) -> TrialDetail:
    """The trial with its metrics, reviews, verdict and gain (live before the verdict, frozen after)."""
    return (await details(session, [trial]))[0]


async def details(session: AsyncSession, trials: Sequence[Trial]) -> list[TrialDetail]:
    """What `detail` loads, for many trials in five queries in all (not five per trial), in their order."""
    if not trials:
        return []
    ids = [t.id for t in trials]
    metrics = await session.exec(
        select(Metric).where(col(Metric.trial_id).in_(ids)).order_by(col(Metric.created_at), col(Metric.id))
    )
    measurements = await session.exec(
        select(Measurement)
        .where(col(Measurement.trial_id).in_(ids))
        .order_by(col(Measurement.metric_id), col(Measurement.sequence))
    )
    checkpoints = await session.exec(
        select(Checkpoint).where(col(Checkpoint.trial_id).in_(ids)).order_by(col(Checkpoint.due_on))
    )
    verdicts = {v.trial_id: v for v in (await session.exec(select(Verdict).where(col(Verdict.trial_id).in_(ids))))}
    entries = {
        e.trial_id: e for e in (await session.exec(select(LibraryEntry).where(col(LibraryEntry.trial_id).in_(ids))))
    }
    by_trial: dict[uuid.UUID, tuple[list[Metric], list[Measurement], list[Checkpoint]]] = {i: ([], [], []) for i in ids}
    for metric in metrics:
        by_trial[metric.trial_id][0].append(metric)
    for entry in measurements:  # still per metric in the order recorded, within each trial
        by_trial[entry.trial_id][1].append(entry)
    for checkpoint in checkpoints:
        by_trial[checkpoint.trial_id][2].append(checkpoint)
    on = today()
    out = []
    for trial in trials:
        own_metrics, own_measurements, own_checkpoints = by_trial[trial.id]
        verdict = verdicts.get(trial.id)
        if verdict is not None:
            gain, level = verdict.gain, verdict.evidence_level
        else:
            gain = compute_gain(own_metrics, own_measurements, trial.trial_cost_pounds)
            # Before the verdict, the design is unknown: the live level says only whether there is data.
            level = evidence_level(has_data=gain["has_data"], design=None, independent=False, replicated=False)
        readings = {m.id: effective_series(e for e in own_measurements if e.metric_id == m.id) for m in own_metrics}
        out.append(
            TrialDetail(
                trial,
                own_metrics,
                own_measurements,
                own_checkpoints,
                verdict,
                entries.get(trial.id),
                gain,
                level,
                on,
                readings,
            )
        )
    return out


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
    entries = {
        trial_id: entry_id
        for trial_id, entry_id in (
            await session.exec(
                select(LibraryEntry.trial_id, LibraryEntry.id).where(col(LibraryEntry.trial_id).in_(ids))
            )
        ).all()
        if trial_id is not None
    }
    return trials, total, outcomes, entries


# ---- creating ------------------------------------------------------------------------------------


async def insert_once(session: AsyncSession, trial: Trial) -> tuple[Trial, bool]:
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
        raise invalid("idea_id", f"the idea is {idea.status}; a trial needs an idea still in play")
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
        kind_of_change=body.kind_of_change or "",
        # Named by the manager, or else those of the idea's partners that are on the council's map.
        partners=await partners.named(session, idea.council_id, body.partner_ids)
        if body.partner_ids
        else await partners.named_by_idea(session, idea.council_id, idea.partners),
        created_by=principal.person_id,
        created_at=now,
        updated_at=now,
    )
    return await insert_once(session, trial)


# ---- planning --------------------------------------------------------------------------------------


async def update_trial(session: AsyncSession, trial: Trial, body: TrialUpdate) -> None:
    """Change the plan until the verdict; the goals (hypothesis, review date, checkpoints, kind of change,
    partners) only while planned."""
    require_status(trial, TrialStatus.planned, TrialStatus.running, TrialStatus.evaluating, doing="change the plan")
    fields = body.model_fields_set
    for field in fields:
        if getattr(body, field) is None and field not in NULLABLE_FIELDS:
            raise invalid(field, "cannot be null; leave it out to keep the current value")
    if trial.status != TrialStatus.planned:
        # Sending the same value again is harmless; only a real change of a goal is refused.
        frozen = sorted(f for f in fields if f in FROZEN_AT_START and _changes(trial, body, f))
        if frozen:
            raise conflict(f"The trial has started, so {', '.join(frozen)} can no longer change.", field=frozen[0])
    for field in fields:
        if field == "partner_ids":
            trial.partners = await partners.named(session, trial.council_id, body.partner_ids or [])
            continue
        value = _people(body, field) if field in ("owner", "sponsor", "team") else getattr(body, field)
        setattr(trial, field, value)
    if trial.planned_start and trial.planned_end and trial.planned_end < trial.planned_start:
        raise invalid("planned_end", "the end is before the start")
    touch(trial)


def _changes(trial: Trial, body: TrialUpdate, field: str) -> bool:
    """Whether `body` asks for another value of `field` than the trial has (partners in any order)."""
    if field == "partner_ids":
        return {str(i) for i in body.partner_ids or []} != {p["id"] for p in trial.partners}
    if field == "kind_of_change":
        return (body.kind_of_change or None) != (trial.kind_of_change or None)
    return bool(getattr(body, field) != getattr(trial, field))


def note_hack_day(trial: Trial, held_on: date | None) -> None:
    """Keep the hack day's date, once known (for the time from hack day to verdict)."""
    if held_on is not None and trial.hack_day_on is None:
        trial.hack_day_on = held_on


# ---- running ---------------------------------------------------------------------------------------


async def start_trial(session: AsyncSession, trial: Trial, started_on: date | None) -> None:
    """planned → running: needs a metric with a baseline; freezes the plan and sets the reviews."""
    require_status(trial, TrialStatus.planned, doing="start it")
    day = started_on or today()
    if day > today():
        raise invalid("started_on", "cannot be in the future")
    if day < today() - timedelta(days=MAX_BACKDATE_DAYS):
        raise invalid("started_on", f"cannot be more than {MAX_BACKDATE_DAYS} days ago")
    metrics = await metrics_of(session, trial.id)
    if not any(m.baseline_value is not None for m in metrics):
        raise conflict(
            "A trial starts only with at least one metric that has a baseline: otherwise no gain "
            "could ever be shown. Add one first.",
            field="metrics",
        )
    for label, due in schedule.schedule(day, list(trial.checkpoint_schedule)):
        session.add(Checkpoint(trial_id=trial.id, label=label, due_on=due))
    trial.status = TrialStatus.running
    trial.started_at = datetime.combine(day, datetime.now(UTC).timetz())
    touch(trial)
    await session.flush()


def begin_evaluation(trial: Trial) -> None:
    """running → evaluating."""
    require_status(trial, TrialStatus.running, doing="begin the evaluation")
    trial.status = TrialStatus.evaluating
    trial.evaluating_at = utcnow()
    touch(trial)


async def review_checkpoint(
    session: AsyncSession, trial: Trial, checkpoint_id: uuid.UUID, note: str, principal: Principal
) -> Checkpoint:
    """Record that a checkpoint review took place (once per checkpoint)."""
    require_status(trial, TrialStatus.running, TrialStatus.evaluating, doing="record a review")
    checkpoint = await session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or checkpoint.trial_id != trial.id:
        raise Problem(404, f"The trial has no checkpoint {checkpoint_id}.")
    if checkpoint.reviewed_at is not None:
        raise conflict("This checkpoint was already reviewed.", field="checkpoint")
    checkpoint.reviewed_at = utcnow()
    checkpoint.reviewed_by = principal.person_id
    checkpoint.note = note
    touch(trial)
    await session.flush()
    return checkpoint
