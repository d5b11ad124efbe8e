"""Upkeep every part with a database runs in the background: outbox gauges and the idempotency sweep.

Every `housekeeping_interval_seconds` (15) the part reads its outbox once and sets what operators
watch (docs/operations.md, deploy/prometheus/alerts.yml):

- `outbox_pending_events`: events written but not yet delivered;
- `outbox_oldest_pending_age_seconds`: how long the oldest of them has waited (0 when none);
- `outbox_dead_letters`: undelivered events that have failed `DEAD_LETTER_ATTEMPTS` times or more.
  The relay keeps retrying them (every five minutes at most), but by then a person must look: the
  destination refuses them or is gone;
- `housekeeping_last_success_timestamp_seconds`: when this last worked (a stuck loop shows).

It also deletes idempotency records older than `idempotency_window_seconds` (24 hours): a retry within
the window replays the first answer; after it (and the next sweep, within a quarter of the window, ten
minutes at most) the same key makes a new object. Every replica may do both; the work is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Any

from prometheus_client import Counter, Gauge
from sqlalchemy import case, delete, func, inspect, select
from sqlmodel import col

from platform_core.clock import utcnow
from platform_core.idempotency import IdempotentRequest
from platform_core.outbox import OutboxEvent

log = logging.getLogger("platform.housekeeping")

DEAD_LETTER_ATTEMPTS = 10  # with the relay's back-off (1 s doubling to 5 min), about 17 minutes of failures
MAX_SWEEP_SECONDS = 600

OUTBOX_PENDING = Gauge(
    "outbox_pending_events", "Events written but not yet delivered", ["part"], multiprocess_mode="livemax"
)
OUTBOX_OLDEST_AGE = Gauge(
    "outbox_oldest_pending_age_seconds",
    "How long the oldest undelivered event has waited (0 when none waits)",
    ["part"],
    multiprocess_mode="livemax",
)
OUTBOX_DEAD_LETTERS = Gauge(
    "outbox_dead_letters",
    f"Undelivered events that have failed {DEAD_LETTER_ATTEMPTS} times or more",
    ["part"],
    multiprocess_mode="livemax",
)
IDEMPOTENCY_SWEPT = Counter(
    "idempotency_records_swept_total", "Idempotency records deleted after their window", ["part"]
)
LAST_SUCCESS = Gauge(
    "housekeeping_last_success_timestamp_seconds",
    "When the part's housekeeping last completed (Unix time)",
    ["part"],
    multiprocess_mode="livemax",
)


class Housekeeping:
    """One part's upkeep loop; `start` from the part's start-up, `stop` at shut-down."""

    def __init__(self, part: str, sessionmaker: Any, *, interval: float, idempotency_window: float) -> None:
        self.part = part
        self._sessionmaker = sessionmaker
        self._interval = interval
        self._window = timedelta(seconds=idempotency_window)
        self._sweep_every = min(MAX_SWEEP_SECONDS, idempotency_window / 4)
        self._next_sweep = 0.0
        self._tables: set[str] = set()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        # The tables are read in the loop, not here: a database away at start-up must not stop the
        # process from starting (it answers /healthz and says "not ready" until the database is back).
        self._task = asyncio.create_task(self._run(), name="housekeeping")

    async def _read_tables(self) -> None:
        async with self._sessionmaker() as session:
            connection = await session.connection()
            self._tables = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        if OutboxEvent.__tablename__ in self._tables:
            # Zero until the first pass, rather than absent: an alert on "absent" would fire at start.
            for gauge in (OUTBOX_PENDING, OUTBOX_OLDEST_AGE, OUTBOX_DEAD_LETTERS):
                gauge.labels(self.part).set(0)

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
                if not self._tables:
                    await self._read_tables()
                await self.once()
            except Exception:
                log.exception("housekeeping pass failed; trying again later")
            await asyncio.sleep(self._interval)

    async def once(self) -> None:
        """One pass: the outbox gauges, and the idempotency sweep when it is due."""
        async with self._sessionmaker() as session:
            if OutboxEvent.__tablename__ in self._tables:
                await self._measure_outbox(session)
            if IdempotentRequest.__tablename__ in self._tables and time.monotonic() >= self._next_sweep:
                await self._sweep_idempotency(session)
                self._next_sweep = time.monotonic() + self._sweep_every
        LAST_SUCCESS.labels(self.part).set(time.time())

    async def _measure_outbox(self, session: Any) -> None:
        pending = col(OutboxEvent.delivered_at).is_(None)
        dead = case((col(OutboxEvent.attempts) >= DEAD_LETTER_ATTEMPTS, 1), else_=0)
        count, oldest, dead_letters = (
            await session.execute(
                select(func.count(), func.min(OutboxEvent.created_at), func.coalesce(func.sum(dead), 0)).where(pending)
            )
        ).one()
        OUTBOX_PENDING.labels(self.part).set(count)
        if oldest is not None and oldest.tzinfo is None:  # SQLite keeps no zone; every time stored is UTC
            oldest = oldest.replace(tzinfo=utcnow().tzinfo)
        OUTBOX_OLDEST_AGE.labels(self.part).set(
            max(0.0, (utcnow() - oldest).total_seconds()) if oldest is not None else 0
        )
        OUTBOX_DEAD_LETTERS.labels(self.part).set(dead_letters)

    async def _sweep_idempotency(self, session: Any) -> None:
        cutoff = utcnow() - self._window
        result = await session.execute(delete(IdempotentRequest).where(col(IdempotentRequest.created_at) < cutoff))
        await session.commit()
        if result.rowcount:
            IDEMPOTENCY_SWEPT.labels(self.part).inc(result.rowcount)
            log.info("idempotency records swept", extra={"swept": result.rowcount, "older_than": cutoff.isoformat()})
