"""Hack-day news by email: "voting is open" and "the results are published", sent to the staff of the
round's council who have not turned such mail off.

The voting service tells the gateway (which owns people and the mail outbox) through its outbox: one
event per opened round and per published result, delivered at least once to the internal route below,
which only the voting service's credential may call. The inbox keeps each event id, so a delivery
repeated after a crash queues nothing twice; the mail itself goes through the gateway's outbox
(gateway/mail.py), once per person.

News is non-essential: each person can turn it off (`PUT /api/auth/mail-preferences`). Mail about
one's own account (invitations, password resets) is essential and always sent.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel
from pydantic import Field as PField

from gateway.deps import StateDep
from gateway.domain.news_readers import news_readers
from gateway.models import Council
from platform_core.auth import Principal
from platform_core.db import SessionDep
from platform_core.inbox import accept_once
from platform_core.problems import responses
from platform_core.service_auth import only_from

# The edge lets this exact path through (edge.OWN_INTERNAL), to the voting service's credential only.
PATH = "/api/gateway/internal/hack-day-news"
ROUND_OPENED = "round.opened"
RESULT_PUBLISHED = "round.result_published"

router = APIRouter(tags=["internal"])
FromVoting = Annotated[Principal, Depends(only_from("voting"))]


class SelectedIdea(BaseModel):
    title: str = PField(default="", max_length=500)
    rank: int | None = None


class HackDayNews(BaseModel):
    """The voting service's event (fields it does not use are ignored, so a newer producer is never refused)."""

    event_id: uuid.UUID
    topic: Literal["round.opened", "round.result_published"]
    council_id: uuid.UUID
    round_id: uuid.UUID
    hack_day_id: uuid.UUID | None = None
    title: str = PField(max_length=500)
    closes_at: datetime | None = None
    selected: list[SelectedIdea] = PField(default_factory=list, max_length=1000)


@router.post(PATH, status_code=204, include_in_schema=False, responses=responses(401, 403, 422))
async def hack_day_news(body: HackDayNews, session: SessionDep, state: StateDep, _: FromVoting) -> Response:
    if not await accept_once(session, event_id=body.event_id, topic=body.topic):
        return Response(status_code=204)  # already told
    council = await session.get(Council, body.council_id)
    if state.mailer is None or council is None:
        return Response(status_code=204)  # the platform sends no mail (or the council is gone): nothing to do
    people = await news_readers(session, body.council_id)
    for person in people:
        if body.topic == ROUND_OPENED:
            state.mailer.voting_open(
                session,
                to=person.email,
                name=person.name,
                council=council.name,
                title=body.title,
                closes_at=body.closes_at,
            )
        else:
            state.mailer.results_published(
                session,
                to=person.email,
                name=person.name,
                council=council.name,
                title=body.title,
                selected=[s.title for s in body.selected if s.title],
            )
    return Response(status_code=204)
