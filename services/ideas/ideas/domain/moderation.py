"""Organiser moderation: hide with a reason, mark a duplicate (linked, never deleted), shortlist: one idea
or many of a hack day at once.

Hiding and marking a duplicate remember the status they replaced, so undoing them puts the idea back
exactly where it was. Asking for the state an idea is already in changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import NamedTuple

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ideas import access
from ideas.domain.ideas import touch
from ideas.domain.search import IdeaIndex, searchable, whole_text
from ideas.models import HackDay, Idea, ImportedVerdict
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


async def _original(session: AsyncSession, council_id: uuid.UUID, original_id: uuid.UUID) -> Idea:
    """The earlier idea that duplicates are linked to: visible and of the same council (404 naming the field)."""
    original = await session.get(Idea, original_id)
    if original is None or original.council_id != council_id or original.status == "hidden":
        detail = "There is no visible idea with this id in the same council."
        raise Problem(404, detail, errors=[{"field": "duplicate_of_id", "message": detail}])
    return original


async def mark_duplicate(session: AsyncSession, principal: Principal, idea: Idea, original_id: uuid.UUID) -> Idea:
    require_organiser(principal, idea)
    if original_id == idea.id:
        raise Problem(
            409,
            "An idea cannot be a duplicate of itself.",
            errors=[{"field": "duplicate_of_id", "message": "is this idea itself"}],
        )
    original = await _original(session, idea.council_id, original_id)
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
    _require_organiser_of_day(principal, hack_day, "shortlist")
    _require_open_or_voting(hack_day, "shortlisted")

    async def one(idea: Idea) -> Idea:
        if idea.status != "shortlisted":
            _require_submitted(idea)
            _mark_shortlisted(principal, idea)
            await _save(session, idea)
        return idea

    return await _each_idea(session, hack_day, idea_ids, one)


async def hide_many(
    session: AsyncSession, principal: Principal, hack_day: HackDay, idea_ids: Sequence[uuid.UUID], reason: str
) -> tuple[list[Idea], list[Refusal]]:
    """Hide each named idea of the hack day with the one reason (an idea hidden already keeps its own)."""
    _require_organiser_of_day(principal, hack_day, "hide")
    return await _each_idea(session, hack_day, idea_ids, lambda idea: hide(session, principal, idea, reason))


async def mark_duplicates(
    session: AsyncSession,
    principal: Principal,
    hack_day: HackDay,
    idea_ids: Sequence[uuid.UUID],
    original_id: uuid.UUID,
) -> tuple[list[Idea], list[Refusal]]:
    """Mark each named idea of the hack day a duplicate of one earlier idea, by the rules of `mark_duplicate`.

    An earlier idea that is not there (or not visible, or of another council) refuses the whole request."""
    _require_organiser_of_day(principal, hack_day, "mark duplicates among")
    await _original(session, hack_day.council_id, original_id)
    return await _each_idea(
        session, hack_day, idea_ids, lambda idea: mark_duplicate(session, principal, idea, original_id)
    )


async def _each_idea(
    session: AsyncSession,
    hack_day: HackDay,
    idea_ids: Sequence[uuid.UUID],
    change: Callable[[Idea], Awaitable[Idea]],
) -> tuple[list[Idea], list[Refusal]]:
    """`change` applied to each named idea of the hack day, in the order asked: the ideas it changed (or found
    as asked already), and those it refused, each with the status and detail it would have been answered
    alone; a refusal does not stop the others. `change` refuses before it changes anything."""
    # Locked in one order (by id), so that two bulk requests over the same ideas queue, never deadlock.
    query = select(Idea).where(col(Idea.id).in_(list(idea_ids))).order_by(col(Idea.id)).with_for_update()
    found = {idea.id: idea for idea in (await session.exec(query)).all()}
    done: list[Idea] = []
    refused: list[Refusal] = []
    for idea_id in idea_ids:
        idea = found.get(idea_id)
        if idea is None or idea.hack_day_id != hack_day.id:
            refused.append(Refusal(idea_id, 404, f"There is no idea {idea_id} in hack day '{hack_day.name}'."))
            continue
        try:
            done.append(await change(idea))
        except Problem as problem:
            refused.append(Refusal(idea_id, problem.status, problem.detail))
    return done, refused


def _require_organiser_of_day(principal: Principal, hack_day: HackDay, verb: str) -> None:
    if not access.is_organiser(principal, hack_day.council_id):
        raise Problem(403, f"Only organisers of {hack_day.council_name} can {verb} its ideas.")


def _require_submitted(idea: Idea) -> None:
    if idea.status != "submitted":
        raise Problem(409, f"'{idea.title}' is {idea.status}; only submitted ideas can be shortlisted.")


def _mark_shortlisted(principal: Principal, idea: Idea) -> None:
    idea.status = "shortlisted"
    idea.shortlisted_by = principal.person_id
    idea.shortlisted_at = utcnow()


async def failed_trials_like(
    session: AsyncSession, principal: Principal, index: IdeaIndex, idea: Idea, *, limit: int = 3
) -> list[tuple[Idea | ImportedVerdict, float]]:
    """Similar ideas whose published trial did not deliver, most similar first (as `principal` searches):
    this platform's own, and verdicts imported from other platforms (federation), which are failures
    elsewhere just as much."""
    hits = index.search(
        whole_text(idea.title, idea.problem, idea.proposal, idea.public_summary),
        20,
        council_id=principal.council_id,
        reads_everything=access.reads_everything(principal),
        exclude=(idea.id,),
    )
    if not hits:
        return []
    ids = [i for i, _ in hits]
    rows: dict[uuid.UUID, Idea | ImportedVerdict] = {
        row.id: row
        for row in (await session.exec(select(Idea).where(col(Idea.id).in_(ids)))).all()
        if row.outcome_published_at is not None and row.outcome_verdict in FAILED_VERDICTS and searchable(row.status)
    }
    # A hit that is not an idea here may be an imported verdict (the index holds both).
    rows.update(
        (row.id, row)
        for row in (
            await session.exec(
                select(ImportedVerdict).where(
                    col(ImportedVerdict.id).in_(ids),
                    col(ImportedVerdict.withdrawn_at).is_(None),
                    col(ImportedVerdict.outcome).in_(list(FAILED_VERDICTS)),
                )
            )
        ).all()
    )
    return [(rows[i], score) for i, score in hits if i in rows][:limit]


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
