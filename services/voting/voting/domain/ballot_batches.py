"""Voters' first ballots, written in batches: one transaction per batch (a group commit).

Why: at the end of a hack day a few hundred staff vote within minutes, and almost every ballot is
a voter's first. Through the ORM session, one transaction each, that write took six round trips on
PostgreSQL (pre-ping, BEGIN, the statement, COMMIT) and most of the voting service's time per
ballot; one statement per ballot on the driver still cost PostgreSQL about 0.3 ms of CPU per
ballot, most of it the transaction and its commit; on SQLite every cast queued for the one write
lock. So the first ballots of a round that arrive while one batch is being written wait, checked
and ready, and go together in the next transaction. A quiet round's ballot is written at once,
alone; a busy round's ballots wait for at most one batch in flight before theirs.

What a first ballot writes: its voter row holding the ballot sealed (receipts.py), its sealed
answer for retries (when the caller sent an Idempotency-Key) and its commitment for the audit
chain. Nothing in the clear: the counted ballots are written when the round closes.

PostgreSQL (`postgres_writer`): one autocommitted statement per batch on a plain asyncpg pool. The
statement locks the round row FOR KEY SHARE (casts never wait for each other; closing or
editing the round, FOR UPDATE, waits for casts in flight and they for it) and, for each ballot of
the batch, writes only if the round takes ballots (OPEN_FOR_BALLOTS_SQL, the SQL twin of
ballots.ballots_refused) at the version of the rules the ballot was checked against, and only if
its voter row is new. (Data-modifying WITH queries all run, in order of their data dependencies,
so nothing is written unless the round row was locked and open and the voter row inserted.) It is
one transaction: a ballot is saved, and its voter answered 201, only once the whole batch has
committed.

SQLite (`sqlite_writer`): the same checks (ballots_refused itself) and writes as a handful of
statements in one transaction, which holds SQLite's write lock from its BEGIN (so nothing changes
the round meanwhile).

A ballot that is not written goes on in ballots.py (BallotBox, the one entry point), in a
transaction of its own: a voter with a ballot already (a replacement, or a retry of a first
ballot, which then finds its sealed answer), or a round edited since this process cached it.
Two casts of one voter in the same batch, or racing in two batches, meet at the voter row's
unique index: one is written, the other goes on in ballots.py. If a batch fails for a reason of
one ballot's own, each of its ballots is tried alone, so that one bad ballot never costs the
others theirs.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from platform_core.auth import Principal
from platform_core.clock import utcnow
from platform_core.db import driver_unavailable
from platform_core.problems import Problem
from voting.domain import audit
from voting.domain.ballots import (
    OPEN_FOR_BALLOTS_SQL,
    RETRIES,
    ROUNDS,
    VOTERS,
    CastAnswer,
    PreparedBallot,
    RoundConfig,
    ballots_refused,
    check_choices,
    check_voter,
    database_unavailable,
    prepare,
    refuse_unless_open,
    sanitised,
    write_failed,
)

MAX_BATCH = 100

FIRST_BALLOTS = (
    """
WITH r AS (
    SELECT phase, opens_at, closes_at, version FROM rounds WHERE id = $1::uuid FOR KEY SHARE
), batch AS (
    SELECT * FROM unnest($3::integer[], $4::integer[], $5::uuid[], $6::uuid[], $7::text[], $8::varchar[],
                         $9::text[], $10::text[])
        AS b(i, version, voter_row_id, voter_id, sealed_ballot, retry_id, sealed_answer, events)
), open_batch AS (
    SELECT batch.* FROM batch, r
    WHERE r.version = batch.version AND """
    + OPEN_FOR_BALLOTS_SQL
    + """
), voter AS (
    INSERT INTO ballot_voters (id, round_id, voter_id, sealed)
    SELECT voter_row_id, $1::uuid, voter_id, sealed_ballot FROM open_batch ORDER BY voter_id, i
    ON CONFLICT (round_id, voter_id) DO NOTHING
    RETURNING id
), written AS (
    SELECT open_batch.* FROM open_batch JOIN voter ON voter.id = open_batch.voter_row_id
), retry AS (
    INSERT INTO ballot_retries (id, round_id, sealed)
    SELECT retry_id, $1::uuid, sealed_answer FROM written WHERE retry_id IS NOT NULL
), pending AS (
    INSERT INTO audit_pending (round_id, events) SELECT $1::uuid, events FROM written ORDER BY i
)
SELECT batch.i, r.phase, r.opens_at, r.closes_at, $2::timestamptz AS now,
       batch.i IN (SELECT i FROM open_batch) AS open_now,
       batch.i IN (SELECT i FROM written) AS written
