"""The importer: other platforms' libraries brought into ours, on a schedule and on demand.

Each import of a subscription walks the source's federation feed page by page, each page asked for
with the ETag of the copy already imported (an unchanged page is a 304: nothing read, nothing
written), and applies a changed page in its own short transaction (domain/federation.py), so a
source that fails half-way keeps what came before. One import of a source runs at a time, across
replicas and requests (a lease on the subscription). What went wrong is kept on the subscription
for its admin to read: the address, the page, and the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker

from followup.clients.federation import FederationClient
from followup.domain import federation
from followup.models import LibrarySubscription
from followup.schemas import ImportCounts
from followup.settings import Settings

log = logging.getLogger("followup.federation")

# Entries asked for per page (the feed's maximum).
PAGE_SIZE = 1000
# Longer than any import should take: a replica that dies mid-import frees the source after it.
LEASE = timedelta(minutes=10)


class ImportBusy(Exception):
    """Another import of this source is running."""


class ImportPaused(Exception):
    """The subscription is paused (or removed): it is not imported until an admin resumes it."""


@dataclass
class Importer:
    sessionmaker: async_sessionmaker[Any]
    client: FederationClient
    settings: Settings
    task: asyncio.Task[None] | None = None
    back_fill_task: asyncio.Task[None] | None = None

    async def run(self, subscription_id: uuid.UUID) -> None:
        """Import one subscription now (ImportBusy when another import of it is running, ImportPaused
        when it is paused or removed)."""
        async with self.sessionmaker() as session:
            claimed = await federation.claim(session, subscription_id, LEASE)
            await session.commit()
            if not claimed:
                subscription = await session.get(LibrarySubscription, subscription_id)
                if subscription is None or not subscription.active or subscription.removed_at is not None:
                    raise ImportPaused(str(subscription_id))
                raise ImportBusy(str(subscription_id))
        counts, error = ImportCounts(), None
        try:
            await self._walk(subscription_id, counts)
        except federation.ImportFailed as exc:
            error = str(exc)
        except Exception as exc:  # the status must say something, whatever broke
            log.exception("import of subscription %s failed", subscription_id)
            error = f"The import stopped on an unexpected error ({exc.__class__.__name__})."
        async with self.sessionmaker() as session:
            subscription = await session.get(LibrarySubscription, subscription_id)
            if subscription is not None:
                federation.finish(subscription, counts, error)
                await session.commit()
        if error:
            log.warning("import of subscription %s failed: %s", subscription_id, error)

    async def _walk(self, subscription_id: uuid.UUID, counts: ImportCounts) -> None:
        async with self.sessionmaker() as session:
            subscription = await session.get(LibrarySubscription, subscription_id)
            assert subscription is not None
            feed_url, pages = subscription.feed_url, dict(subscription.pages)
        offset: int | None = 0
        while offset is not None:
            where = f"{feed_url} (offset {offset})"
            known = pages.get(str(offset))
            try:
                response = await self.client.page(feed_url, offset, PAGE_SIZE, known["etag"] if known else None)
            except httpx.HTTPError as exc:
                raise federation.ImportFailed(
                    f"{where} could not be reached ({exc.__class__.__name__}: {exc or 'no answer'})."
                ) from exc
            if response.status_code == 304 and known:
                counts.pages_unchanged += 1
                next_offset = known["next_offset"]
            elif response.status_code == 200:
                counts.pages_fetched += 1
                next_offset = await self._apply(subscription_id, response, where, offset, pages, counts)
            else:
                raise federation.ImportFailed(f"{where} answered HTTP {response.status_code}.")
            if next_offset is not None and next_offset <= offset:
                raise federation.ImportFailed(f"{where}: next_offset {next_offset} does not move on.")
            offset = next_offset

    async def _apply(
        self,
        subscription_id: uuid.UUID,
        response: httpx.Response,
        where: str,
        offset: int,
        pages: dict[str, Any],
        counts: ImportCounts,
    ) -> int | None:
        envelope, entries, refusals = federation.read_page(response.content, where)
        if envelope.platform_url.rstrip("/") == self.settings.public_base_url.rstrip("/"):
            raise federation.ImportFailed(f"{where} is this platform's own feed: nothing to import.")
        federation.refuse(counts, refusals)
        async with self.sessionmaker() as session:
            subscription = await session.get(LibrarySubscription, subscription_id)
            assert subscription is not None
            await federation.apply_page(session, subscription, entries, counts, self.settings.public_base_url)
            # A page with refused entries is asked for in full again next time (no ETag kept).
            etag = response.headers.get("etag") if not refusals else None
            pages[str(offset)] = {"etag": etag, "next_offset": envelope.next_offset}
            subscription.pages = dict(pages)
            await session.commit()
        return envelope.next_offset

    async def run_due(self) -> None:
        """Import every active subscription not tried within the interval."""
        async with self.sessionmaker() as session:
            due = await federation.due(session, timedelta(seconds=self.settings.federation_interval_seconds))
        for subscription_id in due:
            with contextlib.suppress(ImportBusy, ImportPaused):  # paused since `due` read it
                await self.run(subscription_id)


def make_importer(sessionmaker: async_sessionmaker[Any], settings: Settings) -> Importer:
    """Made in the lifespan (state.py); with a positive interval, imports run on that schedule too. At
    start-up the ideas service is told of every imported entry it never heard of (`back_fill`)."""
    importer = Importer(sessionmaker, FederationClient(settings.federation_timeout_seconds), settings)
    importer.back_fill_task = asyncio.create_task(_back_fill_at_start(sessionmaker))
    if settings.federation_interval_seconds > 0:
        importer.task = asyncio.create_task(_schedule(importer))
    return importer


# Announcements written per transaction by the back-fill.
BACK_FILL_BATCH = 500


async def back_fill(sessionmaker: async_sessionmaker[Any]) -> int:
    """Tell the ideas service (through the outbox) of every imported entry whose current version it was
    never told of: entries imported before each import announced its entries (issue 16) were never in
    "tried before?". Idempotent: an entry announced at its version is not announced again, and the
    ideas service's inbox ignores a repeat (two replicas starting at once may both announce one).
    Returns how many entries were announced."""
    async with sessionmaker() as session:
        missing = await federation.unannounced(session)
    announced = 0
    for start in range(0, len(missing), BACK_FILL_BATCH):
        async with sessionmaker() as session:
            announced += await federation.announce_again(session, missing[start : start + BACK_FILL_BATCH])
            await session.commit()
    if announced:
        log.info("imported entries announced to the ideas service", extra={"entries": announced})
    return announced


async def _back_fill_at_start(sessionmaker: async_sessionmaker[Any], every_seconds: float = 30.0) -> None:
    # Tried again until it succeeds (say the database is not migrated yet when the service starts).
    while True:
        try:
            await back_fill(sessionmaker)
            return
        except Exception:
            log.exception("could not announce imported entries to the ideas service; trying again later")
        await asyncio.sleep(every_seconds)


async def _schedule(importer: Importer) -> None:
    # Woken a few times per interval, so a new subscription is imported within about one interval.
    tick = max(importer.settings.federation_interval_seconds / 4, 1.0)
    while True:
        await asyncio.sleep(tick)
        try:
            await importer.run_due()
        except Exception:
            log.exception("scheduled federation import failed")


async def close_importer(importer: Importer) -> None:
    for task in (importer.task, importer.back_fill_task):
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    await importer.client.aclose()
