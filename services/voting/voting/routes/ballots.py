"""Ballot routes: cast or replace your ballot, see whether you voted, check a receipt (HTTP only)."""

from __future__ import annotations

import uuid
from typing import Annotated

import orjson
from fastapi import APIRouter, Body, Header, Request, Response

from platform_core.idempotency import idempotency_key
from platform_core.problems import responses
from voting.access import not_found
from voting.deps import Caller, RoundDep, SessionDep, StateDep
from voting.domain import ballots
from voting.schemas import BallotCreate, BallotReceipt, MyBallot, ReceiptCheck, ReceiptCheckIn

router = APIRouter(prefix="/api/voting", tags=["voting"])
_A, _B, _C = (
    "0b7e7a52-5d6c-4c1e-9a43-2f4f3c1d9e01",
    "5f0c3b0e-8a0a-4d0b-b7a3-6b1f2c9d4e02",
    "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e03",
)
# One example per method (the ideas are the round's candidates' ids).
BALLOT_EXAMPLES = {
    "dot_voting": {"summary": "Dot voting", "value": {"choices": {"dots": {_A: 3, _B: 2}}}},
    "approval": {"summary": "Approval", "value": {"choices": {"approve": [_A, _C]}}},
    "ranked": {"summary": "Ranked (best first)", "value": {"choices": {"ranking": [_B, _A, _C]}}},
    "score": {"summary": "Score (0 to 5 each)", "value": {"choices": {"scores": {_A: 5, _B: 2, _C: 0}}}},
}


@router.post(
    "/rounds/{round_id}/ballot",
    response_model=BallotReceipt,
    status_code=201,
    summary="Cast or replace your ballot (send an Idempotency-Key)",
    responses=responses(401, 403, 404, 409, 422, 503),
)
async def cast_ballot(
    round_id: uuid.UUID,
    data: Annotated[BallotCreate, Body(openapi_examples=BALLOT_EXAMPLES)],
    request: Request,
    principal: Caller,
    state: StateDep,
    _key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Send one (a UUID): a retry with the same key gets the first answer and receipt back, "
            "never a second ballot.",
        ),
    ] = None,
) -> Response:
    answer = await state.ballot_box.cast(
        round_id=round_id,
        voter=principal,
        choices=data.choices,
        idempotency_key=idempotency_key(request),
    )
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    # The body is made once and sent as is (it is also what a retry replays).
    return Response(
        orjson.dumps(answer.body), status_code=answer.status_code, headers=headers, media_type="application/json"
    )


@router.get(
    "/rounds/{round_id}/ballot",
    response_model=MyBallot,
    summary="Whether you have voted (and, in an open round, your ballot)",
    responses=responses(401, 404, 422),
)
async def my_ballot(rnd: RoundDep, session: SessionDep, principal: Caller, state: StateDep) -> dict:
    config = await state.ballot_box.configs.get(session, rnd.id)
    if config is None:
        raise not_found()
    return await ballots.my_ballot(session, config, principal, state.settings.ballot_secret)


@router.post(
    "/rounds/{round_id}/receipts/check",
    response_model=ReceiptCheck,
    summary="Check a receipt: is its ballot counted (and, with the whole receipt, was it counted as cast)?",
    responses=responses(401, 404, 422),
)
async def check_receipt(
    rnd: RoundDep, data: ReceiptCheckIn, session: SessionDep, principal: Caller, state: StateDep
) -> dict:
    return await ballots.check_receipt(
        session,
        round_id=rnd.id,
        phase=rnd.phase,
        voter=principal,
        text=data.receipt,
        ballot_secret=state.settings.ballot_secret,
    )
