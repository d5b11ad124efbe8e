"""Round routes: create, list, read, change, open, close and publish rounds (HTTP only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import JSONResponse

from platform_core.auth import Principal, require_roles
from platform_core.etag import IfMatch, check_if_match, set_etag
from platform_core.idempotency import Created, IdempotentCreateDep
from platform_core.pages import PageDep
from platform_core.problems import Problem, responses
from voting.access import not_found, organises, sees_round
from voting.deps import Caller, OrganisedRoundDep, RoundDep, SessionDep, StateDep
from voting.domain import rounds
from voting.models import Round
from voting.schemas import PublishIn, RoundCreate, RoundPage, RoundPublic, RoundUpdate
from voting.views import round_public
from voting.vocabulary import Phase

router = APIRouter(prefix="/api/voting", tags=["voting"])


def _request_id(request: Request) -> str | None:
    return request.headers.get("x-request-id")


async def _answer(session: SessionDep, rnd: Round, principal: Principal, response: Response) -> RoundPublic:
    set_etag(response, rnd.version)
    return round_public(rnd, principal, await rounds.voter_count(session, rnd.id))


@router.post(
    "/rounds",
    response_model=RoundPublic,
    status_code=201,
    summary="Create a round over a hack day's ideas",
    responses=responses(401, 403, 409, 422, 503),
)
async def create_round(
    data: RoundCreate,
    request: Request,
    session: SessionDep,
    state: StateDep,
    idem: IdempotentCreateDep,
    principal: Annotated[Principal, Depends(require_roles("organiser"))],
) -> JSONResponse:
    """Creates a voting round, in draft, over a hack day of the organiser's own council: over the ideas named in
    `idea_ids`, or else over every shortlisted idea (at least two). The candidates' titles and authors are taken
    from the ideas service now. Only organisers of a council may (403); a hack day of another council, or an idea
    that is not a live idea of that hack day, is a 422 naming it; 503 when the ideas service does not answer. A
    retry with the same `Idempotency-Key` gets the first answer, never a second round (the same key with another
    body: 422)."""
    if principal.council_id is None or not principal.has("organiser"):
        raise Problem(403, "Rounds are created by organisers of a council.")
    # The ideas service is asked before the database is touched: no lock is held while we wait.
    candidates = await rounds.snapshot_candidates(
        state.ideas, principal, data.hack_day_id, data.idea_ids, _request_id(request)
    )

    async def make() -> Created:
        rnd = await rounds.create_round(session, state.audit_key, principal, data, candidates)
        return Created(round_public(rnd, principal, 0), version=rnd.version, location=f"/api/voting/rounds/{rnd.id}")

    return await idem.create(data, make)


@router.get("/rounds", response_model=RoundPage, summary="Rounds of your council", responses=responses(401, 422))
async def list_rounds(
    principal: Caller,
    session: SessionDep,
    page: PageDep,
    hack_day_id: uuid.UUID | None = None,
    phase: Phase | None = None,
) -> RoundPage:
    """Lists the voting rounds of your council, a page at a time, optionally of one hack day or one phase, with how
    many have voted in each. Anyone signed in to the council may read them; admins see every council's."""
    found, total = await rounds.page_of_rounds(
        session,
        council_id=None if principal.is_admin else principal.council_id,
        hack_day_id=hack_day_id,
        phase=phase,
        limit=page.limit,
        offset=page.offset,
    )
    counts = await rounds.voter_counts(session, [r.id for r in found])
    return RoundPage.of([round_public(r, principal, counts.get(r.id, 0)) for r in found], total, page)


@router.get("/rounds/{round_id}", response_model=RoundPublic, summary="A round", responses=responses(401, 404, 422))
async def get_round(rnd: RoundDep, principal: Caller, session: SessionDep, response: Response) -> RoundPublic:
    """One voting round of your council: its method, rules, candidates, window, phase and how many have voted. Its
    ETag carries the version that a change sends back in If-Match. A round of another council is a 404. A round
    whose closing time has passed is closed and counted when it is read."""
    return await _answer(session, rnd, principal, response)


