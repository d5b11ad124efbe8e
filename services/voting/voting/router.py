"""HTTP routes of the voting service (parse, authorise, call the rules, shape the answer)."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

import orjson
from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from sqlalchemy import func, select
from sqlmodel import col

from platform_core.auth import CurrentPrincipal, Principal, require_roles
from platform_core.db import SessionDep, request_session
from platform_core.idempotency import Idempotency, fingerprint, idempotency_key
from platform_core.problems import Problem, responses
from voting import audit, ballots, exports, rounds
from voting.access import (
    OrganisedRoundDep,
    RoundDep,
    check_after_close,
    not_found,
    organises,
    result_is_final_for,
    sees_round,
)
from voting.models import AuditEntry, Ballot, Round
from voting.schemas import (
    AuditEntryPublic,
    AuditPage,
    AuditVerification,
    BallotIn,
    BallotReceipt,
    BallotsExport,
    BrokenEntry,
    Candidate,
    MyBallot,
    Phase,
    PublishIn,
    ReceiptCheck,
    ReceiptCheckIn,
    ResultPublic,
    RoundCreate,
    RoundPage,
    RoundPublic,
    RoundUpdate,
    RulesPublic,
    SelectedIdea,
)

router = APIRouter(prefix="/api/voting", tags=["voting"])
# The routes every voter calls, matched before the rest: routing tries routes in order, twice a request.
ballot_router = APIRouter(prefix="/api/voting", tags=["voting"])
MAX_PAGE = 200
MAX_OFFSET = 1_000_000  # past any real list; keeps the number inside a database integer


def _keys(request: Request) -> tuple[str, str]:
    s = request.app.state.settings
    return s.audit_key, s.ballot_secret


def _request_id(request: Request) -> str | None:
    return request.headers.get("x-request-id")


def _present(rnd: Round, principal: Principal, voters: int) -> RoundPublic:
    r = rnd.rules
    rules = RulesPublic(
        **{k: r.get(k) for k in ("dots_per_voter", "max_dots_per_idea", "max_approvals", "count", "min_votes")},
        eligible="council" if r.get("voter_ids") is None else "listed",
        voter_ids=r.get("voter_ids") if organises(principal, rnd) else None,
        exclude_own_ideas=r["exclude_own_ideas"],
        secret=r["secret"],
        results_hidden_until_close=r["results_hidden_until_close"],
    )
    return RoundPublic(
        id=rnd.id,
        council_id=rnd.council_id,
        hack_day_id=rnd.hack_day_id,
        title=rnd.title,
        method=rnd.method,
        rules=rules,
        candidates=[Candidate(**c) for c in rnd.candidates],
        phase=rnd.phase,
        opens_at=rnd.opens_at,
        closes_at=rnd.closes_at,
        selected_count=rnd.selected_count,
        frozen=rnd.frozen or voters > 0,
        voters=voters,
        audit_head=rnd.audit_head if rnd.phase in ("closed", "published") else None,
        created_by=rnd.created_by,
        created_at=rnd.created_at,
        updated_at=rnd.updated_at,
        opened_at=rnd.opened_at,
        closed_at=rnd.closed_at,
        published_at=rnd.published_at,
        version=rnd.version,
    )


async def _answer(session: SessionDep, rnd: Round, principal: Principal, response: Response) -> RoundPublic:
    response.headers["ETag"] = f'"{rnd.version}"'
    return _present(rnd, principal, await rounds.voter_count(session, rnd.id))


# --- rounds ---------------------------------------------------------------------------------


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
    response: Response,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require_roles("organiser"))],
):
    if principal.council_id is None or not principal.has("organiser"):
        raise Problem(403, "Rounds are created by organisers of a council.")
    key = idempotency_key(request)
    # The ideas service is asked before the database is touched: no lock is held while we wait.
    candidates = await rounds.snapshot_candidates(
        request.app.state.ideas, principal, data.hack_day_id, data.idea_ids, _request_id(request)
    )
    idem = Idempotency(session, str(principal.person_id), key, fingerprint(request, data.model_dump(mode="json")))
    replay = await idem.begin()
    if replay is not None:
        return replay
    rnd = await rounds.create_round(session, _keys(request)[0], principal, data, candidates)
    out = _present(rnd, principal, 0)
    await idem.finish(201, out.model_dump(mode="json"))
    response.headers["ETag"] = f'"{rnd.version}"'
    response.headers["Location"] = f"/api/voting/rounds/{rnd.id}"
    return out


@router.get("/rounds", response_model=RoundPage, summary="Rounds of your council", responses=responses(401, 422))
async def list_rounds(
    principal: CurrentPrincipal,
    session: SessionDep,
    hack_day_id: uuid.UUID | None = None,
    phase: Phase | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
):
    query = select(Round)
    if not principal.is_admin:
        query = query.where(Round.council_id == principal.council_id)
    if hack_day_id is not None:
        query = query.where(Round.hack_day_id == hack_day_id)
    if phase is not None:
        query = query.where(Round.phase == phase)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    found = (
        (await session.execute(query.order_by(col(Round.created_at).desc(), col(Round.id)).limit(limit).offset(offset)))
        .scalars()
        .all()
    )
    counts = await rounds.voter_counts(session, [r.id for r in found])
    items = [_present(r, principal, counts.get(r.id, 0)) for r in found]
    return RoundPage(items=items, total=total, next_offset=offset + limit if offset + limit < total else None)


@router.get("/rounds/{round_id}", response_model=RoundPublic, summary="A round", responses=responses(401, 404, 422))
async def get_round(rnd: RoundDep, principal: CurrentPrincipal, session: SessionDep, response: Response):
    return await _answer(session, rnd, principal, response)


@router.patch(
    "/rounds/{round_id}",
    response_model=RoundPublic,
    summary="Change a round (If-Match its version)",
    responses=responses(401, 403, 404, 409, 412, 422, 428, 503),
)
async def update_round(
    round_id: uuid.UUID,
    data: RoundUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: Annotated[str | None, Header()] = None,
):
    # Read the round in a short session of its own: the ideas service may be asked for a new
    # snapshot, and no transaction (on SQLite, the write lock) should be held while it answers.
    async with request.app.state.sessionmaker() as peek:
        found = await peek.get(Round, round_id)
        if found is None or not sees_round(principal, found):
            raise not_found()
        if not organises(principal, found):
            raise Problem(403, "Only organisers of the round's council can do this.")
        hack_day_id = found.hack_day_id
    if if_match is None:
        raise Problem(
            428,
            "Send If-Match with the round's version (its ETag) so changes are not overwritten.",
            errors=[{"field": "If-Match", "message": "is required"}],
        )
    candidates = None
    if "idea_ids" in data.model_fields_set:
        candidates = await rounds.snapshot_candidates(
            request.app.state.ideas, principal, hack_day_id, data.idea_ids, _request_id(request)
        )
    rnd = await session.get(Round, round_id)
    if rnd is None:
        raise not_found()
    if if_match.strip().removeprefix("W/").strip('"') != str(rnd.version):
        raise Problem(
            412,
            f"The round has changed since you read it (now version {rnd.version}); reload it.",
            errors=[{"field": "If-Match", "message": "does not match the current version"}],
        )
    rnd = await rounds.update_round(session, _keys(request)[0], principal, rnd, data, candidates)
    return await _answer(session, rnd, principal, response)


@router.post(
    "/rounds/{round_id}/open",
    response_model=RoundPublic,
    summary="Open a draft round for voting",
    responses=responses(401, 403, 404, 409, 422),
)
async def open_round(
    rnd: OrganisedRoundDep,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
):
    rnd = await rounds.open_round(session, _keys(request)[0], principal, rnd)
    return await _answer(session, rnd, principal, response)


@router.post(
    "/rounds/{round_id}/close",
    response_model=RoundPublic,
    summary="Close an open round and count it",
    responses=responses(401, 403, 404, 409, 422),
)
async def close_round(
    rnd: OrganisedRoundDep,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
):
    rnd = await rounds.close_round(session, _keys(request)[0], rnd, by=principal)
    return await _answer(session, rnd, principal, response)


@router.post(
    "/rounds/{round_id}/publish",
    response_model=RoundPublic,
    summary="Publish a closed round's result and ballots to the council",
    responses=responses(401, 403, 404, 409, 422),
)
async def publish_round(
    rnd: OrganisedRoundDep,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    data: Annotated[PublishIn | None, Body()] = None,
):
    rnd = await rounds.publish_round(session, _keys(request)[0], principal, rnd, data.selected_count if data else None)
    return await _answer(session, rnd, principal, response)


# --- ballots --------------------------------------------------------------------------------


@ballot_router.post(
    "/rounds/{round_id}/ballot",
    response_model=BallotReceipt,
    status_code=201,
    summary="Cast or replace your ballot (send an Idempotency-Key)",
    responses=responses(401, 403, 404, 409, 422, 503),
)
async def cast_ballot(round_id: uuid.UUID, data: BallotIn, request: Request, principal: CurrentPrincipal):
    state = request.app.state
    ballot_secret = _keys(request)[1]
    key = idempotency_key(request)
    answer = None
    config = ballots.cached_config(round_id)
    if config is not None:
        # A round this process knows: first ballots are written in batches (first_cast.py).
        if not principal.in_council(config.council_id):
            raise not_found()
        answer = await state.first_ballots.cast(
            ballot_secret=ballot_secret, config=config, voter=principal, choices=data.choices, idempotency_key=key
        )
    if answer is None:
        # Everything else in one transaction, committed before the answer is sent.
        async with request_session(request) as session:
            config = await ballots.round_config(session, round_id)
            if config is None or not principal.in_council(config.council_id):
                raise not_found()
            answer = await ballots.cast(
                session,
                ballot_secret=ballot_secret,
                config=config,
                voter=principal,
                choices=data.choices,
                replaces=data.replaces,
                idempotency_key=key,
            )
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    if not answer.replayed:
        state.chainer.soon(round_id)  # committed: chain its events in the background
    return Response(
        orjson.dumps(answer.body), status_code=answer.status_code, headers=headers, media_type="application/json"
    )


@ballot_router.get(
    "/rounds/{round_id}/ballot",
    response_model=MyBallot,
    summary="Whether you have voted (and, in an open round, your ballot)",
    responses=responses(401, 404, 422),
)
async def my_ballot(rnd: RoundDep, session: SessionDep, principal: CurrentPrincipal):
    config = await ballots.round_config(session, rnd.id)
    return await ballots.my_ballot(session, config, principal)


@ballot_router.post(
    "/rounds/{round_id}/receipts/check",
    response_model=ReceiptCheck,
    summary="Check a receipt: is its ballot counted, or replaced by which one?",
    responses=responses(401, 404, 422),
)
async def check_receipt(rnd: RoundDep, data: ReceiptCheckIn, session: SessionDep):
    return await ballots.check_receipt(session, rnd.id, data.receipt)


# --- results, exports, audit ----------------------------------------------------------------


@router.get(
    "/rounds/{round_id}/result",
    response_model=ResultPublic,
    summary="The round's result",
    responses=responses(401, 404, 409, 422),
)
async def get_result(rnd: RoundDep, session: SessionDep, principal: CurrentPrincipal):
    if result_is_final_for(principal, rnd):
        selected = (
            [SelectedIdea(**s) for s in rounds.selected_ideas(rnd, rnd.selected_count)]
            if rnd.phase == "published"
            else None
        )
        return ResultPublic(
            round_id=rnd.id,
            phase=rnd.phase,
            final=True,
            result=rnd.result,
            selected=selected,
            audit_head=rnd.audit_head,
        )
    return ResultPublic(round_id=rnd.id, phase=rnd.phase, final=False, result=await rounds.tally(session, rnd))


async def _counted_ballots(session: SessionDep, rnd: Round) -> list[dict]:
    rows = (
        await session.execute(
            select(Ballot.__table__.c.receipt, Ballot.__table__.c.choices, Ballot.__table__.c.voter_id)
            .where(Ballot.__table__.c.round_id == rnd.id, Ballot.__table__.c.state == "counted")
            .order_by(Ballot.__table__.c.receipt)
        )
    ).all()
    return [
        {
            "receipt": r.receipt,
            "choices": json.loads(r.choices),
            "voter_id": str(r.voter_id) if r.voter_id else None,
        }
        for r in rows
    ]


@router.get(
    "/rounds/{round_id}/ballots",
    response_model=BallotsExport,
    summary="The counted ballots (receipt and choices, no voter) with the result: recount them",
    responses=responses(401, 404, 409, 422),
)
async def ballots_export(rnd: RoundDep, session: SessionDep, principal: CurrentPrincipal):
    check_after_close(principal, rnd, "ballots")
    return {
        "round": {
            "id": rnd.id,
            "title": rnd.title,
            "method": rnd.method,
            "rules": rounds.counting_rules(rnd),
            "candidates": [{"idea_id": c["idea_id"], "title": c["title"]} for c in rnd.candidates],
        },
        "ballots": [{"receipt": b["receipt"], "choices": b["choices"]} for b in await _counted_ballots(session, rnd)],
        "result": rnd.result,
        "audit_head": rnd.audit_head,
    }


def _csv_response(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


_CSV = {200: {"content": {"text/csv": {}}, "description": "CSV file"}}


@router.get(
    "/rounds/{round_id}/export/result.csv",
    response_class=Response,
    summary="The result as CSV",
    responses={**_CSV, **responses(401, 403, 404, 409, 422)},
)
async def result_csv(rnd: OrganisedRoundDep):
    if rnd.phase not in ("closed", "published"):
        raise Problem(409, "There is a result to export once the round is closed.")
    return _csv_response(exports.result_csv(rnd), f"round-{rnd.id}-result.csv")


@router.get(
    "/rounds/{round_id}/export/ballots.csv",
    response_class=Response,
    summary="The ballots as CSV",
    responses={**_CSV, **responses(401, 403, 404, 409, 422)},
)
async def ballots_csv(rnd: OrganisedRoundDep, session: SessionDep):
    if rnd.phase not in ("closed", "published"):
        raise Problem(409, "Ballots can be exported once the round is closed.")
    return _csv_response(exports.ballots_csv(rnd, await _counted_ballots(session, rnd)), f"round-{rnd.id}-ballots.csv")


async def _chain_first(request: Request, session: SessionDep, rnd: Round) -> None:
    """An open round's log may lag its last ballots by a moment: chain them before showing it."""
    if rnd.phase == "open":
        await audit.chain_round(session, _keys(request)[0], rnd.id)
        await session.refresh(rnd)


