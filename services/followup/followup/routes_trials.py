"""HTTP routes of trials: open one (or the vote-to-trial message), list, read and change the plan.

HTTP only: parse, authorise (access.py), call service.py, shape the answer (views.py).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from followup import service
from followup.access import check_version, trial_for_change, trial_for_reading
from followup.http_common import (
    MAX_OFFSET,
    MAX_PAGE,
    IdempotencyKey,
    IfMatch,
    Manager,
    answer,
    etag,
    idempotency,
)
from followup.ideas_client import IdeasClient, ideas_client
from followup.schemas import (
    InternalTrialCreate,
    Page,
    TrialCreate,
    TrialPublic,
    TrialSummary,
    TrialUpdate,
    dump,
)
from followup.views import (
    trial_public,
    trial_summary,
)
from followup.vocab import TrialStatus
from platform_core.auth import CurrentPrincipal, Principal
from platform_core.db import SessionDep
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api/followup", tags=["trials"])


# ---- trials ----------------------------------------------------------------------------------------


@router.post(
    "/trials",
    response_model=TrialPublic,
    status_code=201,
    summary="Open a planned trial of an idea (or get the idea's existing trial, 200)",
    responses={
        200: {"model": TrialPublic, "description": "The idea already has this trial"},
        **responses(400, 401, 403, 409, 422, 503),
    },
)
async def create_trial(
    body: TrialCreate,
    request: Request,
    session: SessionDep,
    principal: Manager,
    ideas: Annotated[IdeasClient, Depends(ideas_client)],
    idempotency_key_header: IdempotencyKey = None,
):
    idem = idempotency(request, session, principal, body)
    if (replay := await idem.begin()) is not None:
        return replay
    existing = await service.trial_of_idea(session, body.idea_id)
    if existing is not None:
        # Same answer as for a new trial of another council's idea: no hint that a trial exists.
        if not principal.in_council(existing.council_id):
            raise Problem(
                403,
                "Only managers of the idea's own council can run a trial of it.",
                errors=[{"field": "idea_id", "message": "belongs to another council"}],
            )
        trial, created = existing, False
    else:
        idea = await ideas.idea(body.idea_id, principal)
        held_on = await ideas.hack_day_date(idea.hack_day_id, principal) if idea.hack_day_id else None
        trial, created = await service.create_trial(
            session, principal=principal, body=body, idea=idea, hack_day_on=held_on
        )
    view = await trial_public(session, trial)
    status = 201 if created else 200
    await idem.finish(status, dump(view))
    return answer(view, status, trial.version, f"/api/followup/trials/{trial.id}")


@router.get(
    "/trials",
    response_model=Page[TrialSummary],
    summary="Trials of your council (admins: of every council, or of `council_id`)",
    responses=responses(401, 422),
)
async def list_trials(
    session: SessionDep,
    principal: CurrentPrincipal,
    status: TrialStatus | None = None,
    council_id: Annotated[uuid.UUID | None, Query(description="Admins only")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[TrialSummary]:
    scope = council_id if principal.is_admin else principal.council_id
    trials, total, outcomes, entries = await service.list_trials(
        session,
        council_id=scope,
        everyone=principal.is_admin and council_id is None,
        status=status,
        limit=limit,
        offset=offset,
    )
    return Page[TrialSummary](
        items=[trial_summary(t, outcomes.get(t.id), entries.get(t.id)) for t in trials],
        total=total,
        limit=limit,
        offset=offset,
        next_offset=offset + limit if offset + limit < total else None,
    )


@router.get(
    "/trials/by-idea/{idea_id}",
    response_model=TrialPublic,
    summary="The trial of an idea of your council",
    responses=responses(401, 404, 422),
)
async def trial_by_idea(
    idea_id: uuid.UUID, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> TrialPublic:
    found = await service.trial_of_idea(session, idea_id)
    if found is None:
        raise Problem(404, f"Idea {idea_id} has no trial that you can see.")
    trial = await trial_for_reading(session, found.id, principal)
    etag(response, trial.version)
    return await trial_public(session, trial)


@router.get(
    "/trials/{trial_id}",
    response_model=TrialPublic,
    summary="A trial of your council in full: plan, metrics, reviews, live gain, verdict",
    responses=responses(401, 404, 422),
)
async def get_trial(
    trial_id: uuid.UUID, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> TrialPublic:
    trial = await trial_for_reading(session, trial_id, principal)
    etag(response, trial.version)
    return await trial_public(session, trial)


@router.patch(
    "/trials/{trial_id}",
    response_model=TrialPublic,
    summary="Change a trial's plan (hypothesis, review date and checkpoints only while planned)",
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
async def update_trial(
    trial_id: uuid.UUID,
    body: TrialUpdate,
    response: Response,
    session: SessionDep,
    principal: Manager,
    if_match: IfMatch = None,
) -> TrialPublic:
    trial = await trial_for_change(session, trial_id, principal)
    check_version(trial.version, if_match, required=True)
    service.update_trial(trial, body)
    await session.flush()
    etag(response, trial.version)
    return await trial_public(session, trial)


# ---- the vote-to-trial message ---------------------------------------------------------------------


async def _service_only(principal: CurrentPrincipal) -> Principal:
    # Not even admins: this is a machine-to-machine door, opened only by the service credential.
    if not principal.is_service:
        raise Problem(403, "Only the platform's own services may call this endpoint.")
    return principal


@router.post(
    "/internal/trials",
    response_model=TrialSummary,
    status_code=201,
    summary="Internal: a selected idea becomes a planned trial, exactly once (service credential only)",
    responses={
        200: {"model": TrialSummary, "description": "Already done: the existing trial"},
        **responses(400, 401, 403, 422),
    },
)
async def trial_from_selection(
    body: InternalTrialCreate, session: SessionDep, principal: Annotated[Principal, Depends(_service_only)]
):
    trial, created = await service.create_trial_from_selection(session, body)
    return answer(
        trial_summary(trial, None, None),
        201 if created else 200,
        trial.version,
        f"/api/followup/trials/{trial.id}",
    )
