"""HTTP routes of a trial's metrics: add, change and remove them while the trial is planned."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from followup import views
from followup.deps import ChangeableTrial, Manager, SessionDep
from followup.domain import metrics
from followup.schemas import MetricCreate, MetricPublic, MetricUpdate
from platform_core.etag import IfMatch, check_if_match, set_etag
from platform_core.idempotency import Created, IdempotentCreateDep
from platform_core.problems import responses

router = APIRouter(prefix="/api/followup", tags=["trials"])


@router.post(
    "/trials/{trial_id}/metrics",
    response_model=MetricPublic,
    status_code=201,
    summary="Add a metric with its baseline and target (only while the trial is planned)",
    responses=responses(400, 401, 403, 404, 409, 412, 422),
)
async def add_metric(
    trial: ChangeableTrial,
    body: MetricCreate,
    idem: IdempotentCreateDep,
    session: SessionDep,
    principal: Manager,
    if_match: IfMatch = None,
) -> Response:
    """Adds a metric to a planned trial: what is measured, in which unit, its baseline and its target. Metrics are
    fixed once the trial starts (409), and names are unique within a trial (409). Only managers of the trial's
    council may (403). An If-Match, if sent, must match the trial's version (412). A retry with the same
    `Idempotency-Key` gets the first answer, never a second metric (the same key with another body: 422)."""

    async def make() -> Created:
        check_if_match(if_match, trial.version, required=False)
        metric = await metrics.add_metric(session, trial, body)
        location = f"/api/followup/trials/{trial.id}/metrics/{metric.id}"
        return Created(views.metric_public(metric), version=metric.version, location=location)

    return await idem.create(body, make)


@router.patch(
    "/trials/{trial_id}/metrics/{metric_id}",
    response_model=MetricPublic,
    summary="Change a metric (only while the trial is planned); If-Match is the metric's version",
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
async def update_metric(
    trial: ChangeableTrial,
    metric_id: uuid.UUID,
    body: MetricUpdate,
    response: Response,
    session: SessionDep,
    if_match: IfMatch = None,
) -> MetricPublic:
    """Changes a metric of a planned trial; fields left out stay as they are. Metrics are fixed once the trial
    starts (409). Only managers of the trial's council may (403). Send the metric's ETag as If-Match: 428 without
    it, 400 if it is not an ETag, 412 if the metric changed since."""
    metric = await metrics.metric_of(session, trial, metric_id)
    check_if_match(if_match, metric.version, required=True)
    await metrics.update_metric(session, trial, metric, body)
    set_etag(response, metric.version)
    return views.metric_public(metric)


@router.delete(
    "/trials/{trial_id}/metrics/{metric_id}",
    status_code=204,
    response_class=Response,
    summary="Remove a metric (only while the trial is planned)",
    responses=responses(401, 403, 404, 409, 412, 422),
)
async def delete_metric(
    trial: ChangeableTrial, metric_id: uuid.UUID, session: SessionDep, if_match: IfMatch = None
) -> Response:
    """Removes a metric from a planned trial; metrics are fixed once the trial starts (409). Only managers of the
    trial's council may (403). An If-Match, if sent, must match the metric's version (412)."""
    metric = await metrics.metric_of(session, trial, metric_id)
    check_if_match(if_match, metric.version, required=False)
    await metrics.delete_metric(session, trial, metric)
    return Response(status_code=204)
