"""The daily digest of trial reviews due or overdue, mailed to a council's managers who have not turned
hack-day news off.

The follow-up service (which owns trials) makes one digest per council per day and tells the gateway
(which owns people and the mail outbox) through its outbox, delivered at least once to the internal
route below, which only the follow-up service's credential may call (followup/review_digest.py). The
inbox keeps each digest's id, which follow-up derives from the council and the day, so a repeated
delivery or a second run of its schedule that day mails nobody twice; the mail itself goes through
the gateway's outbox (gateway/mail.py), once per manager.

The digest is non-essential, like the rest of hack-day news: `PUT /api/auth/mail-preferences` turns it off.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel
from pydantic import Field as PField

from gateway.deps import StateDep
from gateway.domain.news_readers import news_readers
from gateway.mail import ReviewDue
from gateway.models import Council
from platform_core.auth import Principal
from platform_core.db import SessionDep
from platform_core.inbox import accept_once
from platform_core.problems import responses
from platform_core.service_auth import only_from

# The edge lets this exact path through (edge.OWN_INTERNAL), to the follow-up service's credential only.
PATH = "/api/gateway/internal/trial-reviews-due"
TOPIC = "trial_reviews.due"

router = APIRouter(tags=["internal"])
FromFollowup = Annotated[Principal, Depends(only_from("followup"))]


class CheckpointDue(BaseModel):
    label: str = PField(max_length=10)
    due_on: date


class TrialDue(BaseModel):
    trial_id: uuid.UUID
    title: str = PField(max_length=300)
    review_date: date | None = None
    checkpoints: list[CheckpointDue] = PField(default_factory=list, max_length=100)


class ReviewsDue(BaseModel):
    """Follow-up's event (fields it does not use are ignored, so a newer producer is never refused)."""

    event_id: uuid.UUID
    topic: Literal["trial_reviews.due"]
    council_id: uuid.UUID
    day: date
    total: int = PField(ge=0)
    trials: list[TrialDue] = PField(max_length=100)


@router.post(PATH, status_code=204, include_in_schema=False, responses=responses(401, 403, 422))
async def trial_reviews_due(body: ReviewsDue, session: SessionDep, state: StateDep, _: FromFollowup) -> Response:
    if not await accept_once(session, event_id=body.event_id, topic=TOPIC):
        return Response(status_code=204)  # this council's digest of that day has already gone
    council = await session.get(Council, body.council_id)
    if state.mailer is None or council is None or not body.trials:
        return Response(status_code=204)  # no mail is sent here (or the council is gone): nothing to do
    people = await news_readers(session, body.council_id)
    trials = [
        ReviewDue(
            trial_id=t.trial_id,
            title=t.title,
            review_date=t.review_date,
            checkpoints=[(c.label, c.due_on) for c in t.checkpoints],
        )
        for t in body.trials
    ]
    for manager in [p for p in people if "manager" in p.roles]:
        state.mailer.trial_reviews_due(
            session,
            to=manager.email,
            name=manager.name,
            council=council.name,
            day=body.day,
            trials=trials,
            total=body.total,
        )
    return Response(status_code=204)
