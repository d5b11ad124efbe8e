"""Moderation routes (organisers of the idea's council): hide, duplicate, shortlist, and undo them."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from ideas.deps import IdeaForUpdateDep, IndexDep
from ideas.domain import ideas, moderation
from ideas.domain.search import IdeaIndex, index_after_commit
from ideas.models import Idea
from ideas.schemas import DuplicateRequest, HideRequest, IdeaPublic, ShortlistAnswer
from ideas.views import full_view, shortlist_view
from platform_core.auth import CurrentPrincipal
from platform_core.db import SessionDep
from platform_core.etag import set_etag
from platform_core.problems import responses

router = APIRouter(prefix="/api/ideas/ideas/{idea_id}", tags=["moderation"])

ERRORS = responses(401, 403, 404, 409, 422)


async def _answer(response: Response, session: AsyncSession, idea: Idea, index: IdeaIndex | None = None) -> IdeaPublic:
    if index is not None:
        index_after_commit(session, index, idea)
    set_etag(response, idea.version)
    return full_view(idea, await ideas.team_of(session, idea.id), with_moderation=True)


@router.post("/hide", response_model=IdeaPublic, summary="Hide an idea, with a reason", responses=ERRORS)
async def hide_idea(
    found: IdeaForUpdateDep,
    body: HideRequest,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    index: IndexDep,
) -> IdeaPublic:
    """Hides an idea, with a reason kept for the record: it leaves the lists, the search and the vote, and only its
    team and the council's organisers still see it, with the reason. Only the council's organisers (and admins)
    may (403). Hiding a hidden idea again changes nothing; unhide puts it back as it was."""
    idea, _ = found
    idea = await moderation.hide(session, principal, idea, body.reason)
    return await _answer(response, session, idea, index)


@router.post("/unhide", response_model=IdeaPublic, summary="Show a hidden idea again", responses=ERRORS)
async def unhide_idea(
    found: IdeaForUpdateDep, response: Response, session: SessionDep, principal: CurrentPrincipal, index: IndexDep
) -> IdeaPublic:
    """Shows a hidden idea again, in the status it had before it was hidden. Only the council's organisers (and
    admins) may (403); an idea that is not hidden is answered as it is."""
    idea, _ = found
    idea = await moderation.unhide(session, principal, idea)
    return await _answer(response, session, idea, index)


@router.post(
    "/duplicate",
    response_model=IdeaPublic,
    summary="Mark an idea a duplicate of an earlier one (linked, not deleted)",
    responses=ERRORS,
)
async def mark_duplicate(
    found: IdeaForUpdateDep,
    body: DuplicateRequest,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> IdeaPublic:
    """Marks an idea a duplicate of an earlier idea of the same council: it is linked to that idea, not deleted, and
    leaves the vote. A chain of duplicates is linked to its first idea. Only the council's organisers (and
    admins) may (403). The earlier idea must be visible and of the same council (404); an idea cannot duplicate
    itself or an idea that duplicates it, and only a submitted or shortlisted idea can be marked (409). Marking
    it again the same way changes nothing."""
    idea, _ = found
    idea = await moderation.mark_duplicate(session, principal, idea, body.duplicate_of_id)
    return await _answer(response, session, idea)


@router.delete("/duplicate", response_model=IdeaPublic, summary="Undo marking an idea a duplicate", responses=ERRORS)
async def unmark_duplicate(
    found: IdeaForUpdateDep, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> IdeaPublic:
    """Undoes marking an idea a duplicate: it goes back to the status it had. Only the council's organisers (and
    admins) may (403); an idea that is not a duplicate is answered as it is."""
    idea, _ = found
    idea = await moderation.unmark_duplicate(session, principal, idea)
    return await _answer(response, session, idea)


@router.post(
    "/shortlist",
    response_model=ShortlistAnswer,
    summary="Shortlist an idea for the vote; says if it repeats a trial that failed",
    responses=ERRORS,
)
async def shortlist_idea(
    found: IdeaForUpdateDep, response: Response, session: SessionDep, principal: CurrentPrincipal, index: IndexDep
) -> ShortlistAnswer:
    """Shortlists a submitted idea for the vote, while its hack day is open or voting. The answer warns when the
    idea looks like one whose published trial did not work, so the organiser can ask what is different this time.
    Only the council's organisers (and admins) may (403); an idea that is not submitted, or a hack day in another
    phase, is a 409. Shortlisting it again changes nothing."""
    idea, _ = found
    idea = await moderation.shortlist(session, principal, idea)
    failed = await moderation.failed_trials_like(session, principal, index, idea) if index.built else []
    return shortlist_view(await _answer(response, session, idea), failed)


@router.delete("/shortlist", response_model=IdeaPublic, summary="Take an idea off the shortlist", responses=ERRORS)
async def unshortlist_idea(
    found: IdeaForUpdateDep, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> IdeaPublic:
    """Takes an idea off the shortlist, back to submitted, while its hack day is open or voting (409 afterwards; a
    round already opened keeps the candidates it was made with). Only the council's organisers (and admins) may
    (403); an idea that is submitted already is answered as it is."""
    idea, _ = found
    idea = await moderation.unshortlist(session, principal, idea)
    return await _answer(response, session, idea)
