"""Federation, the rules: subscriptions to other platforms' libraries, and applying one page of a
platform's federation feed to our library (no HTTP here: followup/federation.py fetches the pages).

An imported entry is a library entry with no trial here, naming its subscription and its id at the
origin; the pair is unique, so importing the same page twice changes nothing the second time. A
newer version at the origin replaces our copy (a correction), a withdrawal at the origin withdraws
it, and nothing already imported is ever deleted by an import that fails. Each change is announced to
the ideas service (outbox, in the page's transaction), whose "tried before?" finds imported verdicts
beside this platform's own.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import func, update
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from followup.domain.library import search_text
from followup.models import LibraryEntry, LibrarySubscription
from followup.schemas import (
    FederatedEntry,
    ImportCounts,
    LibraryRecord,
    LibrarySource,
    SubscriptionCreate,
    SubscriptionUpdate,
    entry_url,
)
from platform_core import outbox
from platform_core.clock import utcnow
from platform_core.db import table_of
from platform_core.outbox import OutboxEvent
from platform_core.problems import Problem

# Refusals kept per import for the admin to read (the count says how many there were in all).
MAX_REFUSALS_SHOWN = 10
# What the ideas service is told of each imported entry that is added, corrected or withdrawn here.
IMPORTED_VERDICT = "library.imported_verdict_changed"


class ImportFailed(Exception):
    """The source cannot be imported just now (down, refusing, or not a federation feed): the
    message says which address and what was wrong; what was imported before stays."""


# ---- subscriptions -------------------------------------------------------------------------------


async def subscribe(session: AsyncSession, body: SubscriptionCreate, person_id: uuid.UUID) -> LibrarySubscription:
    """A new subscription (409 when that feed is subscribed to already); a removed one to the same feed
    comes back, with the entries it had imported (no longer marked as from a removed source)."""
    existing = (
        await session.exec(select(LibrarySubscription).where(LibrarySubscription.feed_url == body.feed_url))
    ).one_or_none()
    if existing is not None and existing.removed_at is not None:
        existing.removed_at = None
        existing.active = True
        existing.name = body.name
        existing.pages = {}  # read every page again: the origin may have changed while we were away
        existing.last_error, existing.last_counts = "", {}
        existing.version += 1
        await _mark_entries(session, existing, removed_at=None)
        await session.flush()
        return existing
    if existing is not None:
        raise Problem(
            409,
            f"This platform already subscribes to {body.feed_url} (subscription {existing.id}).",
            errors=[{"field": "feed_url", "message": "already subscribed"}],
        )
    subscription = LibrarySubscription(
        name=body.name, feed_url=body.feed_url, created_by=person_id, created_at=utcnow()
    )
    session.add(subscription)
    await session.flush()
    return subscription


def change(subscription: LibrarySubscription, body: SubscriptionUpdate) -> LibrarySubscription:
    """Pause, resume or rename. An import already running when it is paused goes on to its end."""
    if body.name is not None:
        subscription.name = body.name
    if body.active is not None:
        subscription.active = body.active
    subscription.version += 1
    return subscription


async def remove(session: AsyncSession, subscription: LibrarySubscription) -> None:
    """No longer listed or imported. What it imported stays in our library, marked as from a removed
    source (it no longer follows corrections or withdrawals at the origin); 409 while an import runs."""
    now = utcnow()
    if subscription.running_until is not None and subscription.running_until > now:
        raise Problem(409, "An import of this source is running; remove the subscription when it has finished.")
    subscription.removed_at = now
    subscription.active = False
    subscription.version += 1
    await _mark_entries(session, subscription, removed_at=now)
    await session.flush()


async def _mark_entries(session: AsyncSession, subscription: LibrarySubscription, removed_at: datetime | None) -> None:
    """Say in each imported record's `source` whether its subscription was removed (and when)."""
    entries = (await session.exec(select(LibraryEntry).where(LibraryEntry.subscription_id == subscription.id))).all()
    now = utcnow()
    for entry in entries:
        record = dict(entry.record)
        if not record.get("source"):
            continue
        record["source"] = {**record["source"], "removed_at": removed_at.isoformat() if removed_at else None}
        entry.record = record
        entry.version += 1
        entry.updated_at = now


def live(query: Any) -> Any:
    """Only subscriptions not removed."""
    return query.where(col(LibrarySubscription.removed_at).is_(None))


