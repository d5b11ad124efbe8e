"""The idempotent inbox: a consumer acts on each event id once, however often it is delivered.

The one inbox table of the platform: a part that consumes events attaches `InboxEvent` to its own
metadata (`platform_core.db.attach`) and calls `accept_once` in the transaction of the effect.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, String
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_core.clock import utcnow
from platform_core.db import CommonTable, UTCDateTime


class InboxEvent(CommonTable, table=True):
    """An event this service has already acted on (its id is the primary key)."""

    __tablename__ = "inbox_events"

    event_id: uuid.UUID = Field(primary_key=True)
    topic: str = Field(sa_column=Column(String(100), nullable=False))
    received_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


async def accept_once(session: AsyncSession, *, event_id: uuid.UUID, topic: str) -> bool:
    """True the first time this event id is seen (and records it, in the caller's transaction);
    False for a repeat, whose effect has already happened."""
    if await session.get(InboxEvent, event_id) is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(InboxEvent(event_id=event_id, topic=topic))
            await session.flush()
    except IntegrityError:
        return False  # a concurrent delivery of the same event won the race
    return True