@router.patch(
    "/rounds/{round_id}",
    response_model=RoundPublic,
    summary="Change a round (If-Match its version)",
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428, 503),
)
async def update_round(
    round_id: uuid.UUID,
    data: RoundUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    state: StateDep,
    principal: Caller,
    if_match: IfMatch = None,
) -> RoundPublic:
    # Read the round in a short session of its own: the ideas service may be asked for a new
    # snapshot, and no transaction (on SQLite, the write lock) should be held while it answers.
    """Changes a round's title, method, rules, candidates, window or number of selected ideas; fields left out stay
    as they are. Only organisers of the round's council (and admins) may (403). Send the ETag you read as
    If-Match: 428 without it, 400 if it is not an ETag, 412 if the round changed since. Once a ballot is cast the
    method, rules and candidates are frozen (409), a closed round changes only its title and number selected, and
    a published round not at all (409). New candidates are read from the ideas service (503 if it does not
    answer)."""
    async with state.sessionmaker() as peek:
        found = await peek.get(Round, round_id)
        if found is None or not sees_round(principal, found):
            raise not_found()
        if not organises(principal, found):
            raise Problem(403, "Only organisers of the round's council can do this.")
        hack_day_id, read_version = found.hack_day_id, found.version
    # Missing (428), not a list of ETags (400) or stale (412): refused before the ideas service is asked.
    check_if_match(if_match, read_version)
    candidates = None
    if "idea_ids" in data.model_fields_set:
        candidates = await rounds.snapshot_candidates(
            state.ideas, principal, hack_day_id, data.idea_ids, _request_id(request)
        )
    rnd = await session.get(Round, round_id)
    if rnd is None:
        raise not_found()
    check_if_match(if_match, rnd.version)  # again: someone may have changed it meanwhile
    rnd = await rounds.update_round(session, state.audit_key, principal, rnd, data, candidates)
    return await _answer(session, rnd, principal, response)


@router.post(
    "/rounds/{round_id}/open",
    response_model=RoundPublic,
    summary="Open a draft round for voting",
    responses=responses(401, 403, 404, 409, 422),
)
async def open_round(
    rnd: OrganisedRoundDep, response: Response, session: SessionDep, state: StateDep, principal: Caller
) -> RoundPublic:
    """Opens a draft round for voting: from now (or its `opens_at`) the council's voters may cast ballots until it
    is closed or its `closes_at` passes. Only organisers of the round's council (and admins) may (403). A round
    that is not a draft, or whose closing time is already past, is a 409."""
    rnd = await rounds.open_round(session, state.audit_key, principal, rnd)
    return await _answer(session, rnd, principal, response)


@router.post(
    "/rounds/{round_id}/close",
    response_model=RoundPublic,
    summary="Close an open round and count it",
    responses=responses(401, 403, 404, 409, 422),
)
async def close_round(
    rnd: OrganisedRoundDep, response: Response, session: SessionDep, state: StateDep, principal: Caller
) -> RoundPublic:
    """Closes an open round: no more ballots are taken, the ballot box is opened and counted, and the result is
    stored and sealed in the audit chain. Only organisers of the round's council (and admins) may (403); a round
    that is not open is a 409. A round also closes by itself when its `closes_at` passes."""
    rnd = await rounds.close_round(
        session, state.audit_key, rnd, by=principal, ballot_secret=state.settings.ballot_secret
    )
    return await _answer(session, rnd, principal, response)


@router.post(
    "/rounds/{round_id}/publish",
    response_model=RoundPublic,
    summary="Publish a closed round's result and ballots to the council",
    responses=responses(401, 403, 404, 409, 422),
)
async def publish_round(
    rnd: OrganisedRoundDep,
    response: Response,
    session: SessionDep,
    state: StateDep,
    principal: Caller,
    data: Annotated[PublishIn | None, Body()] = None,
) -> RoundPublic:
    """Publishes a closed round: its result, the ideas selected (optionally a new `selected_count`) and its counted
    ballots, without voters, become readable by the whole council, and the selected ideas go on to follow-up.
    Only organisers of the round's council (and admins) may (403); a round that is not closed is a 409.
    Publishing is for good."""
    selected_count = data.selected_count if data else None
    rnd = await rounds.publish_round(session, state.audit_key, principal, rnd, selected_count)
    return await _answer(session, rnd, principal, response)
