"""HTTP routes of trials: open one, list, read, change the plan, start, evaluate, review checkpoints.

HTTP only: parse, authorise (deps.py), call the domain, shape the answer (views.py).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import Field

from followup import access, views
from followup.deps import (
    Caller,
    ChangeableTrial,
    IdeasDep,
    Limit,
    Manager,
    Offset,
    ReadableTrial,
    SessionDep,
)
from followup.domain import trials
from followup.schemas import (
    TRIALS_OF_IDEAS_MAX,
    CheckpointPublic,
    CheckpointReview,
    Input,
    Page,
    TrialCreate,
    TrialPublic,
    TrialsOfIdeas,
    TrialsOfIdeasAnswer,
    TrialSummary,
    TrialUpdate,
)
from followup.vocabulary import TrialStatus
from platform_core.etag import IfMatch, check_if_match, set_etag
from platform_core.idempotency import Created, IdempotentCreateDep
from platform_core.problems import Problem, responses
from platform_core.schemas import examples

router = APIRouter(prefix="/api/followup", tags=["trials"])


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
    idem: IdempotentCreateDep,
    session: SessionDep,
    principal: Manager,
    ideas: IdeasDep,
) -> Response:
    """Opens a planned trial of an idea of your council: its hypothesis, scope, owner, dates and checkpoint
    schedule. An idea has at most one trial: if it has one already, that trial is answered with 200 instead of a
    second one. Only managers of the idea's own council may (403; an idea of another council is refused the same
    way whether or not it has a trial). An idea you cannot see is a 422 naming `idea_id`, a withdrawn or hidden
    idea too; 503 when the ideas service does not answer. A retry with the same `Idempotency-Key` gets the first
    answer (the same key with another body: 422)."""

    async def make() -> Created:
        existing = await trials.trial_of_idea(session, body.idea_id)
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
            trial, created = await trials.create_trial(
                session, principal=principal, body=body, idea=idea, hack_day_on=held_on
            )
        return Created(
            views.trial_public(await trials.detail(session, trial)),
            version=trial.version,
            location=f"/api/followup/trials/{trial.id}",
            status=201 if created else 200,
        )

    return await idem.create(body, make)


@router.get(
    "/trials",
    response_model=Page[TrialSummary],
    summary="Trials of your council (admins: of every council, or of `council_id`)",
    responses=responses(401, 422),
)
async def list_trials(
    session: SessionDep,
    principal: Caller,
    status: TrialStatus | None = None,
    council_id: Annotated[uuid.UUID | None, Query(description="Admins only")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[TrialSummary]:
    """Lists your council's trials, a page at a time, optionally of one status, each with its latest outcome. Anyone
    signed in to the council may read them; admins see every council's, or one council's with `council_id`."""
    scope = council_id if principal.is_admin else principal.council_id
    found, total, outcomes, entries = await trials.list_trials(
        session,
        council_id=scope,
        everyone=principal.is_admin and council_id is None,
        status=status,
        limit=limit,
        offset=offset,
    )
    return Page[TrialSummary](
        items=[views.trial_summary(t, outcomes.get(t.id), entries.get(t.id)) for t in found],
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
async def trial_by_idea(idea_id: uuid.UUID, response: Response, session: SessionDep, principal: Caller) -> TrialPublic:
    """The trial of an idea, found by the idea's id, in full as `GET /api/followup/trials/{trial_id}` answers it,
    with its ETag. Anyone of the idea's council (and admins) may read it; an idea with no trial, or one of
    another council, is a 404."""
    found = await trials.trial_of_idea(session, idea_id)
    if found is None or not (principal.is_admin or principal.in_council(found.council_id)):
        raise Problem(404, f"Idea {idea_id} has no trial that you can see.")
    set_etag(response, found.version)
    return views.trial_public(await trials.detail(session, found))


@router.post(
    "/trials/by-ideas",
    response_model=TrialsOfIdeasAnswer,
    summary="The trials of many ideas in one call (those of your council; admins: every council's)",
    description="What `GET /api/followup/trials/by-idea/{idea_id}` answers for each idea, for up to "
    f'{TRIALS_OF_IDEAS_MAX} ideas at once: the gateway\'s "tried before?" evidence asks it once for every '
    "similar idea of the caller's council instead of once per idea. Reading only: nothing changes, so a "
    "retry is safe. An idea with no trial you may read is left out of `items`, without saying which "
    "reason (as a 404 alone would not).",
    responses=responses(401, 422),
)
async def trials_by_ideas(body: TrialsOfIdeas, session: SessionDep, principal: Caller) -> TrialsOfIdeasAnswer:
    found = [t for t in await trials.trials_of_ideas(session, body.idea_ids) if access.can_read(principal, t)]
    return TrialsOfIdeasAnswer(items=[views.trial_public(d) for d in await trials.details(session, found)])


@router.get(
    "/trials/{trial_id}",
    response_model=TrialPublic,
    summary="A trial of your council in full: plan, metrics, reviews, live gain, verdict",
    responses=responses(401, 404, 422),
)
async def get_trial(
    trial: ReadableTrial,
    response: Response,
    session: SessionDep,
    measurements: Annotated[
        bool,
        Query(
            description="Also answer every measurement entry, corrections included (`measurements`), loaded once "
            "with the trial instead of again by `GET /api/followup/trials/{trial_id}/measurements`"
        ),
    ] = False,
) -> TrialPublic:
    """One trial in full: plan, metrics, checkpoints and their reviews, the gain measured so far and its verdict.
    Anyone of its council (and admins) may read it; another council never learns it exists (404) until it is
    published to the library. Its ETag carries the version that a change sends back in If-Match. With
    `measurements=true` the answer also lists every entry recorded, as the trial's measurements list does."""
    set_etag(response, trial.version)
    loaded = await trials.detail(session, trial)
    answer = views.trial_public(loaded)
    if measurements:
        answer.measurements = views.measurement_list(loaded.measurements)
    return answer