FROM batch CROSS JOIN r
"""
)


@dataclass
class _Waiting:
    """A checked first ballot waiting for its batch, and the future its cast awaits."""

    ballot: PreparedBallot
    voter_id: uuid.UUID
    version: int
    events: str
    done: asyncio.Future = field(repr=False)


# Writes one batch of one round: (round id, now, the batch) -> for each ballot of the batch, in order,
# the round's phase and window as locked, whether the round was open for it and whether it was written;
# None for every ballot if there is no such round.
BatchWriter = Callable[[uuid.UUID, datetime, list["_Waiting"]], Awaitable[list[dict] | None]]


class FirstBallots:
    """Writes first ballots in batches, one batch per round in flight at a time in this process."""

    def __init__(self, write: BatchWriter) -> None:
        self._write = write
        self._waiting: dict[uuid.UUID, list[_Waiting]] = {}
        self._writers: dict[uuid.UUID, asyncio.Task] = {}

    async def cast(
        self,
        *,
        ballot_secret: str,
        config: RoundConfig,
        voter: Principal,
        choices: dict,
        idempotency_key: str | None,
    ) -> CastAnswer | None:
        """The cast's answer if this was the voter's first ballot; None if it must go on in ballots.py
        (nothing was written then). Raises Problem for a ballot or round that refuses it."""
        check_voter(config, voter)
        check_choices(config, voter, choices)
        b = prepare(ballot_secret, config, voter, choices, idempotency_key)
        waiting = _Waiting(
            b,
            voter.person_id,
            config.version,
            audit.pending_text([b.cast_event]),
            asyncio.get_running_loop().create_future(),
        )
        self._waiting.setdefault(config.id, []).append(waiting)
        if config.id not in self._writers:
            self._writers[config.id] = asyncio.create_task(self._write_round(config.id), name=f"ballots-{config.id}")
        row = await waiting.done
        if row is None:
            raise Problem(404, "There is no round with this id in your council.")
        if not row["open_now"]:
            # Not open or outside its window at the batch's clock: 409
            refuse_unless_open(row["phase"], row["opens_at"], row["closes_at"], row["now"])
            return None  # the version moved (or the window opened between the two clocks): check again
        if row["written"]:
            return CastAnswer(201, b.body, replayed=False)
        return None  # the voter has a ballot already: a retry or a replacement

    async def _write_round(self, round_id: uuid.UUID) -> None:
        # Until the round's queue is empty. No await between finding it empty and leaving, so a cast
        # never joins a queue that nobody will write.
        waiting: list[_Waiting] = []
        try:
            while waiting := self._waiting.pop(round_id, []):
                for start in range(0, len(waiting), MAX_BATCH):
                    await self._write_batch(round_id, waiting[start : start + MAX_BATCH])
        finally:
            del self._writers[round_id]
            # Only if this task itself failed or was cancelled: no cast is left waiting for ever.
            for w in waiting + self._waiting.pop(round_id, []):
                if not w.done.done():
                    w.done.set_exception(RuntimeError("ballot write failed: the batch writer stopped"))

    async def _write_batch(self, round_id: uuid.UUID, batch: list[_Waiting]) -> None:
        try:
            rows = await self._write(round_id, utcnow(), batch)
        except Exception as exc:
            if _ballots_own_fault(exc) and len(batch) > 1:
                for one in batch:  # one ballot's own fault: try each alone, so only that one fails
                    await self._write_batch(round_id, [one])
                return
            for w in batch:
                if not w.done.done():
                    w.done.set_exception(_failure(exc))
            return
        for i, w in enumerate(batch):
            if not w.done.done():
                w.done.set_result(rows[i] if rows is not None else None)  # None: there is no such round

    async def drain(self) -> None:
        """Wait for the batches in flight (at shutdown)."""
        if self._writers:
            await asyncio.gather(*list(self._writers.values()), return_exceptions=True)


def postgres_writer(pool: Any) -> BatchWriter:
    """A batch in one autocommitted statement (FIRST_BALLOTS) on a plain asyncpg pool."""

    async def write(round_id: uuid.UUID, now: datetime, batch: list[_Waiting]) -> list[dict] | None:
        async with pool.acquire() as conn:
            rows = await conn.fetch(FIRST_BALLOTS, round_id, now, *_columns(batch))
        if not rows:
            return None
        by_index = {row["i"]: dict(row) for row in rows}
        return [by_index[i] for i in range(len(batch))]

    return write


def _columns(batch: list[_Waiting]) -> list[list]:
    """The batch as the statement's arrays, $3 to $10, in the order of `batch` (i is the index)."""
    return [
        list(range(len(batch))),
        [w.version for w in batch],
        [w.ballot.voter_row["id"] for w in batch],
        [w.voter_id for w in batch],
        [w.ballot.voter_row["sealed"] for w in batch],
        [w.ballot.retry_id for w in batch],
        [w.ballot.sealed for w in batch],
        [w.events for w in batch],
    ]


