"""Keeps the in-memory similar-idea index in step with the database, and searches it for one caller.

The engine (`ideas.similarity`) is a pure in-process index. This adapter decides what goes in it:
only ideas that are neither hidden nor withdrawn are searchable. It is filled at start-up, changed
only after a transaction commits (so a rolled-back edit never leaks into search), and it catches up
every few seconds with ideas changed by other replicas of the service.

A caller's results depend only on text the caller may read (access.read_level). Another council's
unpublished idea shows only its title, service area and public summary, so it is found and scored on
its title and public summary alone; were it scored on its problem and proposal, someone trying drafts
and watching its score could learn what they say. So there are several engines, each built only from
text that everyone who searches it may read, its word statistics and typo vocabulary included:
- one per council, over the whole text of its unpublished ideas (read by its own people);
- one over the whole text of ideas whose outcome is published (read by everyone);
- one over the public text (title and public summary) of every idea, where each idea's group is
  its council (0 once published), so that a caller skips the ideas they may read whole.
Verdicts imported from other platforms (models.ImportedVerdict, published open data) go in the
engine of published ideas, so they are found and scored as this platform's own published outcomes.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlmodel
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ideas.models import Idea, ImportedVerdict
from ideas.similarity import SimilarityIndex, idea_text
from ideas.similarity.features import Analyser
from ideas.vocabulary import OUT_OF_PLAY
from platform_core.clock import utcnow
from platform_core.db import READ_ONLY

log = logging.getLogger("ideas.search")

# Each catch-up reads again the rows changed this long before the previous one started, so that a
# transaction committing a little late (or a replica's clock a little behind) is not missed.
# Versions already indexed are skipped, so reading a row twice costs nothing.
_OVERLAP = timedelta(seconds=5)
_PENDING = "ideas_index_pending"
_PUBLISHED = 0  # the public engine's group of ideas that every council may read whole

# What the index reads of an idea, in this order (see IdeaIndex.put).
# Any: the ORM's columns, used both in select() and for their `.key`.
COLUMNS: tuple[Any, ...] = (
    Idea.id,
    Idea.version,
    Idea.council_id,
    Idea.outcome_published_at,
    Idea.title,
    Idea.problem,
    Idea.proposal,
    Idea.public_summary,
    Idea.status,
)

# What the index reads of an imported verdict (see IdeaIndex.put_imported).
IMPORTED_COLUMNS: tuple[Any, ...] = (
    ImportedVerdict.id,
    ImportedVerdict.version,
    ImportedVerdict.title,
    ImportedVerdict.hypothesis,
    ImportedVerdict.summary,
    ImportedVerdict.withdrawn_at,
)


# What "similar ideas" reads first of each hit (a plain row, no ORM object): enough to say how much the
# caller may read of it and, for another council's unpublished idea (most hits), to show its summary.
GLANCE: tuple[Any, ...] = (
    Idea.id,
    Idea.status,
    Idea.council_id,
    Idea.outcome_published_at,
    Idea.title,
    Idea.public_summary,
    Idea.service_area,
    Idea.council_name,
)


async def glances(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """The GLANCE of each of these ideas that exists, by id. The database, not the index, is the judge of
    what is searchable: the index of another replica may lag by a few seconds."""
    return {row.id: row for row in (await session.exec(sqlmodel.select(*GLANCE).where(col(Idea.id).in_(ids)))).all()}


def searchable(status: str) -> bool:
    return status not in OUT_OF_PLAY


def whole_text(title: str, problem: str, proposal: str, public_summary: str | None) -> str:
    """What the idea's own council (and everyone, once published) is matched against."""
    return idea_text(title, problem, "\n".join(part for part in (public_summary, proposal) if part))


def public_text(title: str, public_summary: str | None) -> str:
    """What every other council may read of an unpublished idea, and so all it is matched on."""
    return idea_text(title, public_summary or "")


def imported_text(title: str, hypothesis: str, summary: str) -> str:
    """What an imported verdict is matched on: the idea it tried (its record has no problem or
    proposal; the trial's hypothesis says what the change was) and what came of it."""
    return idea_text(title, hypothesis, summary)


