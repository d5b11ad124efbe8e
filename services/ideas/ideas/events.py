"""Events from other services (vote results, published outcomes), applied exactly once.

The senders deliver through the platform's outbox relay, at least once. Each event's id is recorded
in the inbox (`platform_core.inbox.accept_once`) in the same transaction as its effect, so a
redelivery finds it and changes nothing; if the effect is refused (409), the record rolls back too.
"""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ideas.domain.ideas import touch
from ideas.models import Idea
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
