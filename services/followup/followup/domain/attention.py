"""Stale follow-up made visible: trials overdue for review, or with no measurement for too long.

A trial needs attention when it is not ended and
- a checkpoint's due date has passed without a review (running or evaluating trials), or
- its review date has passed (planned, running or evaluating), or
- it is running or evaluating and nothing was measured for `stale_after_days` (default 42 days,
  six weeks: the first checkpoint), counted from the last measurement, or from the start.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.orm import load_only
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from followup.models import Checkpoint, Measurement, Trial
from followup.vocabulary import OPEN_STATUSES, TrialStatus

# The trial's columns the attention rules and views.attention_public (through views.idea_ref) read.
ATTENTION_COLUMNS = (
    "id",
    "idea_id",
    "idea_title",
    "council_id",
    "council_name",
    "service_area",
    "hack_day_id",
    "hack_day_on",
    "status",
    "review_date",
    "started_at",
)


@dataclass(frozen=True)
class NeedsAttention:
    """One trial that needs attention, and why (views.attention_public shapes it)."""

    trial: Trial
    review_overdue: bool
    overdue_checkpoints: Sequence[Checkpoint]
    last_measured_on: date | None
    days_without_measurement: int | None
    stale: bool
    today: date

    @property
    def council_id(self) -> uuid.UUID:
        return self.trial.council_id


async def attention(
    session: AsyncSession, *, council_id: uuid.UUID | None, today: date, stale_after_days: int
) -> list[NeedsAttention]:
    """The council's (or, with None, every council's) open trials that need attention."""
    # Only what the rules and the overdue list read (views.attention_public): the trials' plans, notes
    # and JSON columns are most of a row, and decoding them was most of this report's cost (measured:
    # benchmarks/README.md, pages).
    query = (
        select(Trial)
        .options(load_only(*(getattr(Trial, c) for c in ATTENTION_COLUMNS), raiseload=True))
        .where(col(Trial.status).in_([s.value for s in OPEN_STATUSES]))
    )
    if council_id is not None:
        query = query.where(col(Trial.council_id) == council_id)
    trials = (await session.exec(query.order_by(col(Trial.created_at)))).all()
    if not trials:
        return []
    ids = [t.id for t in trials]
    due = (
        await session.exec(
            select(Checkpoint)
            .where(
                col(Checkpoint.trial_id).in_(ids),
                col(Checkpoint.reviewed_at).is_(None),
                col(Checkpoint.due_on) < today,
            )
            .order_by(col(Checkpoint.due_on))
        )
    ).all()
    last = dict(
        (
            await session.exec(
                select(Measurement.trial_id, func.max(Measurement.recorded_at))
                .where(col(Measurement.trial_id).in_(ids))
                .group_by(col(Measurement.trial_id))
            )
        ).all()
    )
    due_by_trial: dict[uuid.UUID, list[Checkpoint]] = {}
    for checkpoint in due:  # still in due-date order within each trial
        due_by_trial.setdefault(checkpoint.trial_id, []).append(checkpoint)
    out: list[NeedsAttention] = []
    for trial in trials:
        running = trial.status in (TrialStatus.running, TrialStatus.evaluating)
        overdue = due_by_trial.get(trial.id, []) if running else []
        measured = last.get(trial.id)
        last_day = measured.date() if measured else None
        since = last_day or (trial.started_at.date() if trial.started_at else None)
        idle = (today - since).days if running and since else None
        stale = idle is not None and idle > stale_after_days
        review_overdue = trial.review_date is not None and trial.review_date < today
        if overdue or stale or review_overdue:
            out.append(
                NeedsAttention(
                    trial=trial,
                    review_overdue=review_overdue,
                    overdue_checkpoints=overdue,
                    last_measured_on=last_day,
                    days_without_measurement=idle,
                    stale=stale,
                    today=today,
                )
            )
    return out
