"""Shapes a trial and what hangs off it into the answers of the API (schemas.py)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from followup import service
from followup.evidence import EVIDENCE_SCALE, evidence_level
from followup.gain import compute_gain
from followup.models import Checkpoint, LibraryEntry, Measurement, Metric, Trial, Verdict
from followup.schemas import (
    Baseline,
    CheckpointPublic,
    Evidence,
    Gain,
    IdeaRef,
    MeasurementPublic,
    MetricPublic,
    TrialPublic,
    TrialSummary,
    VerdictPublic,
)
from followup.vocab import OPEN_STATUSES, TrialStatus


def idea_ref(trial: Trial) -> IdeaRef:
    return IdeaRef(
        id=trial.idea_id,
        title=trial.idea_title,
        council_id=trial.council_id,
        council_name=trial.council_name,
        service_area=trial.service_area,
        hack_day_id=trial.hack_day_id,
        hack_day_on=trial.hack_day_on,
    )


def metric_public(m: Metric) -> MetricPublic:
    baseline = None
    if m.baseline_value is not None and m.baseline_period_start and m.baseline_period_end:
        baseline = Baseline.model_construct(
            value=m.baseline_value,
            period_start=m.baseline_period_start,
            period_end=m.baseline_period_end,
            method=m.baseline_method,
        )
    return MetricPublic(
        id=m.id,
        name=m.name,
        unit=m.unit,
        direction=m.direction,
        baseline=baseline,
        target_value=m.target_value,
        annual_volume=m.annual_volume,
        hourly_cost_pounds=m.hourly_cost_pounds,
        cashable=m.cashable,
        version=m.version,
    )


def measurement_list(entries: Sequence[Measurement]) -> list[MeasurementPublic]:
    latest: dict = {}
    for e in entries:
        if e.original_id not in latest or e.sequence > latest[e.original_id].sequence:
            latest[e.original_id] = e
    effective = {e.id for e in latest.values()}
    return [
        MeasurementPublic(
            id=e.id,
            metric_id=e.metric_id,
            sequence=e.sequence,
            value=e.value,
            period_start=e.period_start,
            period_end=e.period_end,
            method=e.method,
            source=e.source,
            note=e.note,
            corrects_id=e.corrects_id,
            effective=e.id in effective,
            recorded_by=e.recorded_by,
            recorded_at=e.recorded_at,
        )
        for e in entries
    ]


def checkpoint_public(c: Checkpoint, trial: Trial, today: date) -> CheckpointPublic:
    overdue = c.reviewed_at is None and c.due_on < today and trial.status in OPEN_STATUSES
    return CheckpointPublic(
        id=c.id, label=c.label, due_on=c.due_on, reviewed_at=c.reviewed_at, note=c.note, overdue=overdue
    )


def evidence_public(v: Verdict) -> Evidence:
    return Evidence(
        level=v.evidence_level,
        label=EVIDENCE_SCALE[v.evidence_level],
        design=v.design,
        verified_by=v.verification,
        replications=v.replications,
    )


def verdict_public(v: Verdict) -> VerdictPublic:
    return VerdictPublic(
        outcome=v.outcome,
        summary=v.summary,
        reasons=v.reasons,
        lessons=v.lessons,
        evidence=evidence_public(v),
        gain=Gain.model_validate(v.gain),
        decided_by=v.decided_by,
        decided_at=v.decided_at,
    )


async def verdict_of(session: AsyncSession, trial: Trial) -> Verdict | None:
    return (await session.exec(select(Verdict).where(Verdict.trial_id == trial.id))).one_or_none()


async def entry_of(session: AsyncSession, trial: Trial) -> LibraryEntry | None:
    return (await session.exec(select(LibraryEntry).where(LibraryEntry.trial_id == trial.id))).one_or_none()


async def trial_public(session: AsyncSession, trial: Trial) -> TrialPublic:
    """The trial in full, for its own council: plan, metrics, reviews, live gain, verdict."""
    metrics = await service.metrics_of(session, trial.id)
    checkpoints = (
        await session.exec(select(Checkpoint).where(Checkpoint.trial_id == trial.id).order_by(Checkpoint.due_on))
    ).all()
    verdict = await verdict_of(session, trial)
    entry = await entry_of(session, trial)
    if verdict is not None:
        gain, level = verdict.gain, verdict.evidence_level
    else:
        gain = compute_gain(metrics, await service.measurements_of(session, trial.id), trial.trial_cost_pounds)
        # Before the verdict, the design is unknown: the live level says only whether there is data.
        level = evidence_level(has_data=gain["has_data"], design=None, independent=False, replicated=False)
    today = service.today()
    return TrialPublic(
        id=trial.id,
        idea=idea_ref(trial),
        origin=trial.origin,
        round_id=trial.round_id,
        round_rank=trial.round_rank,
        owner=trial.owner,
        sponsor=trial.sponsor,
        team=trial.team,
        hypothesis=trial.hypothesis,
        scope=trial.scope,
        planned_start=trial.planned_start,
        planned_end=trial.planned_end,
        review_date=trial.review_date,
        checkpoint_schedule=trial.checkpoint_schedule,
        trial_cost_pounds=trial.trial_cost_pounds,
        internal_notes=trial.internal_notes,
        status=trial.status,
        frozen=trial.status != TrialStatus.planned,
        version=trial.version,
        created_at=trial.created_at,
        updated_at=trial.updated_at,
        started_at=trial.started_at,
        evaluating_at=trial.evaluating_at,
        ended_at=trial.ended_at,
        metrics=[metric_public(m) for m in metrics],
        checkpoints=[checkpoint_public(c, trial, today) for c in checkpoints],
        gain=Gain.model_validate(gain),
        evidence_level=level,
        verdict=verdict_public(verdict) if verdict else None,
        library_entry_id=entry.id if entry else None,
    )


def trial_summary(trial: Trial, outcome: str | None, entry_id: uuid.UUID | None) -> TrialSummary:
    return TrialSummary(
        id=trial.id,
        idea=idea_ref(trial),
        status=trial.status,
        review_date=trial.review_date,
        version=trial.version,
        created_at=trial.created_at,
        outcome=outcome,
        library_entry_id=entry_id,
    )
