"""Idea routes: submit, list, read, edit (If-Match), withdraw, and the team of co-authors."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

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
    IdeaCounts,
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
from platform_core.idempotency import Created, IdempotentCreateDep
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
    body: IdeaCreate, session: SessionDep, principal: CurrentPrincipal, index: IndexDep, idem: IdempotentCreateDep
) -> Response:
    """Submits an idea to a hack day of your own council while it is open; you become its lead author. Anyone signed
    in to a council may submit; a sign-in of no council is refused (403), a hack day of another council is a 404
    and one that is not open a 409. A retry with the same `Idempotency-Key` gets the first answer, never a second
    idea (the same key with another body: 422). The ETag is the version that an edit sends back in If-Match."""
    if principal.council_id is None:
        raise Problem(403, "Ideas are submitted by people of a council; your sign-in belongs to none.")

    async def make() -> Created:
        idea, team = await ideas.create(session, principal, body)
        index_after_commit(session, index, idea)
        return Created(_full(principal, idea, team), version=idea.version)

    return await idem.create(body, make)


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
    """Lists your council's ideas, newest first, a page at a time, filtered by hack day, service area, tag, status,
    words in the text, or only the ideas whose team you are on. Withdrawn and hidden ideas are left out unless
    asked for by status, and a hidden idea is listed only to its team and the organisers. Admins may name a
    council; anyone else naming another council is refused (403)."""
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
    "/counts",
    response_model=IdeaCounts,
    summary="How many of your council's ideas are in play, and in each status, without listing them",
    responses=responses(401, 403, 422),
)
async def count_ideas(
    session: SessionDep,
    principal: CurrentPrincipal,
    council_id: Annotated[uuid.UUID | None, Query(description="Admins only: one council.")] = None,
) -> IdeaCounts:
    """Counts your council's ideas as the list totals them, in one cheap call: `in_play` is the list's `total`
    with no `status`, and each status's figure its `total` with that `status`; no idea is read. Hidden ideas
    count only for organisers, as only they list them. Admins may name a council; anyone else naming another
    council is refused (403), as is a sign-in of no council."""
    found = await listing.counts(session, principal, council_id=council_id)
    return IdeaCounts(in_play=found.in_play, **found.by_status)


@router.get(
    "/{idea_id}",
    response_model=IdeaView,
    summary="One idea: in full for its council (ETag carries its version); a summary for other councils",
    responses=responses(401, 404, 422),
)
async def get_idea(found: IdeaDep, response: Response, session: SessionDep, principal: CurrentPrincipal) -> IdeaView:
    """One idea. People of its council (and admins) read it in full, with an ETag carrying the version an edit sends
    back. People of other councils read a summary (title, area, council) until its trial's outcome is published,
    then the whole idea. A hidden or withdrawn idea of another council, or a hidden idea you are not on the team
    of and do not moderate, is a 404, as if it did not exist."""
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
    """Changes an idea's text while its hack day is open; fields left out stay as they are. Only its authors (the
    lead author and co-authors who accepted) may (403). Send the ETag you read as If-Match, so that two
    co-authors never silently overwrite each other: 428 without it, 400 if it is not an ETag, 412 if the idea
    changed since. An idea that is withdrawn, hidden or a duplicate, or whose hack day is no longer open, is a
    409."""
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
    """Withdraws an idea from its hack day: it leaves the lists and the vote, and is kept, not deleted. Only its
    authors may (403), while the hack day is open or voting (409 afterwards, or when the idea is hidden or a
    duplicate); withdrawing it again changes nothing."""
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
    """Invites a colleague, by their person id, to co-author an idea; they join only when they accept the invitation
    themselves, which also proves they belong to the idea's council. Only the lead author may invite (403), while
    the idea can still be edited (409), and at most 10 co-authors (409). Inviting someone already invited or on
    the team changes nothing."""
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
    """Accepts an invitation to co-author an idea: you join its team and may edit it, and from then on you may not
    vote for it. Only the invited person may accept, and only if they belong to the idea's council (403
    otherwise); accepting twice changes nothing. A 503 means the voting service could not be told, and nothing
    was changed: try again."""
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
    """Removes a co-author, or withdraws an invitation not yet accepted: the lead author may remove anyone else; any
    co-author may remove themselves to leave the team (403 for anyone else). The lead author cannot leave their
    own idea (409): they withdraw it instead. A person not on the team is a 404."""
    idea, team = found
    team = await ideas.remove_co_author(session, principal, idea, team, person_id)
    set_etag(response, idea.version)
    return _full(principal, idea, team)
