"""Internal routes: what other services call with their own credential (never reachable by people)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from followup import events, views
from followup.deps import ServiceCaller, SessionDep
from followup.routes.http import answer
from followup.schemas import InternalTrialCreate, TrialSummary
from platform_core.problems import responses

router = APIRouter(prefix="/api/followup/internal", tags=["internal"])


@router.post(
    "/trials",
    response_model=TrialSummary,
    status_code=201,
    summary="Internal: a selected idea becomes a planned trial, exactly once (service credential only)",
    responses={
        200: {"model": TrialSummary, "description": "Already done: the existing trial"},
        **responses(400, 401, 403, 422),
    },
)
async def trial_from_selection(body: InternalTrialCreate, session: SessionDep, _: ServiceCaller) -> JSONResponse:
    trial, created = await events.trial_from_selection(session, body)
    return answer(
        views.trial_summary(trial, None, None),
        201 if created else 200,
        trial.version,
        f"/api/followup/trials/{trial.id}",
    )
