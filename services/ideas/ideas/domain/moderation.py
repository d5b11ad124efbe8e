"""Organiser moderation: hide with a reason, mark a duplicate (linked, never deleted), shortlist (one or many).

Hiding and marking a duplicate remember the status they replaced, so undoing them puts the idea back
exactly where it was. Asking for the state an idea is already in changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import NamedTuple

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ideas import access
from ideas.domain.ideas import touch
from ideas.domain.search import IdeaIndex, searchable, whole_text
from ideas.models import HackDay, Idea
from ideas.vocabulary import FAILED_VERDICTS
from platform_core.auth import Principal
from platform_core.clock import utcnow
from platform_core.problems import Problem


def require_organiser(principal: Principal, idea: Idea) -> None:
    if not access.is_organiser(principal, idea.council_id):
        raise Problem(403, f"Only organisers of {idea.council_name} can moderate its ideas.")


async def hide(session: AsyncSession, principal: Principal, idea: Idea, reason: str) -> Idea:
    require_organiser(principal, idea)
    if idea.status == "hidden":
        return idea
    idea.status_before_moderation = idea.status
    idea.status = "hidden"
    idea.hidden_reason = reason
    idea.hidden_by = principal.person_id
    idea.hidden_at = utcnow()
    return await _save(session, idea)


async def unhide(session: AsyncSession, principal: Principal, idea: Idea) -> Idea:
    require_organiser(principal, idea)
    if idea.status != "hidden":
        return idea
    idea.status = idea.status_before_moderation or "submitted"
    idea.status_before_moderation = None
    idea.hidden_reason = idea.hidden_by = idea.hidden_at = None
    return await _save(session, idea)


async def mark_duplicate(session: AsyncSession, principal: Principal, idea: Idea, original_id: uuid.UUID) -> Idea:
    require_organiser(principal, idea)
    if original_id == idea.id:
        raise Problem(
            409,
            "An idea cannot be a duplicate of itself.",
            errors=[{"field": "duplicate_of_id", "message": "is this idea itself"}],
        )
    original = await session.get(Idea, original_id)
    if original is None or original.council_id != idea.council_id or original.status == "hidden":
        detail = "There is no visible idea with this id in the same council."
        raise Problem(404, detail, errors=[{"field": "duplicate_of_id", "message": detail}])
    # Link to the first idea of a chain, so that a duplicate never points at another duplicate.
    seen = {idea.id}
    while original.status == "duplicate" and original.duplicate_of_id and original.id not in seen:
        seen.add(original.id)
        following = await session.get(Idea, original.duplicate_of_id)
        if following is None:  # a link to an idea that is gone: the chain ends here
            break
        original = following
    if original.id == idea.id:
        raise Problem(409, f"'{original.title}' is already marked a duplicate of this idea.")
    if idea.status == "duplicate":
        if idea.duplicate_of_id == original.id:
            return idea
    elif idea.status not in ("submitted", "shortlisted"):
        raise Problem(409, f"'{idea.title}' is {idea.status} and cannot be marked a duplicate.")
    else:
        idea.status_before_moderation = idea.status
    idea.status = "duplicate"
    idea.duplicate_of_id = original.id
    idea.duplicate_marked_by = principal.person_id
    return await _save(session, idea)


async def unmark_duplicate(session: AsyncSession, principal: Principal, idea: Idea) -> Idea:
    require_organiser(principal, idea)
    if idea.status != "duplicate":
        return idea
    idea.status = idea.status_before_moderation or "submitted"
    idea.status_before_moderation = None
    idea.duplicate_of_id = idea.duplicate_marked_by = None
    return await _save(session, idea)


async def shortlist(session: AsyncSession, principal: Principal, idea: Idea) -> Idea:
    require_organiser(principal, idea)
    if idea.status == "shortlisted":
        return idea
    _require_submitted(idea)
    await _require_phase(session, idea, "shortlisted")
    _mark_shortlisted(principal, idea)
    return await _save(session, idea)


class Refusal(NamedTuple):
    """One idea of a bulk request that was left as it was, and why (the status it would have had alone)."""

    idea_id: uuid.UUID
    status: int
    detail: str


async def shortlist_many(
    session: AsyncSession, principal: Principal, hack_day: HackDay, idea_ids: Sequence[uuid.UUID]
) -> tuple[list[Idea], list[Refusal]]:
    """Shortlist each named idea of the hack day that can be; the others are refused one by one.

    Asking again changes nothing (an idea already shortlisted is answered as shortlisted), so a retry
    is safe. The organiser and phase rules hold for the whole request, as they would for each idea."""
    if not access.is_organiser(principal, hack_day.council_id):
        raise Problem(403, f"Only organisers of {hack_day.council_name} can shortlist its ideas.")
    _require_open_or_voting(hack_day, "shortlisted")
    # Locked in one order (by id), so that two bulk requests over the same ideas queue, never deadlock.
    query = select(Idea).where(col(Idea.id).in_(list(idea_ids))).order_by(col(Idea.id)).with_for_update()
    found = {idea.id: idea for idea in (await session.exec(query)).all()}
    shortlisted: list[Idea] = []
    refused: list[Refusal] = []
    for idea_id in idea_ids:
        idea = found.get(idea_id)
        if idea is None or idea.hack_day_id != hack_day.id:
            refused.append(Refusal(idea_id, 404, f"There is no idea {idea_id} in hack day '{hack_day.name}'."))
            continue
        if idea.status != "shortlisted":
            try:
                _require_submitted(idea)
            except Problem as problem:
                refused.append(Refusal(idea_id, problem.status, problem.detail))
                continue
            _mark_shortlisted(principal, idea)
            await _save(session, idea)
        shortlisted.append(idea)
    return shortlisted, refused


def _require_submitted(idea: Idea) -> None:
    if idea.status != "submitted":
        raise Problem(409, f"'{idea.title}' is {idea.status}; only submitted ideas can be shortlisted.")


def _mark_shortlisted(principal: Principal, idea: Idea) -> None:
    idea.status = "shortlisted"
    idea.shortlisted_by = principal.person_id
    idea.shortlisted_at = utcnow()


async def failed_trials_like(
    session: AsyncSession, principal: Principal, index: IdeaIndex, idea: Idea, *, limit: int = 3
) -> list[tuple[Idea, float]]:
    """Similar ideas whose published trial did not deliver, most similar first (as `principal` searches)."""
    hits = index.search(
        whole_text(idea.title, idea.problem, idea.proposal, idea.public_summary),
        20,
        council_id=principal.council_id,
        reads_everything=access.reads_everything(principal),
        exclude=(idea.id,),
    )
    if not hits:
        return []
    rows = {
        row.id: row for row in (await session.exec(select(Idea).where(col(Idea.id).in_([i for i, _ in hits])))).all()
    }
    failed = [
        (rows[i], score)
        for i, score in hits
        if i in rows
        and rows[i].outcome_published_at is not None
        and rows[i].outcome_verdict in FAILED_VERDICTS
        and searchable(rows[i].status)
    ]
    return failed[:limit]


async def unshortlist(session: AsyncSession, principal: Principal, idea: Idea) -> Idea:
    require_organiser(principal, idea)
    if idea.status == "submitted":
        return idea
    if idea.status != "shortlisted":
        raise Problem(409, f"'{idea.title}' is {idea.status}, not shortlisted.")
    await _require_phase(session, idea, "taken off the shortlist")
    idea.status = "submitted"
    idea.shortlisted_by = idea.shortlisted_at = None
    return await _save(session, idea)


async def _require_phase(session: AsyncSession, idea: Idea, action: str) -> None:
    # The vote snapshots the shortlist, so it is settled while the day is open or voting, not after.
    hack_day = await session.get(HackDay, idea.hack_day_id)
    assert hack_day is not None  # an idea's hack day is held by a foreign key
    _require_open_or_voting(hack_day, action)


def _require_open_or_voting(hack_day: HackDay, action: str) -> None:
    if hack_day.phase not in ("open", "voting"):
        raise Problem(
            409,
            f"Hack day '{hack_day.name}' is {hack_day.phase}: ideas can be {action} only while it is open or voting.",
        )


async def _save(session: AsyncSession, idea: Idea) -> Idea:
    touch(idea)
    session.add(idea)
    await session.flush()
    return idea
