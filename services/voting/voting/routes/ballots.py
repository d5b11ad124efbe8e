"""Ballot routes: cast or replace your ballot, see whether you voted, check a receipt (HTTP only)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Header, Request, Response
from fastapi import routing as fastapi_routing
from fastapi.routing import APIRoute
from pydantic import ValidationError

from platform_core.auth import Principal, bearer_token, current_principal
from platform_core.idempotency import idempotency_key
from platform_core.json_bodies import is_json, json_bodies_only
from platform_core.problems import Problem, responses
from voting.access import not_found
from voting.deps import PUBLIC_ROUTES_GUARD, Caller, RoundDep, SessionDep, StateDep
from voting.domain import ballots
from voting.schemas import BallotCreate, BallotReceipt, MyBallot, ReceiptCheck, ReceiptCheckIn
from voting.state import VotingState, of_request

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


# ---- casting: the route every voter calls, with a short way through for the plain ballot ----------------------
#
# FastAPI's dependency solving for this route (the app's JSON-body check, the router's service-credential
# guard, the caller, the state, the path, the header and the body) cost about a quarter of the voting
# service's CPU per ballot. `CastRoute` answers the plain ballot (a person's valid token, a JSON body that
# BallotCreate accepts, a well-formed round id) without it: the same checks, in code, then the same `_cast`
# as the route. Anything else (no or a refused token, a service's credential, another Content-Type, a body
# or path that does not validate) goes through FastAPI as before, so every refusal keeps its one answer
# (tests/inprocess/test_voting.py compares them). If the route's dependencies are ever not exactly the
# ones checked here, the short way is off: a new dependency can never be skipped.

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


async def _cast(
    request: Request, round_id: uuid.UUID, data: BallotCreate, principal: Principal, state: VotingState
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


async def _plain_cast(request: Request) -> Response | None:
    """The cast's answer if the request is a plain ballot (see above); None to let FastAPI handle it."""
    content_type = request.headers.get("content-type")
    round_text = request.path_params.get("round_id", "")
    if not (content_type and is_json(content_type) and _UUID.fullmatch(round_text) and bearer_token(request)):
        return None
    try:
        data = BallotCreate.model_validate(orjson.loads(await request.body()))
        principal = await current_principal(request)
    except (orjson.JSONDecodeError, ValidationError, Problem):
        return None
    if principal.is_service:
        return None  # the guard's 403
    return await _cast(request, uuid.UUID(round_text), data, principal, await of_request(request))


# What the route depends on, app and router included, and what it reads: exactly what `_plain_cast` checks.
_CHECKED = {json_bodies_only, PUBLIC_ROUTES_GUARD, current_principal, of_request}


class CastRoute(APIRoute):
    """The cast route, answering a plain ballot by `_plain_cast` and anything else by FastAPI."""

    def get_route_handler(self) -> Handler:
        full = super().get_route_handler()
        # As included in the app (FastAPI builds a handler per inclusion, with the app's and routers'
        # dependencies); the route alone if this FastAPI does not say.
        context_var = getattr(fastapi_routing, "_effective_route_context_var", None)
        context = context_var.get() if context_var is not None else None
        dependant = context.dependant if context is not None and context.original_route is self else self.dependant
        shape = (
            {d.call for d in dependant.dependencies},
            [f.name for f in dependant.path_params],
            [f.alias for f in dependant.header_params],
            [f.name for f in dependant.query_params + dependant.cookie_params],
            [f.name for f in dependant.body_params],
        )
        if shape != (_CHECKED, ["round_id"], ["Idempotency-Key"], [], ["data"]):
            return full

        async def handler(request: Request) -> Response:
            return await _plain_cast(request) or await full(request)

        return handler


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
    """Casts your ballot in an open round, or replaces the one you cast: only your latest ballot counts. The answer
    is a receipt; keep it to check later that your ballot was counted as cast. In a secret round nothing the
    platform keeps or answers links you to your choices. Only people of the round's council with a voting role
    (staff, organisers, managers), and on its list of voters if it has one, may vote (403). A ballot that does
    not fit the method and rules, or that votes for an idea you authored or co-authored, is a 422 naming the
    choice; a round that is not open or outside its window is a 409. Send an `Idempotency-Key`: a retry with the
    same key gets the first receipt back, never a second ballot (the same key with another ballot: 422)."""
    return await _cast(request, round_id, data, principal, state)


router.add_api_route(
    "/rounds/{round_id}/ballot",
    cast_ballot,
    methods=["POST"],
    route_class_override=CastRoute,
    response_model=BallotReceipt,
    status_code=201,
    summary="Cast or replace your ballot (send an Idempotency-Key)",
    responses=responses(401, 403, 404, 409, 422, 503),
)


@router.get(
    "/rounds/{round_id}/ballot",
    response_model=MyBallot,
    summary="Whether you have voted (and, in an open round, your ballot)",
    responses=responses(401, 404, 422),
)
async def my_ballot(rnd: RoundDep, session: SessionDep, principal: Caller, state: StateDep) -> dict:
    """Whether you have voted in a round of your council. In an open (not secret) round it also gives your current
    ballot and its receipt; in a secret round only your receipt shows what you chose. A round of another council
    is a 404."""
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
    """Checks a receipt against the round: `counted` if its ballot is the one counted, `not_counted` if it was
    replaced or is unknown. While the round is open only the voter may check, of their own current ballot; once
    it is closed anyone of the council may, and the whole receipt also proves the ballot was counted as cast,
    with its place in the audit chain. A round of another council is a 404."""
    return await ballots.check_receipt(
        session,
        round_id=rnd.id,
        phase=rnd.phase,
        voter=principal,
        text=data.receipt,
        ballot_secret=state.settings.ballot_secret,
    )
