"""The trials whose reviews are due today or overdue: what a council's managers are told each morning
(followup/review_digest.py). The same rules as the overdue list (attention.py), counted up to and
including today: an unreviewed checkpoint of a running or evaluating trial, or an open trial's
review date."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from followup.models import Checkpoint, Trial
from followup.vocabulary import OPEN_STATUSES, TrialStatus


@dataclass(frozen=True)
class ReviewDue:
    """One trial with a review to do, and which (views.review_digest shapes it)."""

    trial: Trial
    checkpoints: Sequence[Checkpoint]
    review_date_due: bool


async def reviews_due(session: AsyncSession, *, today: date) -> dict[uuid.UUID, list[ReviewDue]]:
    """Every council's trials with a review due on or before `today`, by council."""
    trials = (
        await session.exec(
            select(Trial)
            .where(col(Trial.status).in_([s.value for s in OPEN_STATUSES]))
            .order_by(col(Trial.council_id), col(Trial.created_at))
        )
    ).all()
    if not trials:
        return {}
    running = {t.id for t in trials if t.status in (TrialStatus.running, TrialStatus.evaluating)}
    checkpoints = (
        await session.exec(
            select(Checkpoint)
            .where(
                col(Checkpoint.trial_id).in_(running),
                col(Checkpoint.reviewed_at).is_(None),
                col(Checkpoint.due_on) <= today,
            )
            .order_by(col(Checkpoint.due_on))
        )
    ).all()
    due: dict[uuid.UUID, list[ReviewDue]] = {}
    for trial in trials:
        mine = [c for c in checkpoints if c.trial_id == trial.id]
        review_date_due = trial.review_date is not None and trial.review_date <= today
        if mine or review_date_due:
            due.setdefault(trial.council_id, []).append(ReviewDue(trial, mine, review_date_due))
    return due
