"""Hack day routes: organisers create and run them and shortlist, hide or mark duplicate their ideas in bulk;
the council sees them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from ideas.deps import HackDayDep, IndexDep
from ideas.domain import hack_days, ideas, listing, moderation
from ideas.domain.search import IdeaIndex, index_after_commit
from ideas.models import Idea
from ideas.schemas import (
    DuplicateMany,
    HackDayCreate,
    HackDayPage,
    HackDayPublic,
    HackDayUpdate,
    HideMany,
    IdeaRefusal,
    ModeratedMany,
    PhaseChange,
    ShortlistMany,
    ShortlistManyAnswer,
)
from ideas.views import full_view, hack_day_view, shortlist_view
from ideas.vocabulary import Phase
from platform_core.auth import CurrentPrincipal
from platform_core.csv import csv_response
from platform_core.db import SessionDep
from platform_core.etag import IfMatch, check_if_match, set_etag
from platform_core.idempotency import Created, IdempotentCreate, IdempotentCreateDep
from platform_core.pages import PageDep
from platform_core.problems import responses

router = APIRouter(prefix="/api/ideas/hack-days", tags=["hack days"])


@router.post(
    "",
    response_model=HackDayPublic,
    status_code=201,
    summary="Create a hack day (organisers; honours Idempotency-Key)",
    responses=responses(401, 403, 409, 422),
)
async def create_hack_day(
    body: HackDayCreate, session: SessionDep, principal: CurrentPrincipal, idem: IdempotentCreateDep
) -> Response:
    """Creates a hack day of the organiser's own council, in the draft phase; it takes ideas once an organiser opens
    it. Only an organiser of a council (or an admin) may create one: anyone else is refused with a 403. A retry
    with the same `Idempotency-Key` and body gets the first answer again (`Idempotent-Replayed: true`), never a
    second hack day; the same key with another body is a 422, and a retry while the first is still being saved a
    409. The ETag is the version to send in If-Match."""

    async def make() -> Created:
        hack_day = await hack_days.create(session, principal, body)
        return Created(hack_day_view(hack_day), version=hack_day.version)

    return await idem.create(body, make)


@router.get(
    "",
    response_model=HackDayPage,
    summary="Your council's hack days, newest first",
    responses=responses(401, 403, 422),
)
async def list_hack_days(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    phase: Annotated[Phase | None, Query()] = None,
    council_id: Annotated[uuid.UUID | None, Query(description="Admins only: one council.")] = None,
) -> HackDayPage:
    """Lists the hack days of your own council, newest date first, a page at a time (`limit`, `offset`), optionally
    of one phase. Anyone signed in to a council may read them. Admins see every council's, or one council's with
    `council_id`; anyone else who names another council is refused with a 403."""
    rows, total = await hack_days.page(
        session, principal, phase=phase, council_id=council_id, limit=page.limit, offset=page.offset
    )
    return HackDayPage.of([hack_day_view(h) for h in rows], total, page)


@router.get(
    "/{hack_day_id}",
    response_model=HackDayPublic,
    summary="One hack day (ETag carries its version)",
    responses=responses(401, 404, 422),
)
async def get_hack_day(hack_day: HackDayDep, response: Response) -> HackDayPublic:
    """One hack day of your council: its name, date, themes and phase. Its ETag carries the version that a change
    must send back in If-Match. A hack day of another council is answered 404, as if it did not exist."""
    set_etag(response, hack_day.version)
    return hack_day_view(hack_day)


@router.patch(
    "/{hack_day_id}",
    response_model=HackDayPublic,
    summary="Change a hack day's name, date or themes (organisers; If-Match required)",
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
async def update_hack_day(
    hack_day: HackDayDep,
    body: HackDayUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatch = None,
) -> HackDayPublic:
    """Changes a hack day's name, date or themes; fields left out stay as they are. Only the council's organisers
    (and admins) may (403 otherwise). Send the ETag you read as If-Match, so that two organisers never silently
    overwrite each other: 428 without it, 400 if it is not an ETag, 412 if the hack day changed since. A closed
    hack day can no longer be changed (409)."""
    hack_days.require_organiser(principal, hack_day)
    check_if_match(if_match, hack_day.version)
    hack_day = await hack_days.update(session, principal, hack_day, body)
    set_etag(response, hack_day.version)
    return hack_day_view(hack_day)


@router.post(
    "/{hack_day_id}/phase",
    response_model=HackDayPublic,
    summary="Move a hack day to its next phase: draft -> open -> voting -> closed (organisers)",
    responses=responses(401, 403, 404, 409, 422),
)
async def move_phase(
    hack_day: HackDayDep,
    body: PhaseChange,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> HackDayPublic:
    """Moves a hack day one step along draft -> open -> voting -> closed. Ideas are submitted and edited while it is
    open and shortlisted while it is open or voting; closing it is for good. Only the council's organisers (and
    admins) may. Skipping or going back a phase is refused with a 409; asking for the phase it is already in
    changes nothing, so a retry is safe."""
    hack_day = await hack_days.move_phase(session, principal, hack_day, body.phase)
    set_etag(response, hack_day.version)
    return hack_day_view(hack_day)


@router.get(
    "/{hack_day_id}/ideas.csv",
    response_class=Response,
    summary="Every idea of the hack day as CSV (organisers)",
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The ideas as CSV"},
        **responses(401, 403, 404, 422),
    },
)
async def export_ideas(hack_day: HackDayDep, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Every idea of the hack day as a CSV file, for the organisers to work on in a spreadsheet (403 for anyone
    else). Cells that a spreadsheet would run as a formula are escaped with a leading `'`."""
    hack_days.require_organiser(principal, hack_day)
    body = await listing.export_csv(session, hack_day)
    return csv_response(body, f"hack-day-{hack_day.id}-ideas.csv")


