"""HTTP routes of a trial's end: the verdict, and publishing it to the shared library."""

from __future__ import annotations

from fastapi import APIRouter, Response

from followup import views
from followup.deps import (
    ChangeableTrial,
    IdeasDep,
    Manager,
    ReadableTrial,
    SessionDep,
    SettingsDep,
)
from followup.domain import library, trials, verdicts
from followup.schemas import Evidence, Gain, LibraryRecord, TrialPublic, VerdictCheck, VerdictCreate
from followup.vocabulary import EVIDENCE_SCALE
from platform_core.etag import IfMatch, check_if_match
from platform_core.idempotency import Created, IdempotentCreateDep
from platform_core.problems import responses

router = APIRouter(prefix="/api/followup", tags=["trials"])


@router.post(
    "/trials/{trial_id}/verdict",
    response_model=TrialPublic,
    summary="Give the verdict: concludes an evaluating trial, or stops one early (outcome 'stopped')",
    responses=responses(400, 401, 403, 404, 409, 412, 422),
)
async def give_verdict(
    trial: ChangeableTrial,
    body: VerdictCreate,
    idem: IdempotentCreateDep,
    session: SessionDep,
    principal: Manager,
    ideas: IdeasDep,
    if_match: IfMatch = None,
) -> Response:
    # A retried verdict (lost answer) replays the first instead of a 409 "already concluded".
    """Gives the trial's verdict: its outcome, the reasons from the taxonomy, the lessons for the councils that come
    after, the study design and who verified it. It concludes an evaluating trial, or stops a planned, running or
    evaluating one early (outcome `stopped`), and freezes the gain and the evidence level. Only managers of the
    trial's council may (403). A trial in another status is a 409; a verdict claiming a gain without a metric
    that has a baseline and a reading, or without reasons or a lesson, is a 422 naming the field. An If-Match, if
    sent, must match (412). A retry with the same `Idempotency-Key` gets the first answer instead of a 409
    "already concluded"."""

    async def make() -> Created:
        check_if_match(if_match, trial.version, required=False)
        if trial.hack_day_on is None and trial.hack_day_id is not None:
            # Opened when the ideas service could not say the hack day's date: the verdict is the last
            # moment "time from hack day to verdict" can still be known, so ask again (best effort).
            trials.note_hack_day(trial, await ideas.hack_day_date(trial.hack_day_id, principal))
        await verdicts.give_verdict(session, trial, body, principal)
        return Created(views.trial_public(await trials.detail(session, trial)), version=trial.version, status=200)

    return await idem.create(body, make)


@router.post(
    "/trials/{trial_id}/verdict/check",
    response_model=VerdictCheck,
    summary="Check a verdict before giving it: the gain and evidence level it would freeze (nothing saved)",
    responses=responses(400, 401, 403, 404, 409, 422),
)
async def check_verdict(
    trial: ChangeableTrial, body: VerdictCreate, session: SessionDep, principal: Manager
) -> VerdictCheck:
    """Checks a verdict before giving it: every rule of `POST .../verdict` is applied and the gain and evidence
    level it would freeze are answered, but nothing is saved, so it may be asked as often as wanted. Only
    managers of the trial's council may (403); refusals are those the verdict itself would get."""
    gain, level = await verdicts.check_verdict(session, trial, body)
    evidence = Evidence(
        level=level,
        label=EVIDENCE_SCALE[level],
        design=body.design,
        verified_by=body.verified_by,
        replications=body.replications,
    )
    return VerdictCheck(outcome=body.outcome, evidence=evidence, gain=Gain.model_validate(gain))


@router.get(
    "/trials/{trial_id}/publish/preview",
    response_model=LibraryRecord,
    summary="Exactly what other councils will read once published (its id, address and date set on publishing)",
    responses=responses(401, 403, 404, 409),
)
async def preview_publication(trial: ReadableTrial, session: SessionDep, settings: SettingsDep) -> LibraryRecord:
    """Exactly the record other councils will read once the trial's verdict is published to the shared library,
    under the Open Government Licence; only its id, address and date are set on publishing. Anyone of the trial's
    council (and admins) may preview it; a trial without a verdict is a 409."""
    verdict = await verdicts.verdict_of(session, trial)
    return await library.preview(session, trial, verdict, settings.public_base_url)


@router.post(
    "/trials/{trial_id}/publish",
    response_model=LibraryRecord,
    status_code=201,
    summary="Publish a concluded or stopped trial's verdict to the shared library (OGL v3.0)",
    responses=responses(401, 403, 404, 409, 422),
)
async def publish(
    trial: ChangeableTrial,
    idem: IdempotentCreateDep,
    session: SessionDep,
    principal: Manager,
    settings: SettingsDep,
) -> Response:
    """Publishes a concluded or stopped trial's verdict to the shared library, under the Open Government Licence
    v3.0: every council, and other platforms that import from this one, may then read it, and the idea's full
    text becomes readable to them too. Only managers of the trial's council may (403). A trial without a verdict,
    or one already published, is a 409. A retry with the same `Idempotency-Key` gets the first answer."""

    async def make() -> Created:
        verdict = await verdicts.verdict_of(session, trial)
        entry = await library.publish(session, trial, verdict, principal.person_id, settings.public_base_url)
        return Created(LibraryRecord.model_validate(entry.record), location=f"/api/followup/library/{entry.id}")

    return await idem.create({"trial_id": str(trial.id)}, make)