@router.patch(
    "/trials/{trial_id}",
    response_model=TrialPublic,
    summary="Change a trial's plan (hypothesis, review date and checkpoints only while planned)",
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
async def update_trial(
    trial: ChangeableTrial, body: TrialUpdate, response: Response, session: SessionDep, if_match: IfMatch = None
) -> TrialPublic:
    """Changes a trial's plan; fields left out stay as they are. While it is planned everything may change; once
    started its hypothesis, review date, checkpoints, kind of change and partners are frozen (409; the owner,
    sponsor and team may still change), and a trial with a verdict changes no
    more (409). Only managers of the trial's council may (403; admins read but never change trials). Send the
    ETag you read as If-Match: 428 without it, 400 if it is not an ETag, 412 if the trial changed since."""
    check_if_match(if_match, trial.version, required=True)
    await trials.update_trial(session, trial, body)
    await session.flush()
    set_etag(response, trial.version)
    return views.trial_public(await trials.detail(session, trial))


class StartTrial(Input):
    model_config = examples({"started_on": "2027-05-03"})

    started_on: date | None = Field(default=None, description="The day it started, if not today (up to a year back).")


@router.post(
    "/trials/{trial_id}/start",
    response_model=TrialPublic,
    summary="Start the trial: freezes metrics, hypothesis and review date, and sets the checkpoints",
    responses=responses(400, 401, 403, 404, 409, 412, 422),
)
async def start_trial(
    trial: ChangeableTrial,
    response: Response,
    session: SessionDep,
    body: StartTrial | None = None,
    if_match: IfMatch = None,
) -> TrialPublic:
    """Starts a planned trial, today or on a day up to a year back: its metrics, hypothesis and review date are
    frozen and its checkpoints are set from the schedule. It needs at least one metric with a baseline, or no
    gain could ever be shown (409); a trial that is not planned is a 409. Only managers of the trial's council
    may (403). An If-Match, if sent, must match the current version (412)."""
    check_if_match(if_match, trial.version, required=False)
    await trials.start_trial(session, trial, body.started_on if body else None)
    set_etag(response, trial.version)
    return views.trial_public(await trials.detail(session, trial))


@router.post(
    "/trials/{trial_id}/evaluate",
    response_model=TrialPublic,
    summary="End the running phase and begin the evaluation",
    responses=responses(401, 403, 404, 409, 412, 422),
)
async def begin_evaluation(
    trial: ChangeableTrial, response: Response, session: SessionDep, if_match: IfMatch = None
) -> TrialPublic:
    """Ends a running trial's running phase and begins its evaluation, after which a verdict can be given. Only
    managers of the trial's council may (403); a trial that is not running is a 409. An If-Match, if sent, must
    match the current version (412)."""
    check_if_match(if_match, trial.version, required=False)
    trials.begin_evaluation(trial)
    await session.flush()
    set_etag(response, trial.version)
    return views.trial_public(await trials.detail(session, trial))


@router.post(
    "/trials/{trial_id}/checkpoints/{checkpoint_id}/review",
    response_model=CheckpointPublic,
    summary="Record that a checkpoint review took place, with its note",
    responses=responses(400, 401, 403, 404, 409, 422),
)
async def review_checkpoint(
    trial: ChangeableTrial,
    checkpoint_id: uuid.UUID,
    session: SessionDep,
    principal: Manager,
    body: CheckpointReview | None = None,
) -> CheckpointPublic:
    """Records that a checkpoint review of a running or evaluating trial took place, with an optional note, by whom
    and when. Only managers of the trial's council may (403); a checkpoint not of this trial is a 404, one
    already reviewed or a trial in another status a 409."""
    checkpoint = await trials.review_checkpoint(session, trial, checkpoint_id, body.note if body else "", principal)
    return views.checkpoint_public(checkpoint, trial, trials.today())