BULK_IDEMPOTENCY = (
    " A retry with the same `Idempotency-Key` and body gets the first answer again (`Idempotent-Replayed: true`); "
    "the same key with another body is a 422, and a retry while the first is still being saved a 409."
)


@router.post(
    "/{hack_day_id}/shortlist",
    response_model=ShortlistManyAnswer,
    tags=["moderation"],
    summary="Shortlist many of a hack day's ideas in one call (organisers; each refused idea says why)",
    description="Every idea that can be shortlisted is; each that cannot (not an idea of this hack day, "
    "or not submitted) is listed in `refused` with the status and detail it would get alone, and the "
    "others still go ahead. Asking again changes nothing, so a retry is safe. Each shortlisted idea "
    "carries the 'tried before and failed' warning of `POST /api/ideas/ideas/{idea_id}/shortlist`." + BULK_IDEMPOTENCY,
    responses=responses(401, 403, 404, 409, 422),
)
async def shortlist_ideas(
    hack_day: HackDayDep,
    body: ShortlistMany,
    session: SessionDep,
    principal: CurrentPrincipal,
    index: IndexDep,
    idem: IdempotentCreateDep,
) -> Response:
    async def make() -> Created:
        shortlisted, refused = await moderation.shortlist_many(session, principal, hack_day, body.idea_ids)
        teams = await ideas.teams_of(session, [idea.id for idea in shortlisted])
        answers = []
        for idea in shortlisted:
            failed = await moderation.failed_trials_like(session, principal, index, idea) if index.built else []
            answers.append(shortlist_view(full_view(idea, teams[idea.id], with_moderation=True), failed))
        return Created(ShortlistManyAnswer(shortlisted=answers, refused=_refusals(refused)), status=200)

    return await idem.create(body, make)


@router.post(
    "/{hack_day_id}/hide",
    response_model=ModeratedMany,
    tags=["moderation"],
    summary="Hide many of a hack day's ideas in one call, with one reason (organisers; each refused idea says why)",
    description="Hides each named idea of the hack day, with the reason kept for the record, as "
    "`POST /api/ideas/ideas/{idea_id}/hide` does for one: they leave the lists, the search and the vote. Not "
    "all-or-nothing: an id that is not an idea of this hack day is listed in `refused` (404) and the others still "
    "go ahead; an idea hidden already is answered as it is (its first reason kept). Only the council's organisers "
    "(and admins) may (403); another council's hack day is a 404. Asking again changes nothing." + BULK_IDEMPOTENCY,
    responses=responses(401, 403, 404, 409, 422),
)
async def hide_ideas(
    hack_day: HackDayDep,
    body: HideMany,
    session: SessionDep,
    principal: CurrentPrincipal,
    index: IndexDep,
    idem: IdempotentCreateDep,
) -> Response:
    hide = partial(moderation.hide_many, session, principal, hack_day, body.idea_ids, body.reason)
    return await _moderate_many(idem, session, body, hide, index)


@router.post(
    "/{hack_day_id}/duplicate",
    response_model=ModeratedMany,
    tags=["moderation"],
    summary="Mark many of a hack day's ideas duplicates of one earlier idea, in one call (organisers)",
    description="Marks each named idea of the hack day a duplicate of `duplicate_of_id`, linked and not deleted, "
    "by the rules of `POST /api/ideas/ideas/{idea_id}/duplicate`. The earlier idea must be visible and of the "
    "same council, or the whole request is a 404 naming `duplicate_of_id`. Otherwise not all-or-nothing: each "
    "idea that cannot be marked is listed in `refused` with the status it would get alone (404: not an idea of "
    "this hack day; 409: the earlier idea itself, one it duplicates, or an idea not submitted or shortlisted) "
    "and the others still go ahead; an idea marked so already is answered as it is. Only the council's "
    "organisers (and admins) may (403); another council's hack day is a 404. Asking again changes nothing."
    + BULK_IDEMPOTENCY,
    responses=responses(401, 403, 404, 409, 422),
)
async def mark_duplicates(
    hack_day: HackDayDep,
    body: DuplicateMany,
    session: SessionDep,
    principal: CurrentPrincipal,
    idem: IdempotentCreateDep,
) -> Response:
    mark = partial(moderation.mark_duplicates, session, principal, hack_day, body.idea_ids, body.duplicate_of_id)
    return await _moderate_many(idem, session, body, mark)


async def _moderate_many(
    idem: IdempotentCreate,
    session: AsyncSession,
    body: HideMany | DuplicateMany,
    change: Callable[[], Awaitable[tuple[list[Idea], list[moderation.Refusal]]]],
    index: IdeaIndex | None = None,
) -> Response:
    """The first answer again for a retried key; else `change()` made, each idea it changed queued for the
    index (hiding changes what search finds), and the answer kept for a retry."""

    async def make() -> Created:
        done, refused = await change()
        if index is not None:
            for idea in done:
                index_after_commit(session, index, idea)
        teams = await ideas.teams_of(session, [idea.id for idea in done])
        moderated = [full_view(idea, teams[idea.id], with_moderation=True) for idea in done]
        return Created(ModeratedMany(moderated=moderated, refused=_refusals(refused)), status=200)

    return await idem.create(body, make)


def _refusals(refused: list[moderation.Refusal]) -> list[IdeaRefusal]:
    return [IdeaRefusal(idea_id=r.idea_id, status=r.status, detail=r.detail) for r in refused]
