"""Idea routes: submit, list, read, edit (If-Match), withdraw, and the team of co-authors."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ideas import access
from ideas.deps import (
    IdeaDep,
    IdeaForUpdateDep,
    IndexDep,
)
from ideas.domain import ideas, listing
from ideas.domain.search import index_after_commit
from ideas.schemas import (
    CoAuthorInvite,
    IdeaCreate,
    IdeaPage,
    IdeaPublic,
    IdeaUpdate,
    IdeaView,
    SearchWords,
    TagFilter,
)
from ideas.state import StateDep
from ideas.views import full_view, idea_view
from ideas.vocabulary import IdeaStatus, ServiceArea
from platform_core.auth import CurrentPrincipal
from platform_core.db import SessionDep
from platform_core.etag import IfMatch, check_if_match, set_etag
from platform_core.idempotency import IdempotentCreateDep
from platform_core.pages import PageDep
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api/ideas/ideas", tags=["ideas"])


def _full(principal, idea, team) -> IdeaPublic:
    return full_view(idea, team, with_moderation=access.sees_moderation(principal, idea, team))


@router.post(
    "",
    response_model=IdeaPublic,
    status_code=201,
    summary="Submit an idea to an open hack day of your council (honours Idempotency-Key)",
    responses=responses(401, 403, 404, 409, 422),
)
async def submit_idea(
    body: IdeaCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    index: IndexDep,
    idem: IdempotentCreateDep,
) -> IdeaPublic | Response:
    if principal.council_id is None:
        raise Problem(403, "Ideas are submitted by people of a council; your sign-in belongs to none.")
    replay = await idem.begin(body)
    if replay is not None:
        return replay
    idea, team = await ideas.create(session, principal, body)
    index_after_commit(session, index, idea)
    answer = _full(principal, idea, team)
    await idem.finish(201, answer)
    set_etag(response, idea.version)
    return answer


@router.get(
    "",
    response_model=IdeaPage,
    summary="Your council's ideas, newest first, filtered",
    responses=responses(401, 403, 422),
)
async def list_ideas(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    hack_day_id: uuid.UUID | None = None,
    service_area: ServiceArea | None = None,
    tag: Annotated[TagFilter | None, Query()] = None,
    status: Annotated[
        IdeaStatus | None, Query(description="Withdrawn and hidden ideas are listed only when asked for.")
    ] = None,
    q: Annotated[SearchWords | None, Query(description="Words in the title, problem or proposal.")] = None,
    mine: Annotated[bool, Query(description="Only ideas whose team you are on.")] = False,
    council_id: Annotated[uuid.UUID | None, Query(description="Admins only: one council.")] = None,
) -> IdeaPage:
    f = listing.IdeaFilter(
        hack_day_id=hack_day_id,
        service_area=service_area,
        tag=tag,
        status=status,
        q=q,
        mine=mine,
        council_id=council_id,
    )
    rows, total = await listing.page(session, principal, f, limit=page.limit, offset=page.offset)
    teams = await ideas.teams_of(session, [i.id for i in rows])
    return IdeaPage.of([_full(principal, i, teams[i.id]) for i in rows], total, page)


@router.get(
    "/{idea_id}",
    response_model=IdeaView,
    summary="One idea: in full for its council (ETag carries its version); a summary for other councils",
    responses=responses(401, 404, 422),
)
async def get_idea(found: IdeaDep, response: Response, session: SessionDep, principal: CurrentPrincipal) -> IdeaView:
    idea, team = found
    view = idea_view(principal, idea, team)
    if view is None:  # get_readable has already refused what the caller may not see
        raise Problem(404, f"There is no idea {idea.id} that you can see.")
    if view.view == "full":
        set_etag(response, idea.version)
    return view


@router.patch(
    "/{idea_id}",
    response_model=IdeaPublic,
    summary="Edit an idea while its hack day is open (its authors; If-Match required)",
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
async def edit_idea(
    found: IdeaForUpdateDep,
    body: IdeaUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    index: IndexDep,
    if_match: IfMatch = None,
) -> IdeaPublic:
    idea, team = found
    ideas.require_team(principal, idea, team, "edit")
    check_if_match(if_match, idea.version)
    idea = await ideas.update(session, principal, idea, team, body)
    index_after_commit(session, index, idea)
    set_etag(response, idea.version)
    return _full(principal, idea, team)


@router.post(
    "/{idea_id}/withdraw",
    response_model=IdeaPublic,
    summary="Withdraw an idea (its authors, while the hack day is open or voting)",
    responses=responses(401, 403, 404, 409, 422),
)
async def withdraw_idea(
    found: IdeaForUpdateDep, response: Response, session: SessionDep, principal: CurrentPrincipal, index: IndexDep
) -> IdeaPublic:
    idea, team = found
    idea = await ideas.withdraw(session, principal, idea, team)
    index_after_commit(session, index, idea)
    set_etag(response, idea.version)
    return _full(principal, idea, team)


@router.post(
    "/{idea_id}/co-authors",
    response_model=IdeaPublic,
    summary="Invite a colleague of the same council to co-author (the lead author)",
    responses=responses(401, 403, 404, 409, 422),
)
async def invite_co_author(
    found: IdeaForUpdateDep,
    body: CoAuthorInvite,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> IdeaPublic:
    idea, team = found
    team = await ideas.invite_co_author(session, principal, idea, team, body.person_id)
    set_etag(response, idea.version)
    return _full(principal, idea, team)


@router.post(
    "/{idea_id}/invitation/accept",
    response_model=IdeaPublic,
    summary="Accept an invitation to co-author (the invited person, of the same council)",
    responses=responses(401, 403, 404, 409, 422, 503),
)
async def accept_invitation(
    found: IdeaForUpdateDep, state: StateDep, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> IdeaPublic:
    idea, team = found
    joining = any(a.person_id == principal.person_id and a.joined_at is None for a in team)
    team = await ideas.accept(session, principal, idea, team)
    voting = state.voting
    if joining and voting is not None:
        # Before the commit: voting refuses their ballots for this idea from now on (clients/voting.py).
        await voting.co_author_joining(council_id=idea.council_id, idea_id=idea.id, person_id=principal.person_id)
    set_etag(response, idea.version)
    return _full(principal, idea, team)


@router.delete(
    "/{idea_id}/co-authors/{person_id}",
    response_model=IdeaPublic,
    summary="Remove a co-author or an invitation (the lead author), or leave a team (yourself)",
    responses=responses(401, 403, 404, 409, 422),
)
async def remove_co_author(
    found: IdeaForUpdateDep,
    person_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> IdeaPublic:
    idea, team = found
    team = await ideas.remove_co_author(session, principal, idea, team, person_id)
    set_etag(response, idea.version)
    return _full(principal, idea, team)