class IdeaIndex:
    def __init__(self) -> None:
        self._analyser = Analyser()  # stems and concepts only: shared, it holds no idea's text
        self._published = self._engine()
        self._public = self._engine()
        self._councils: dict[uuid.UUID, SimilarityIndex] = {}
        self._group: dict[uuid.UUID, int] = {}  # council -> its group in the public engine
        self._whole_in: dict[uuid.UUID, SimilarityIndex] = {}  # idea -> the engine of its whole text
        self._version: dict[uuid.UUID, int] = {}  # what the index holds of each idea
        self._watermark: datetime | None = None
        # True once every idea in the database has been read in (the first catch-up finished).
        self.built = False

    def _engine(self) -> SimilarityIndex:
        return SimilarityIndex(analyser=self._analyser)

    def _council_group(self, council_id: uuid.UUID) -> int:
        return self._group.setdefault(council_id, len(self._group) + 1)

    def __len__(self) -> int:
        return len(self._public)

    def put(
        self,
        idea_id: uuid.UUID,
        version: int,
        council_id: uuid.UUID,
        published_at: datetime | None,
        title: str,
        problem: str,
        proposal: str,
        public_summary: str | None,
        status: str,
    ) -> bool:
        """Bring the index up to this version of the idea; False if it already was."""
        if self._version.get(idea_id) == version:
            return False  # already applied (after its commit, or by an earlier catch-up)
        before = self._whole_in.pop(idea_id, None)
        if before is not None:
            before.remove(idea_id)
        if searchable(status):
            published = published_at is not None
            engine = self._published if published else self._councils.setdefault(council_id, self._engine())
            engine.upsert(idea_id, whole_text(title, problem, proposal, public_summary))
            self._whole_in[idea_id] = engine
            group = _PUBLISHED if published else self._council_group(council_id)
            self._public.upsert(idea_id, public_text(title, public_summary), group=group)
        else:
            self._public.remove(idea_id)
        self._version[idea_id] = version
        return True

    def put_imported(
        self,
        entry_id: uuid.UUID,
        version: int,
        title: str,
        hypothesis: str,
        summary: str,
        withdrawn_at: datetime | None,
    ) -> bool:
        """Bring the index up to this version of an imported verdict; False if it already was."""
        if self._version.get(entry_id) == version:
            return False
        if withdrawn_at is None:
            self._published.upsert(entry_id, imported_text(title, hypothesis, summary))
        else:
            self._published.remove(entry_id)
        self._version[entry_id] = version
        return True

    def search(
        self,
        text: str,
        limit: int,
        *,
        council_id: uuid.UUID | None,
        reads_everything: bool = False,
        exclude: tuple[uuid.UUID, ...] = (),
    ) -> list[tuple[uuid.UUID, float]]:
        """The ideas most like `text` for a caller of `council_id`, best first, as (id, score).

        Ideas the caller may read whole are scored on their whole text; the others on their public
        text alone. `reads_everything` (admins, the service credential): every idea on its whole text.
        """
        if reads_everything:
            engines = [self._published, *self._councils.values()]
        else:
            own = self._councils.get(council_id) if council_id is not None else None
            engines = [self._published] + ([own] if own is not None else [])
        hits = [hit for engine in engines for hit in engine.search(text, limit, exclude=exclude)]
        if not reads_everything:
            skip = [_PUBLISHED] + ([self._group[council_id]] if council_id in self._group else [])
            hits += self._public.search(text, limit, exclude=exclude, skip_groups=skip)
        hits.sort(key=lambda hit: -hit[1])  # stable: each engine's order among equal scores stays
        return hits[:limit]

    async def catch_up(self, engine: AsyncEngine) -> int:
        """Apply every idea changed since the last catch-up (all of them the first time); returns
        how many changed the index."""
        started = utcnow()
        ideas, imported = select(*COLUMNS), select(*IMPORTED_COLUMNS)
        if self._watermark is not None:
            ideas = ideas.where(col(Idea.updated_at) >= self._watermark - _OVERLAP)
            imported = imported.where(col(ImportedVerdict.updated_at) >= self._watermark - _OVERLAP)
        applied = 0
        # Read-only: on SQLite it takes no lock, so searches and writes go on while a large index is read.
        async with engine.execution_options(**READ_ONLY).connect() as conn:
            for query, put in ((ideas, self.put), (imported, self.put_imported)):
                result = await conn.stream(query.execution_options(yield_per=2000))
                async for rows in result.partitions():
                    for row in rows:
                        applied += put(*row)
                    # Let requests in between batches while a large index is being built.
                    await asyncio.sleep(0)
        self._watermark = started
        self.built = True
        return applied


def index_after_commit(session: AsyncSession, index: IdeaIndex, row: Idea | ImportedVerdict) -> None:
    """Queue an idea (or an imported verdict) for the index; applied once the request's transaction commits."""
    pending: dict[uuid.UUID, tuple] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = {}

        def _apply(_session) -> None:
            for put, args in session.info.pop(_PENDING, {}).values():
                try:
                    put(*args)
                except Exception:
                    log.exception("could not index idea %s", args[0])

        def _forget(_session) -> None:
            session.info.pop(_PENDING, None)

        # A session lives for one request, so each listener fires at most once.
        event.listen(session.sync_session, "after_commit", _apply, once=True)
        event.listen(session.sync_session, "after_rollback", _forget, once=True)
    if isinstance(row, ImportedVerdict):
        pending[row.id] = (index.put_imported, tuple(getattr(row, column.key) for column in IMPORTED_COLUMNS))
    else:
        pending[row.id] = (index.put, tuple(getattr(row, column.key) for column in COLUMNS))


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
