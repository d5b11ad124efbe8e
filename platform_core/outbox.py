"""Transactional outbox and idempotent inbox: a change in one service reaches another exactly once.

The producer writes an event row (one per destination) in the same transaction as the change it
describes, so the event exists if and only if the change was committed. A relay in the producer's
process delivers pending rows over HTTP with the service credential, retrying with back-off until
the destination answers 2xx: a crash or an unreachable destination delays an event, never loses it.
Delivery is at-least-once, so each consumer records the event id in its inbox in the same
transaction as the effect, and a repeat is a no-op: together, the effect happens exactly once.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import JSON, Column, Index, String
from sqlmodel import Field, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_core.clock import utcnow
from platform_core.db import CommonTable, UTCDateTime
from platform_core.state import PLATFORM, AppState

log = logging.getLogger("platform.outbox")

MAX_BACKOFF_SECONDS = 300


class OutboxEvent(CommonTable, table=True):
    """One event for one destination, waiting to be delivered (or delivered). A part that publishes
    attaches it to its own metadata (`platform_core.db.attach`)."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_pending", "delivered_at", "next_attempt_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    event_id: uuid.UUID = Field(index=True)
    topic: str = Field(sa_column=Column(String(100), nullable=False))
    destination: str = Field(sa_column=Column(String(100), nullable=False))
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(String(500)))


def record(
    session: AsyncSession,
    *,
    topic: str,
    payload: dict[str, Any],
    destinations: list[str],
    event_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Add an event to the outbox, in the caller's transaction. Returns the event id."""
    event_id = event_id or uuid.uuid4()
    body = {"event_id": str(event_id), "topic": topic, "occurred_at": utcnow().isoformat(), **payload}
    for destination in destinations:
        session.add(OutboxEvent(event_id=event_id, topic=topic, destination=destination, payload=body))
    return event_id


Deliver = Callable[[OutboxEvent], Awaitable[None]]


class OutboxRelay:
    """Delivers pending outbox rows. `deliver` raises on failure; the row is retried with back-off."""

    def __init__(self, sessionmaker, deliver: Deliver, *, interval: float = 0.5, batch: int = 50) -> None:
        self._sessionmaker = sessionmaker
        self._deliver = deliver
        self._interval = interval
        self._batch = batch
        self._task: asyncio.Task | None = None
        self._wake = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    def poke(self) -> None:
        """Deliver soon (called after a commit that added events)."""
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        while True:
            try:
                delivered = await self.deliver_pending()
            except Exception:
                log.exception("outbox relay pass failed")
                delivered = 0
            if delivered == 0:
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self._interval)
                except TimeoutError:
                    pass
                self._wake.clear()

    async def deliver_pending(self) -> int:
        """One pass: deliver what is due. Returns how many rows were delivered."""
        async with self._sessionmaker() as session:
            query = (
                select(OutboxEvent)
                .where(col(OutboxEvent.delivered_at).is_(None), col(OutboxEvent.next_attempt_at) <= utcnow())
                .order_by(col(OutboxEvent.created_at))
                .limit(self._batch)
            )
            if session.bind.dialect.name == "postgresql":
                # Several replicas may relay at once; each row goes to one of them.
                query = query.with_for_update(skip_locked=True)
            rows = list((await session.exec(query)).all())
            if session.bind.dialect.name == "sqlite":
                # SQLite's transactions take the database's one write lock at BEGIN (platform_core.db):
                # held across the deliveries it would stall every request of this part for as long
                # as a receiver takes, and deadlock a receiver that asks this part back (the ideas
                # service confirms a published outcome with follow-up). So the rows are read, the
                # lock let go, and the outcome written in a second transaction. Two relays (workers)
                # may then send one event twice, which the receivers' inboxes make harmless.
                await session.commit()
            delivered = 0
            for row in rows:
                try:
                    await self._deliver(row)
                    row.delivered_at = utcnow()
                    row.last_error = None
                    delivered += 1
                except Exception as exc:
                    row.attempts += 1
                    backoff = min(MAX_BACKOFF_SECONDS, 2 ** min(row.attempts - 1, 9))
                    row.next_attempt_at = utcnow() + timedelta(seconds=backoff)
                    row.last_error = f"{type(exc).__name__}: {exc}"[:500]
                    log.warning(
                        "outbox delivery failed; will retry",
                        extra={
                            "event_id": str(row.event_id),
                            "topic": row.topic,
                            "destination": row.destination,
                            "attempts": row.attempts,
                            "retry_in_s": backoff,
                            "error": row.last_error,
                        },
                    )
                session.add(row)
            await session.commit()
            return delivered


async def send(
    client: httpx.AsyncClient,
    credential: Any,
    method: str,
    url: str,
    *,
    destination: str,
    json: dict[str, Any] | None = None,
) -> Any:
    """One call of a delivery, with the part's service credential: the answer's JSON when it is 2xx,
    otherwise an error, so the relay keeps the row and retries it with back-off."""
    response = await client.request(method, url, json=json, headers=await credential.headers())
    if response.status_code >= 300:
        raise RuntimeError(f"{destination} answered {response.status_code}: {response.text[:300]}")
    return response.json() if response.content else None


MakeDeliver = Callable[[httpx.AsyncClient, Any, Any], Deliver]


@dataclass
class RunningRelay:
    """A part's relay and its HTTP client, from start-up to shut-down (typed state, see state.py)."""

    client: httpx.AsyncClient
    relay: OutboxRelay | None  # None while no service credential is configured


RELAY = AppState[RunningRelay]("outbox_relay")


async def start_relay(app: Any, make_deliver: MakeDeliver) -> RunningRelay:
    """Start the part's relay (from its start-up hook) with the part's own service credential."""
    from platform_core.service_auth import ServiceCredential

    platform = PLATFORM.of_app(app)
    settings = platform.settings
    client = httpx.AsyncClient(timeout=10.0, trust_env=False)
    credential = ServiceCredential(settings.gateway_url, settings.service_api_key, client)
    running = RELAY.put(app, RunningRelay(client=client, relay=None))
    if not credential.configured:
        log.warning(
            "no service API key is set: events wait in the outbox until one is (python -m gateway create-service-key)"
        )
        return running
    running.relay = OutboxRelay(platform.sessionmaker, make_deliver(client, credential, settings))
    running.relay.start()
    return running


async def stop_relay(app: Any) -> None:
    """Stop the relay `start_relay` started, if it did."""
    running = getattr(app.state, RELAY.name, None)
    if running is None:
        return
    if running.relay is not None:
        await running.relay.stop()
    await running.client.aclose()
