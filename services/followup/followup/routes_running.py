"""HTTP routes of a running trial: metrics, start, measurements, reviews, evaluation."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

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
from followup.schemas import (
    CheckpointPublic,
    CheckpointReview,
    Input,
    MeasurementCreate,
    MeasurementPublic,
    MetricCreate,
    MetricPublic,
    MetricUpdate,
    Page,
    TrialPublic,
    dump,
)
from followup.views import (
    checkpoint_public,
    measurement_list,
    metric_public,
    trial_public,
)
from platform_core.auth import CurrentPrincipal
from platform_core.db import SessionDep
from platform_core.problems import responses

router = APIRouter(prefix="/api/followup", tags=["trials"])


# ---- metrics ---------------------------------------------------------------------------------------


@router.post(
    "/trials/{trial_id}/metrics",
    response_model=MetricPublic,
    status_code=201,
    summary="Add a metric with its baseline and target (only while the trial is planned)",
    responses=responses(400, 401, 403, 404, 409, 412, 422),
)
async def add_metric(
    trial_id: uuid.UUID,
    body: MetricCreate,
    request: Request,
    session: SessionDep,
    principal: Manager,
    if_match: IfMatch = None,
    idempotency_key_header: IdempotencyKey = None,
):
    trial = await trial_for_change(session, trial_id, principal)
    idem = idempotency(request, session, principal, body)
    if (replay := await idem.begin()) is not None:
        return replay
    check_version(trial.version, if_match, required=False)
    metric = await service.add_metric(session, trial, body)
    view = metric_public(metric)
    await idem.finish(201, dump(view))
    return answer(view, 201, metric.version, f"/api/followup/trials/{trial.id}/metrics/{metric.id}")


@router.patch(
    "/trials/{trial_id}/metrics/{metric_id}",
    response_model=MetricPublic,
    summary="Change a metric (only while the trial is planned); If-Match is the metric's version",
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
async def update_metric(
    trial_id: uuid.UUID,
    metric_id: uuid.UUID,
    body: MetricUpdate,
    response: Response,
    session: SessionDep,
    principal: Manager,
    if_match: IfMatch = None,
) -> MetricPublic:
    trial = await trial_for_change(session, trial_id, principal)
    metric = await service.metric_of(session, trial, metric_id)
    check_version(metric.version, if_match, required=True)
    await service.update_metric(session, trial, metric, body)
    await session.flush()
    etag(response, metric.version)
    return metric_public(metric)


@router.delete(
    "/trials/{trial_id}/metrics/{metric_id}",
    status_code=204,
    response_class=Response,
    summary="Remove a metric (only while the trial is planned)",
    responses=responses(401, 403, 404, 409, 412, 422),
)
async def delete_metric(
    trial_id: uuid.UUID,
    metric_id: uuid.UUID,
    session: SessionDep,
    principal: Manager,
    if_match: IfMatch = None,
) -> Response:
    trial = await trial_for_change(session, trial_id, principal)
    metric = await service.metric_of(session, trial, metric_id)
    check_version(metric.version, if_match, required=False)
    await service.delete_metric(session, trial, metric)
    return Response(status_code=204)


# ---- status changes --------------------------------------------------------------------------------


class StartTrial(Input):
    started_on: date | None = Field(default=None, description="The day it started, if not today (up to a year back).")


@router.post(
    "/trials/{trial_id}/start",
    response_model=TrialPublic,
    summary="Start the trial: freezes metrics, hypothesis and review date, and sets the checkpoints",
    responses=responses(400, 401, 403, 404, 409, 412, 422),
)
async def start_trial(
    trial_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    principal: Manager,
    body: StartTrial | None = None,
    if_match: IfMatch = None,
) -> TrialPublic:
    trial = await trial_for_change(session, trial_id, principal)
    check_version(trial.version, if_match, required=False)
    await service.start_trial(session, trial, body.started_on if body else None)
    etag(response, trial.version)
    return await trial_public(session, trial)


@router.post(
    "/trials/{trial_id}/evaluate",
    response_model=TrialPublic,
    summary="End the running phase and begin the evaluation",
    responses=responses(401, 403, 404, 409, 412, 422),
)
async def begin_evaluation(
    trial_id: uuid.UUID, response: Response, session: SessionDep, principal: Manager, if_match: IfMatch = None
) -> TrialPublic:
    trial = await trial_for_change(session, trial_id, principal)
    check_version(trial.version, if_match, required=False)
    service.begin_evaluation(trial)
    await session.flush()
    etag(response, trial.version)
    return await trial_public(session, trial)


# ---- measurements and reviews ---------------------------------------------------------------------


@router.post(
    "/trials/{trial_id}/measurements",
    response_model=MeasurementPublic,
    status_code=201,
    summary="Record a measurement, or a correction naming the one it corrects (append-only)",
    responses=responses(400, 401, 403, 404, 409, 422),
)
async def record_measurement(
    trial_id: uuid.UUID,
    body: MeasurementCreate,
    request: Request,
    session: SessionDep,
    principal: Manager,
    idempotency_key_header: IdempotencyKey = None,
):
    trial = await trial_for_change(session, trial_id, principal)
    idem = idempotency(request, session, principal, body)
    if (replay := await idem.begin()) is not None:
        return replay
    entry = await service.record_measurement(session, trial, body, principal)
    view = measurement_list([entry])[0]
    await idem.finish(201, dump(view))
    return answer(view, 201)


@router.get(
    "/trials/{trial_id}/measurements",
    response_model=Page[MeasurementPublic],
    summary="Every measurement ever recorded, corrections included, with which ones are effective",
    responses=responses(401, 404, 422),
)
async def list_measurements(
    trial_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    metric_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[MeasurementPublic]:
    trial = await trial_for_reading(session, trial_id, principal)
    # Whether an entry is still effective depends on its whole chain, so mark first, then page.
    items = measurement_list(await service.measurements_of(session, trial.id))
    if metric_id is not None:
        items = [m for m in items if m.metric_id == metric_id]
    total = len(items)
    return Page[MeasurementPublic](
        items=items[offset : offset + limit],
        total=total,
        limit=limit,
        offset=offset,
        next_offset=offset + limit if offset + limit < total else None,
    )


@router.post(
    "/trials/{trial_id}/checkpoints/{checkpoint_id}/review",
    response_model=CheckpointPublic,
    summary="Record that a checkpoint review took place, with its note",
    responses=responses(400, 401, 403, 404, 409, 422),
)
async def review_checkpoint(
    trial_id: uuid.UUID,
    checkpoint_id: uuid.UUID,
    session: SessionDep,
    principal: Manager,
    body: CheckpointReview | None = None,
) -> CheckpointPublic:
    trial = await trial_for_change(session, trial_id, principal)
    checkpoint = await service.review_checkpoint(session, trial, checkpoint_id, body.note if body else "", principal)
    await session.flush()
    return checkpoint_public(checkpoint, trial, service.today())