_ROUND_NOW = select(ROUNDS.c.phase, ROUNDS.c.opens_at, ROUNDS.c.closes_at, ROUNDS.c.version).where(
    ROUNDS.c.id == bindparam("round_id")
)
_NEW_VOTERS = sqlite.insert(VOTERS).on_conflict_do_nothing(index_elements=["round_id", "voter_id"])


def sqlite_writer(engine: AsyncEngine) -> BatchWriter:
    """A batch in one transaction on SQLite, a handful of statements whatever its size.

    SQLite has one writer at a time: every transaction here takes the write lock at BEGIN IMMEDIATE
    (platform_core.db), so the round cannot change between reading it and writing the batch, and
    casts waiting for the lock wait once per batch rather than once per ballot.
    """

    async def write(round_id: uuid.UUID, now: datetime, batch: list[_Waiting]) -> list[dict] | None:
        async with engine.begin() as conn:
            r = (await conn.execute(_ROUND_NOW, {"round_id": round_id})).first()
            if r is None:
                return None
            open_now = ballots_refused(r.phase, r.opens_at, r.closes_at, now) is None
            checked = [w for w in batch if open_now and w.version == r.version]
            written: set[uuid.UUID] = set()
            if checked:
                ids = [w.ballot.voter_row["id"] for w in checked]
                await conn.execute(_NEW_VOTERS, [w.ballot.voter_row for w in checked])
                # Only the rows inserted by this batch carry its ids (a voter with a row already, or a
                # second cast of one voter in this batch, was ignored).
                written = set((await conn.execute(select(VOTERS.c.id).where(VOTERS.c.id.in_(ids)))).scalars())
                new = [w for w in checked if w.ballot.voter_row["id"] in written]
                if new:
                    retries = [
                        {"id": w.ballot.retry_id, "round_id": round_id, "sealed": w.ballot.sealed}
                        for w in new
                        if w.ballot.retry_id is not None
                    ]
                    if retries:
                        await conn.execute(insert(RETRIES), retries)
                    await conn.execute(insert(audit.PENDING), [{"round_id": round_id, "events": w.events} for w in new])
        locked = {"phase": r.phase, "opens_at": r.opens_at, "closes_at": r.closes_at, "now": now}
        return [
            {**locked, "open_now": open_now and w.version == r.version, "written": w.ballot.voter_row["id"] in written}
            for w in batch
        ]

    return write


def _ballots_own_fault(exc: BaseException) -> bool:
    """A failure that may be one ballot's own (a constraint, bad data), not the database's."""
    if isinstance(exc, DBAPIError):
        return not isinstance(sanitised(exc), Problem)
    return isinstance(exc, asyncpg.PostgresError) and not driver_unavailable(exc)


def _failure(exc: BaseException) -> Exception:
    if isinstance(exc, DBAPIError):
        return sanitised(exc)
    if driver_unavailable(exc):
        return database_unavailable()
    if isinstance(exc, asyncpg.PostgresError):
        return write_failed(exc)
    return RuntimeError(f"ballot write failed: {type(exc).__name__}")
