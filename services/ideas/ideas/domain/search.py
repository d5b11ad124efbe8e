"""Keeps the in-memory similar-idea index in step with the database.

The engine (`ideas.similarity`) is a pure in-process index. This adapter decides what goes in it:
only ideas that are neither hidden nor withdrawn are searchable. It is filled at start-up, changed
only after a transaction commits (so a rolled-back edit never leaks into search), and it catches up
every few seconds with ideas changed by other replicas of the service.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from datetime import datetime, timedelta

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from ideas.models import Idea, utcnow
from ideas.similarity import SimilarityIndex, idea_text
from ideas.vocabulary import OUT_OF_PLAY

log = logging.getLogger("ideas.search")

# Each catch-up reads again the rows changed this long before the previous one started, so that a
# transaction committing a little late (or a replica's clock a little behind) is not missed.
# Versions already indexed are skipped, so reading a row twice costs nothing.
_OVERLAP = timedelta(seconds=5)
_PENDING = "ideas_index_pending"


def searchable(status: str) -> bool:
    return status not in OUT_OF_PLAY


class IdeaIndex:
    def __init__(self) -> None:
        self._index = SimilarityIndex()
        self._version: dict[uuid.UUID, int] = {}  # what the index holds of each idea
        self._watermark: datetime | None = None
        # True once every idea in the database has been read in (the first catch-up finished).
        self.built = False

    def __len__(self) -> int:
        return len(self._index)

    def put(self, idea_id: uuid.UUID, version: int, title: str, problem: str, proposal: str, status: str) -> bool:
        """Bring the index up to this version of the idea; False if it already was."""
        if self._version.get(idea_id) == version:
            return False  # already applied (after its commit, or by an earlier catch-up)
        if searchable(status):
            self._index.upsert(idea_id, idea_text(title, problem, proposal))
        else:
            self._index.remove(idea_id)
        self._version[idea_id] = version
        return True

    def search(self, text: str, limit: int) -> list[tuple[uuid.UUID, float]]:
        return self._index.search(text, limit=limit)

    async def catch_up(self, engine: AsyncEngine) -> int:
        """Apply every idea changed since the last catch-up (all of them the first time); returns
        how many changed the index."""
        started = utcnow()
        query = select(Idea.id, Idea.version, Idea.title, Idea.problem, Idea.proposal, Idea.status)
        if self._watermark is not None:
            query = query.where(Idea.updated_at >= self._watermark - _OVERLAP)
        applied = 0
        async with engine.connect() as conn:
            result = await conn.stream(query.execution_options(yield_per=2000))
            async for rows in result.partitions():
                for row in rows:
                    applied += self.put(*row)
                # Let requests in between batches while a large index is being built.
                await asyncio.sleep(0)
        self._watermark = started
        self.built = True
        return applied


def index_after_commit(session: AsyncSession, index: IdeaIndex, idea: Idea) -> None:
    """Queue `idea` for the index; it is applied once the request's transaction commits."""
    pending: dict[uuid.UUID, tuple] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = {}

        def _apply(_session) -> None:
            for args in session.info.pop(_PENDING, {}).values():
                try:
                    index.put(*args)
                except Exception:
                    log.exception("could not index idea %s", args[0])

        def _forget(_session) -> None:
            session.info.pop(_PENDING, None)

        # A session lives for one request, so each listener fires at most once.
        event.listen(session.sync_session, "after_commit", _apply, once=True)
        event.listen(session.sync_session, "after_rollback", _forget, once=True)
    pending[idea.id] = (idea.id, idea.version, idea.title, idea.problem, idea.proposal, idea.status)


async def keep_in_step(index: IdeaIndex, engine: AsyncEngine, every_seconds: float) -> None:
    """Background task: build the index, then catch up with other replicas' changes, forever.

    The first build runs while the service already answers (at 100,000 ideas it takes 16-32 s here):
    /healthz says the process is alive, /readyz says "building" until it is done, and a search
    meanwhile is a 503 to retry, never an answer from half an index. A build that fails (say, the
    database is not migrated yet) is tried again every `every_seconds`.
    """
    started = time.monotonic()
    while True:
        try:
            first = not index.built
            count = await index.catch_up(engine)
            if first:
                log.info(
                    "similar-idea index built",
                    extra={"indexed": len(index), "ideas": count, "seconds": round(time.monotonic() - started, 1)},
                )
            elif count:
                log.info("similar-idea index caught up", extra={"ideas": count, "indexed": len(index)})
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("similar-idea index could not catch up: %s", exc)
        await asyncio.sleep(every_seconds)