@router.get(
    "/rounds/{round_id}/audit",
    response_model=AuditPage,
    summary="The round's audit chain",
    responses=responses(401, 404, 409, 422),
)
async def audit_log(
    rnd: RoundDep,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
):
    check_after_close(principal, rnd, "audit")
    await _chain_first(request, session, rnd)
    rows = (
        (
            await session.execute(
                select(AuditEntry)
                .where(AuditEntry.round_id == rnd.id)
                .order_by(col(AuditEntry.seq))
                .limit(limit)
                .offset(offset)
            )
        )
        .scalars()
        .all()
    )
    items = [
        AuditEntryPublic(
            seq=e.seq,
            event=e.event,
            at=e.at,
            data=json.loads(e.data),
            prev_hash=e.prev_hash,
            entry_hash=e.entry_hash,
        )
        for e in rows
    ]
    total = rnd.audit_seq
    return AuditPage(
        round_id=rnd.id,
        items=items,
        total=total,
        head=rnd.audit_head,
        next_offset=offset + limit if offset + limit < total else None,
    )


@router.get(
    "/rounds/{round_id}/audit/verify",
    response_model=AuditVerification,
    summary="Verify the audit chain and every ballot against it; names the first broken entry",
    responses=responses(401, 404, 409, 422),
)
async def verify_audit(rnd: RoundDep, request: Request, session: SessionDep, principal: CurrentPrincipal):
    check_after_close(principal, rnd, "audit")
    await _chain_first(request, session, rnd)
    v = await audit.verify(session, _keys(request)[0], rnd.id)
    broken = BrokenEntry(**vars(v.first_broken)) if v.first_broken else None
    return AuditVerification(
        round_id=rnd.id,
        ok=v.ok,
        entries_checked=v.entries_checked,
        ballots_checked=v.ballots_checked,
        ballots_pending=v.ballots_pending,
        head=v.head,
        first_broken=broken,
    )
