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
    idea, _ = found
    idea = await moderation.hide(session, principal, idea, body.reason)
    return await _answer(response, session, idea, index)


@router.post("/unhide", response_model=IdeaPublic, summary="Show a hidden idea again", responses=ERRORS)
async def unhide_idea(
    found: IdeaForUpdateDep, response: Response, session: SessionDep, principal: CurrentPrincipal, index: IndexDep
) -> IdeaPublic:
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
    idea, _ = found
    idea = await moderation.mark_duplicate(session, principal, idea, body.duplicate_of_id)
    return await _answer(response, session, idea)


@router.delete("/duplicate", response_model=IdeaPublic, summary="Undo marking an idea a duplicate", responses=ERRORS)
async def unmark_duplicate(
    found: IdeaForUpdateDep, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> IdeaPublic:
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
    idea, _ = found
    idea = await moderation.shortlist(session, principal, idea)
    failed = await moderation.failed_trials_like(session, principal, index, idea) if index.built else []
    return shortlist_view(await _answer(response, session, idea), failed)


@router.delete("/shortlist", response_model=IdeaPublic, summary="Take an idea off the shortlist", responses=ERRORS)
async def unshortlist_idea(
    found: IdeaForUpdateDep, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> IdeaPublic:
    idea, _ = found
    idea = await moderation.unshortlist(session, principal, idea)
    return await _answer(response, session, idea)
