"""The daily digest of trial reviews due or overdue: once a day, for each council with any, follow-up
tells the gateway (which owns people and mail) through its outbox; the gateway mails it to that
council's managers who have not turned hack-day news off (gateway/routes/review_digest.py).

Once per council per day, however often this runs and however many replicas run it: the event's id
is derived from the council and the day, so a second run that day finds the event already recorded
and records nothing, and the gateway's inbox keeps the id, so a repeated delivery mails nobody twice.
The day is UTC; the digest is made at the first check at or after `review_digest_hour`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from followup.domain.reviews_due import ReviewDue, reviews_due
from followup.settings import Settings
from platform_core import outbox
from platform_core.clock import utcnow
from platform_core.outbox import OutboxEvent

log = logging.getLogger("followup.review_digest")
TOPIC = "trial_reviews.due"
DESTINATION = "gateway"
# The gateway's internal route the relay delivers the digest to.
GATEWAY_PATH = "/api/gateway/internal/trial-reviews-due"
# Event ids of digests: uuid5 of the council and the day in this namespace (fixed: changing it would
# send a second digest on the day it changed).
NAMESPACE = uuid.UUID("6f1d3c2a-58c4-4a55-9a0e-1b7e3d0c2f91")
# A digest names at most this many trials (the oldest first); the rest are counted.
MOST_TRIALS = 100


def event_id(council_id: uuid.UUID, day: date) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{council_id}:{day.isoformat()}")


def _trial(item: ReviewDue) -> dict[str, Any]:
    trial = item.trial
    return {
        "trial_id": str(trial.id),
        "title": trial.idea_title,
        "status": trial.status,
        "review_date": trial.review_date.isoformat() if trial.review_date and item.review_date_due else None,
        "checkpoints": [{"label": c.label, "due_on": c.due_on.isoformat()} for c in item.checkpoints],
    }


async def record_digests(session: AsyncSession, *, today: date) -> int:
    """Record today's digest for each council with reviews due or overdue, unless already recorded;
    answers how many were recorded now."""
    recorded = 0
    for council_id, items in (await reviews_due(session, today=today)).items():
        this = event_id(council_id, today)
        if (await session.exec(select(OutboxEvent.id).where(col(OutboxEvent.event_id) == this))).first():
            continue  # already told today
        outbox.record(
            session,
            topic=TOPIC,
            destinations=[DESTINATION],
            event_id=this,
            payload={
                "council_id": str(council_id),
                "council_name": items[0].trial.council_name,
                "day": today.isoformat(),
                "total": len(items),
                "trials": [_trial(item) for item in items[:MOST_TRIALS]],
            },
        )
        recorded += 1
    return recorded


@dataclass
class DigestSchedule:
    """The check that makes the day's digests, from start-up to shut-down (state.py)."""

    task: asyncio.Task[None] | None = None


def start_schedule(sessionmaker: async_sessionmaker[Any], settings: Settings) -> DigestSchedule:
    """Started in the lifespan; with a check interval of 0 no digest is made."""
    schedule = DigestSchedule()
    if settings.review_digest_check_seconds > 0:
        schedule.task = asyncio.create_task(_run(sessionmaker, settings))
    return schedule


async def _run(sessionmaker: async_sessionmaker[Any], settings: Settings) -> None:
    while True:
        await asyncio.sleep(settings.review_digest_check_seconds)
        now = utcnow()
        if now.hour < settings.review_digest_hour:
            continue
        try:
            async with sessionmaker() as session:
                if await record_digests(session, today=now.date()):
                    await session.commit()
        except Exception:
            log.exception("making the day's trial review digests failed; tried again at the next check")


async def stop_schedule(schedule: DigestSchedule) -> None:
    if schedule.task is not None:
        schedule.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await schedule.task
