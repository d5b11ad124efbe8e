"""HTTP routes of a trial's end: the verdict, and publishing it to the shared library."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from followup import library, library_record, service
from followup.access import check_version, trial_for_change
from followup.http_common import (
    IdempotencyKey,
    IfMatch,
    Manager,
    answer,
    idempotency,
)
from followup.schemas import (
    TrialPublic,
    VerdictCreate,
    dump,
)
from followup.views import (
    trial_public,
    verdict_of,
)
from platform_core.db import SessionDep
from platform_core.idempotency import Idempotency, fingerprint, idempotency_key
from platform_core.problems import responses

router = APIRouter(prefix="/api/followup", tags=["trials"])


# ---- verdict and publishing ------------------------------------------------------------------------


@router.post(
    "/trials/{trial_id}/verdict",
    response_model=TrialPublic,
    summary="Give the verdict: concludes an evaluating trial, or stops one early (outcome 'stopped')",
    responses=responses(400, 401, 403, 404, 409, 412, 422),
)
async def give_verdict(
    trial_id: uuid.UUID,
    body: VerdictCreate,
    request: Request,
    session: SessionDep,
    principal: Manager,
    if_match: IfMatch = None,
    idempotency_key_header: IdempotencyKey = None,
):
    trial = await trial_for_change(session, trial_id, principal)
    # A retried verdict (lost answer) replays the first instead of a 409 "already concluded".
    idem = idempotency(request, session, principal, body)
    if (replay := await idem.begin()) is not None:
        return replay
    check_version(trial.version, if_match, required=False)
    await service.give_verdict(session, trial, body, principal)
    view = await trial_public(session, trial)
    await idem.finish(200, dump(view))
    return answer(view, 200, trial.version)


@router.post(
    "/trials/{trial_id}/publish",
    response_model=library_record.LibraryRecord,
    status_code=201,
    summary="Publish a concluded or stopped trial's verdict to the shared library (OGL v3.0)",
    responses=responses(401, 403, 404, 409, 422),
)
async def publish(
    trial_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: Manager,
    idempotency_key_header: IdempotencyKey = None,
):
    trial = await trial_for_change(session, trial_id, principal)
    idem = Idempotency(
        session,
        str(principal.person_id),
        idempotency_key(request),
        fingerprint(request, {"trial_id": str(trial_id)}),
    )
    if (replay := await idem.begin()) is not None:
        return replay
    verdict = await verdict_of(session, trial)
    entry = await library.publish(session, trial, verdict, principal.person_id, request.app.state.settings.gateway_url)
    record = library_record.LibraryRecord.model_validate(entry.record)
    await idem.finish(201, dump(record))
    return answer(record, 201, location=f"/api/followup/library/{entry.id}")
