"""HTTP routes of measurements: record one (or a correction), list every entry with what is effective."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from followup import views
from followup.deps import ChangeableTrial, Limit, Manager, Offset, ReadableTrial, SessionDep
from followup.domain import measurements
from followup.schemas import MeasurementBatch, MeasurementBatchPublic, MeasurementCreate, MeasurementPublic, Page
from platform_core.idempotency import Created, IdempotentCreateDep
from platform_core.problems import responses

router = APIRouter(prefix="/api/followup", tags=["trials"])


@router.post(
    "/trials/{trial_id}/measurements",
    response_model=MeasurementPublic,
    status_code=201,
    summary="Record a measurement, or a correction naming the one it corrects (append-only)",
    responses=responses(400, 401, 403, 404, 409, 422),
)
async def record_measurement(
    trial: ChangeableTrial,
    body: MeasurementCreate,
    idem: IdempotentCreateDep,
    session: SessionDep,
    principal: Manager,
) -> Response:
    """Records a reading of one of the trial's metrics for a period, or a correction naming the reading it corrects.
    Readings are append-only: nothing recorded is changed or deleted, and a correction takes the place of the one
    it names in the gain. Only managers of the trial's council may (403); a metric not of this trial, a period
    ending in the future or a reading outside its unit's range is a 422 naming the field. A retry with the same
    `Idempotency-Key` gets the first answer, never a second reading."""

    async def make() -> Created:
        entry = await measurements.record_measurement(session, trial, body, principal)
        return Created(views.measurement_list([entry])[0])

    return await idem.create(body, make)


@router.post(
    "/trials/{trial_id}/measurements/batch",
    response_model=MeasurementBatchPublic,
    status_code=201,
    summary="Record many readings at once: all or none, each refusal naming its row and field",
    responses=responses(400, 401, 403, 404, 409, 422),
)
async def record_batch(
    trial: ChangeableTrial,
    body: MeasurementBatch,
    idem: IdempotentCreateDep,
    session: SessionDep,
    principal: Manager,
) -> Response:
    # With an Idempotency-Key a retried upload replays its answer; without one, a period already
    # recorded is refused (domain), so the same file sent twice still records its readings once.
    """Records many readings in one call (a spreadsheet's year of them): all of them, or none if any row is refused,
    each refusal naming its row and field (422). A period already recorded for a metric is refused (correct that
    reading instead), so the same file sent twice records its readings once. Only managers of the trial's council
    may (403). A retry with the same `Idempotency-Key` gets the first answer."""

    async def make() -> Created:
        entries = await measurements.record_batch(session, trial, body.measurements, principal)
        return Created(MeasurementBatchPublic(recorded=len(entries), items=views.measurement_list(entries)))

    return await idem.create(body, make)


@router.get(
    "/trials/{trial_id}/measurements",
    response_model=Page[MeasurementPublic],
    summary="Every measurement ever recorded, corrections included, with which ones are effective",
    responses=responses(401, 404, 422),
)
async def list_measurements(
    trial: ReadableTrial,
    session: SessionDep,
    metric_id: uuid.UUID | None = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> Page[MeasurementPublic]:
    # Whether an entry is still effective depends on its whole chain, so mark first, then page.
    """Every reading ever recorded for the trial, corrections included, each marked whether it is still effective
    (not corrected since), a page at a time, optionally of one metric. Anyone of the trial's council (and admins)
    may read them; another council's trial is a 404."""
    items = views.measurement_list(await measurements.measurements_of(session, trial.id))
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
