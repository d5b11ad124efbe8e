"""Internal routes: what other services call with their own credential (never reachable by people)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from followup import events, views
from followup.deps import FromVoting, IdeasDep, SessionDep
from followup.routes.http import answer
from followup.schemas import InternalTrialCreate, TrialSummary
from platform_core.problems import responses

router = APIRouter(prefix="/api/followup/internal", tags=["internal"])


@router.post(
    "/trials",
    response_model=TrialSummary,
    status_code=201,
    summary="Internal: a selected idea becomes a planned trial, exactly once (the voting service only)",
    responses={
        200: {"model": TrialSummary, "description": "Already done: the existing trial"},
        **responses(400, 401, 403, 422),
    },
)
async def trial_from_selection(
    body: InternalTrialCreate, session: SessionDep, principal: FromVoting, ideas: IdeasDep
) -> JSONResponse:
    held_on = body.hack_day_on
    if held_on is None and body.hack_day_id is not None:
        # The vote's message names the hack day but not its date: ask the ideas service (best effort),
        # so that "time from hack day to verdict" counts trials opened by a vote too.
        held_on = await ideas.hack_day_date(body.hack_day_id, principal)
    trial, created = await events.trial_from_selection(session, body, hack_day_on=held_on)
    return answer(
        views.trial_summary(trial, None, None),
        201 if created else 200,
        trial.version,
        f"/api/followup/trials/{trial.id}",
    )
