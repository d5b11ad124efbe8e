"""Chains committed ballot events into their round's audit chain, soon after each cast.

One pass per round at a time in this process: casts that commit while a pass waits or runs mark the
round dirty and another pass runs after the same wait, so a burst of ballots is chained in a few
batches, not one by one.
Passes in other processes (replicas) queue on the round's chaining lock. Nothing is lost if a pass
fails or the process stops: the events stay pending, and the next pass, a read of the audit log or
the round's close chains them.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from voting.domain import audit

log = logging.getLogger("voting.chaining")
# A pass costs a few statements whatever it chains, so passes wait to gather the ballots of a busy
# moment: at 1,000 ballots a second a 10 ms wait cost about a tenth of the service's CPU in passes,
# a 100 ms wait a hundredth. Every pass waits, not only a burst's first: passes run back to back
# gathered a handful of ballots each and cost a tenth to a seventh of the service's CPU (py-spy,
# 2026-12-03). A pass costs a few milliseconds, so at 250 ms they cost a percent or two of one core.
# Nobody waits for it: reading the log or closing the round chains first.
BATCH_WAIT_SECONDS = 0.25


class Chainer:
    """Chains each round's committed ballot events soon after its casts, one pass per round at a time."""

    def __init__(self, sessionmaker, audit_key: str) -> None:
        self._sessionmaker = sessionmaker
        self._key = audit_key
        self._dirty: dict[uuid.UUID, bool] = {}
        self._tasks: set[asyncio.Task] = set()

    def soon(self, round_id: uuid.UUID) -> None:
        """Chain the round's pending events in the background (call it once they are committed)."""
        if round_id in self._dirty:
            self._dirty[round_id] = True
            return
        self._dirty[round_id] = False
        task = asyncio.create_task(self._run(round_id), name=f"chain-{round_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, round_id: uuid.UUID) -> None:
        try:
            while True:
                # Before every pass, the next ones too: a pass takes a few milliseconds, so passes run
                # back to back during a burst gathered only the handful of ballots cast meanwhile.
                await asyncio.sleep(BATCH_WAIT_SECONDS)
                await self.chain_now(round_id)
                if not self._dirty.get(round_id):
                    return
                self._dirty[round_id] = False
        finally:
            self._dirty.pop(round_id, None)

    async def chain_now(self, round_id: uuid.UUID) -> int:
        try:
            async with self._sessionmaker() as session:
                chained = await audit.chain_round(session, self._key, round_id)
                await session.commit()
                return chained
        except Exception as exc:
            log.warning(
                "chaining the audit log of round %s failed (%s); it will be retried", round_id, type(exc).__name__
            )
            return 0

    async def drain(self) -> None:
        """Wait for the passes in flight (at shutdown)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
