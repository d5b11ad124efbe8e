"""Events from other services (vote results, published outcomes, imported verdicts), applied exactly once.

The senders deliver through the platform's outbox relay, at least once. Each event's id is recorded
in the inbox (`platform_core.inbox.accept_once`) in the same transaction as its effect, so a
redelivery finds it and changes nothing; if the effect is refused (409), the record rolls back too.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ideas.domain.ideas import touch
from ideas.models import Idea, ImportedVerdict
from ideas.schemas import ImportedVerdictChanged
from platform_core.clock import utcnow
from platform_core.inbox import accept_once
from platform_core.problems import Problem


async def _idea(session: AsyncSession, idea_id: uuid.UUID) -> Idea:
    # Locked first, so two deliveries of one event queue here and the second finds it in the inbox.
    idea = await session.get(Idea, idea_id, with_for_update=True)
    if idea is None:
        raise Problem(404, f"There is no idea {idea_id}.")
    return idea


async def selected(
    session: AsyncSession, idea_id: uuid.UUID, *, event_id: uuid.UUID, round_id: uuid.UUID, rank: int
) -> Idea:
    """A vote chose this idea for a trial."""
    idea = await _idea(session, idea_id)
    if not await accept_once(session, event_id=event_id, topic="idea_selected"):
        return idea
    if idea.status not in ("submitted", "shortlisted", "selected"):
        raise Problem(409, f"'{idea.title}' is {idea.status}; a {idea.status} idea cannot be selected.")
    idea.status = "selected"
    idea.selected_round_id = round_id
    idea.selected_rank = rank
    idea.selected_at = utcnow()
    touch(idea)
    session.add(idea)
    await session.flush()
    return idea


async def outcome_published(
    session: AsyncSession, idea_id: uuid.UUID, *, event_id: uuid.UUID, verdict: str, trial_id: uuid.UUID
) -> Idea:
    """The idea's trial verdict is public: from now on every council may read the idea in full."""
    idea = await _idea(session, idea_id)
    if not await accept_once(session, event_id=event_id, topic="outcome_published"):
        return idea
    idea.outcome_verdict = verdict
    idea.outcome_trial_id = trial_id
    idea.outcome_published_at = utcnow()
    touch(idea)
    session.add(idea)
    await session.flush()
    return idea


async def imported_verdict_changed(
    session: AsyncSession, entry_id: uuid.UUID, body: ImportedVerdictChanged
) -> ImportedVerdict | None:
    """Follow-up imported, corrected or withdrew a verdict from another platform: keep our copy at the
    newest version (deliveries may come out of order: an older one changes nothing). None when
    nothing changed."""
    row = await session.get(ImportedVerdict, entry_id, with_for_update=True)
    if not await accept_once(session, event_id=body.event_id, topic="imported_verdict_changed"):
        return None
    if row is not None and row.version >= body.version:
        return None
    now = utcnow()
    if row is None and body.record is None:
        # Withdrawn before we held it (its first delivery failed and waits for a retry): a tombstone,
        # so that the older version, when it comes, does not bring it back.
        row = ImportedVerdict(
            id=entry_id,
            version=body.version,
            idea_id=entry_id,
            council_id=entry_id,
            council_name="",
            title="",
            platform="",
            entry_url="",
            licence_name="",
            licence_url="",
        )
    if row is None:
        row = ImportedVerdict(id=entry_id, version=body.version, **_columns(body))
    elif body.record is None:
        row.withdrawn_at = now
    else:
        for name, value in _columns(body).items():
            setattr(row, name, value)
        row.withdrawn_at = None
    row.version = body.version
    row.updated_at = now
    session.add(row)
    await session.flush()
    return row


def _columns(body: ImportedVerdictChanged) -> dict[str, Any]:
    record = body.record
    assert record is not None
    return {
        "idea_id": record.idea_id,
        "council_id": record.council_id,
        "council_name": record.council_name,
        "title": record.title,
        "hypothesis": record.hypothesis,
        "summary": record.summary,
        "service_area": record.service_area,
        "outcome": record.outcome,
        "platform": record.platform,
        "entry_url": record.entry_url,
        "licence_name": record.licence.name,
        "licence_url": record.licence.url,
        "published_at": record.published_at,
    }