async def subscriptions(session: AsyncSession, limit: int, offset: int) -> tuple[list[LibrarySubscription], int]:
    total = (await session.exec(live(select(func.count()).select_from(LibrarySubscription)))).one()
    rows = (
        await session.exec(
            live(select(LibrarySubscription))
            .order_by(col(LibrarySubscription.created_at), col(LibrarySubscription.id))
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return list(rows), total


async def imported_counts(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many entries each subscription has in our library now (withdrawn ones not counted)."""
    if not ids:
        return {}
    rows = (
        await session.exec(
            select(LibraryEntry.subscription_id, func.count())
            .where(col(LibraryEntry.subscription_id).in_(list(ids)), col(LibraryEntry.withdrawn_at).is_(None))
            .group_by(col(LibraryEntry.subscription_id))
        )
    ).all()
    return {sid: n for sid, n in rows if sid is not None}


async def due(session: AsyncSession, every: timedelta) -> list[uuid.UUID]:
    """Active subscriptions (not paused, not removed) not tried for `every` (or never)."""
    cutoff = utcnow() - every
    rows = (
        await session.exec(
            select(LibrarySubscription.id).where(
                col(LibrarySubscription.active).is_(True),
                col(LibrarySubscription.removed_at).is_(None),
                or_(
                    col(LibrarySubscription.last_attempt_at).is_(None),
                    col(LibrarySubscription.last_attempt_at) < cutoff,
                ),
            )
        )
    ).all()
    return list(rows)


async def claim(session: AsyncSession, subscription_id: uuid.UUID, lease: timedelta) -> bool:
    """Take the subscription's import lease (one import of a source at a time, across replicas);
    False when another import holds it, or it is paused or removed. One conditional UPDATE, atomic on
    both databases, so an import never starts after the admin's pause has committed."""
    now = utcnow()
    table = table_of(LibrarySubscription)
    result = await session.exec(
        update(table)
        .where(
            table.c.id == subscription_id,
            table.c.active.is_(True),
            table.c.removed_at.is_(None),
            or_(table.c.running_until.is_(None), table.c.running_until < now),
        )
        .values(running_until=now + lease, last_attempt_at=now)
    )
    return bool(result.rowcount)


def finish(subscription: LibrarySubscription, counts: ImportCounts, error: str | None) -> None:
    """Say how the import went and give the lease back."""
    now = utcnow()
    subscription.running_until = None
    subscription.last_counts = counts.model_dump()
    subscription.last_error = error or ""
    if error is None:
        subscription.last_success_at = now


# ---- one page of a feed --------------------------------------------------------------------------


class _Envelope(BaseModel):
    """The page as a whole; its entries are checked one by one, so one bad entry refuses only itself."""

    model_config = ConfigDict(extra="allow")
    platform_url: str
    offset: int
    next_offset: int | None
    entries: list[dict[str, Any]]


def read_page(content: bytes, where: str) -> tuple[_Envelope, list[FederatedEntry], list[str]]:
    """The page's envelope, its valid entries, and why any others were refused."""
    try:
        raw = json.loads(content)
    except ValueError as exc:
        raise ImportFailed(f"{where} did not answer JSON ({exc.__class__.__name__}: {exc}).") from exc
    try:
        envelope = _Envelope.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "the body"
        raise ImportFailed(f"{where} is not a federation feed: {field}: {first['msg']}.") from exc
    entries, refusals = [], []
    for i, item in enumerate(envelope.entries):
        try:
            entry = FederatedEntry.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            refusals.append(f"entry {envelope.offset + i} ({item.get('id', 'no id')}): {field}: {first['msg']}")
            continue
        if entry.record is not None and (entry.record.id != entry.id or entry.record.source is not None):
            why = "is itself imported" if entry.record.source is not None else "names another id than its entry"
            refusals.append(f"entry {envelope.offset + i} ({entry.id}): record {why}")
            continue
        entries.append(entry)
    return envelope, entries, refusals


def _local(
    subscription: LibrarySubscription, entry: FederatedEntry, record: LibraryRecord, base_url: str, now: datetime
) -> tuple[uuid.UUID, LibraryRecord]:
    # The same origin entry always has the same id here (a re-subscribed source keeps its links).
    local_id = uuid.uuid5(subscription.id, str(entry.id))
    source = LibrarySource(
        platform=subscription.name,
        feed_url=subscription.feed_url,
        entry_id=entry.id,
        entry_url=record.url,
        version=entry.version,
        imported_at=now,
    )
    return local_id, record.model_copy(update={"id": local_id, "url": entry_url(base_url, local_id), "source": source})


def _fields(record: LibraryRecord) -> dict[str, Any]:
    """The entry's columns, from the record (as publishing sets them)."""
    return {
        "idea_id": record.idea_id,
        "council_id": record.council.id,
        "council_name": record.council.name,
        "title": record.title,
        "service_area": record.service_area,
        "outcome": record.outcome,
        "evidence_level": record.evidence.level,
        "search_text": search_text(record),
        "record": record.model_dump(mode="json"),
        "published_at": record.published_at,
    }


async def apply_page(
    session: AsyncSession,
    subscription: LibrarySubscription,
    entries: Sequence[FederatedEntry],
    counts: ImportCounts,
    base_url: str,
) -> None:
    """Add, update or withdraw our copies of these entries; an entry at a version we hold is unchanged."""
    if not entries:
        return
    held = {
        row.origin_id: row
        for row in (
            await session.exec(
                select(LibraryEntry).where(
                    LibraryEntry.subscription_id == subscription.id,
                    col(LibraryEntry.origin_id).in_([e.id for e in entries]),
                )
            )
        ).all()
    }
    now = utcnow()
    for entry in entries:
        row = held.get(entry.id)
        if row is not None and (row.origin_version or 0) >= entry.version:
            counts.unchanged += 1
            continue
        if entry.record is None or entry.withdrawn_at is not None:
            if row is not None and row.withdrawn_at is None:
                row.withdrawn_at = now
                row.withdrawn_reason = f"Withdrawn by its own platform: {entry.withdrawn_reason}".strip()
                row.version += 1
                row.updated_at = now
                counts.withdrawn += 1
                announce(session, row, subscription.name, None)
            else:
                counts.unchanged += 1
            if row is not None:
                row.origin_version = entry.version
            continue
        local_id, record = _local(subscription, entry, entry.record, base_url, now)
        if row is None:
            row = LibraryEntry(
                id=local_id, subscription_id=subscription.id, origin_id=entry.id, updated_at=now, **_fields(record)
            )
            session.add(row)
            counts.added += 1
        else:
            for name, value in _fields(record).items():
                setattr(row, name, value)
            row.withdrawn_at, row.withdrawn_reason = None, ""
            row.version += 1
            row.updated_at = now
            counts.updated += 1
        row.origin_version = entry.version
        announce(session, row, subscription.name, record)
    await session.flush()


def announce(session: AsyncSession, row: LibraryEntry, platform: str, full: LibraryRecord | None) -> None:
    """Tell the ideas service of this version of an imported entry (its record, or null once withdrawn),
    in the transaction that changed it; its inbox keeps the event id, and an older version is ignored."""
    record = None
    if full is not None:
        record = {
            "idea_id": str(full.idea_id),
            "council_id": str(full.council.id),
            "council_name": full.council.name,
            "title": full.title,
            "hypothesis": full.hypothesis,
            "summary": full.summary,
            "service_area": full.service_area,
            "outcome": full.outcome,
            "published_at": full.published_at.isoformat(),
            "platform": platform,
            "entry_url": full.source.entry_url if full.source else full.url,
            "licence": full.licence.model_dump(mode="json"),
        }
    outbox.record(
        session,
        topic=IMPORTED_VERDICT,
        destinations=["ideas"],
        event_id=announcement_id(row.id, row.version),
        payload={"library_entry_id": str(row.id), "version": row.version, "record": record},
    )


def announcement_id(entry_id: uuid.UUID, version: int) -> uuid.UUID:
    """The event id of one version of an imported entry: the same however often it is announced."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"urn:council-hackday:followup:{IMPORTED_VERDICT}:{entry_id}:{version}")


async def unannounced(session: AsyncSession) -> list[uuid.UUID]:
    """Imported entries whose current version the ideas service was never told of: those imported before
    the per-entry event existed (issue 16), and any whose version changed without one. Read from the
    outbox, which keeps every event it was given."""
    told = set(
        (
            await session.exec(
                select(OutboxEvent.event_id).where(
                    OutboxEvent.topic == IMPORTED_VERDICT, OutboxEvent.destination == "ideas"
                )
            )
        ).all()
    )
    entries = (
        await session.exec(
            select(LibraryEntry.id, LibraryEntry.version)
            .where(col(LibraryEntry.subscription_id).is_not(None))
            .order_by(col(LibraryEntry.id))
        )
    ).all()
    return [entry_id for entry_id, version in entries if announcement_id(entry_id, version) not in told]


async def announce_again(session: AsyncSession, entry_ids: Sequence[uuid.UUID]) -> int:
    """Announce the current version of these imported entries (the back-fill of `unannounced`): its record,
    or null once withdrawn, as an import would have. Returns how many were announced."""
    rows = (
        await session.exec(
            select(LibraryEntry, LibrarySubscription.name)
            .join(LibrarySubscription, col(LibrarySubscription.id) == col(LibraryEntry.subscription_id))
            .where(col(LibraryEntry.id).in_(list(entry_ids)))
        )
    ).all()
    for row, platform in rows:
        full = None if row.withdrawn_at is not None else LibraryRecord.model_validate(row.record)
        announce(session, row, platform, full)
    return len(rows)


def refuse(counts: ImportCounts, refusals: Sequence[str]) -> None:
    counts.refused += len(refusals)
    room = MAX_REFUSALS_SHOWN - len(counts.refusals)
    counts.refusals.extend(list(refusals)[: max(room, 0)])
