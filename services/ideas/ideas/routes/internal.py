"""Internal routes for the platform's own services (role "service" only): vote results and outcomes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from ideas import events
from ideas.domain import ideas
from ideas.schemas import IdeaPublic, IdeaSelected, OutcomePublished
from ideas.views import full_view
from platform_core.auth import CurrentPrincipal, Principal
from platform_core.db import SessionDep
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api/ideas/internal", tags=["internal"])


async def _service_only(principal: CurrentPrincipal) -> Principal:
    # Not even admins: these record facts decided elsewhere (a vote, a verdict), never by a person.
    if not principal.is_service:
        raise Problem(403, "Only the platform's services can call internal endpoints.")
    return principal


ServiceCaller = Annotated[Principal, Depends(_service_only)]


@router.post(
    "/ideas/{idea_id}/selected",
    response_model=IdeaPublic,
    summary="A vote selected this idea (idempotent by event_id)",
    responses=responses(401, 403, 404, 409, 422),
)
async def idea_selected(idea_id: uuid.UUID, body: IdeaSelected, session: SessionDep, _: ServiceCaller) -> IdeaPublic:
    idea = await events.selected(session, idea_id, event_id=body.event_id, round_id=body.round_id, rank=body.rank)
    return full_view(idea, await ideas.team_of(session, idea.id), with_moderation=False)


@router.post(
    "/ideas/{idea_id}/outcome-published",
    response_model=IdeaPublic,
    summary="The idea's trial outcome is published: every council may now read it (idempotent by event_id)",
    responses=responses(401, 403, 404, 409, 422),
)
async def outcome_published(
    idea_id: uuid.UUID, body: OutcomePublished, session: SessionDep, _: ServiceCaller
) -> IdeaPublic:
    idea = await events.outcome_published(
        session, idea_id, event_id=body.event_id, verdict=body.verdict, trial_id=body.trial_id
    )
    return full_view(idea, await ideas.team_of(session, idea.id), with_moderation=False)
