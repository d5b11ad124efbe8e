"""Internal routes for the platform's own services: vote results (from voting), a chosen idea read in
full for the trial the vote opens (voting), and published outcomes (from follow-up, and confirmed with
follow-up before the idea opens to every council), and verdicts follow-up imported from other platforms
(for "tried before?")."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from ideas import events
from ideas.clients import followup
from ideas.deps import IndexDep
from ideas.domain import ideas
from ideas.domain.search import index_after_commit, searchable
from ideas.models import Idea
from ideas.schemas import IdeaPublic, IdeaSelected, ImportedVerdictChanged, ImportedVerdictKept, OutcomePublished
from ideas.views import full_view
from platform_core.auth import Principal
from platform_core.db import SessionDep
from platform_core.problems import Problem, responses
from platform_core.service_auth import only_from
from platform_core.state import PlatformDep

router = APIRouter(prefix="/api/ideas/internal", tags=["internal"])


# Not even admins: these record facts decided by another service, each by the one that decides it.
FromVoting = Annotated[Principal, Depends(only_from("voting"))]
FromFollowup = Annotated[Principal, Depends(only_from("followup"))]


@router.post(
    "/ideas/{idea_id}/selected",
    response_model=IdeaPublic,
    summary="A vote selected this idea (idempotent by event_id)",
    responses=responses(401, 403, 404, 409, 422),
)
async def idea_selected(
    idea_id: uuid.UUID, body: IdeaSelected, session: SessionDep, index: IndexDep, _: FromVoting
) -> IdeaPublic:
    idea = await events.selected(session, idea_id, event_id=body.event_id, round_id=body.round_id, rank=body.rank)
    index_after_commit(session, index, idea)
    return full_view(idea, await ideas.team_of(session, idea.id), with_moderation=False)


@router.get(
    "/ideas/{idea_id}",
    response_model=IdeaPublic,
    summary="A chosen idea in full, for the trial the vote opens of it in its own council (voting only)",
    responses=responses(401, 403, 404, 422),
)
async def idea_for_its_trial(idea_id: uuid.UUID, session: SessionDep, _: FromVoting) -> IdeaPublic:
    # The trial belongs to the idea's own council, so it starts from what that council reads (the
    # partners the idea names included), as a trial a manager opens by hand does. An idea hidden or
    # withdrawn since the vote is 404: the vote's own snapshot stands in for it.
    idea = await session.get(Idea, idea_id)
    if idea is None or not searchable(idea.status):
        raise Problem(404, f"There is no idea {idea_id} in play.")
    return full_view(idea, await ideas.team_of(session, idea.id), with_moderation=False)


@router.post(
    "/ideas/{idea_id}/outcome-published",
    response_model=IdeaPublic,
    summary="The idea's trial outcome is published: every council may now read it (idempotent by event_id)",
    responses=responses(401, 403, 404, 409, 422, 503),
)
async def outcome_published(
    idea_id: uuid.UUID,
    body: OutcomePublished,
    session: SessionDep,
    platform: PlatformDep,
    index: IndexDep,
    _: FromFollowup,
) -> IdeaPublic:
    # Follow-up owns the fact: asked, not trusted, before the idea opens to every council.
    confirmed = await followup.outcome_is_published(
        platform.settings, idea_id=idea_id, trial_id=body.trial_id, verdict=body.verdict
    )
    if not confirmed:
        raise Problem(
            409,
            f"The follow-up service has no published '{body.verdict}' verdict of trial {body.trial_id} for this "
            "idea; nothing changed.",
        )
    idea = await events.outcome_published(
        session, idea_id, event_id=body.event_id, verdict=body.verdict, trial_id=body.trial_id
    )
    # Searchable in full by every council as soon as the answer is sent, not at the index's next
    # catch-up (up to index_refresh_seconds later): the page that says "published" and the
    # "tried before?" panel must agree.
    index_after_commit(session, index, idea)
    return full_view(idea, await ideas.team_of(session, idea.id), with_moderation=False)


@router.post(
    "/imported-verdicts/{entry_id}",
    response_model=ImportedVerdictKept,
    summary="A verdict imported from another platform is new, corrected or withdrawn (idempotent by event_id)",
    responses=responses(401, 403, 422),
)
async def imported_verdict_changed(
    entry_id: uuid.UUID, body: ImportedVerdictChanged, session: SessionDep, index: IndexDep, _: FromFollowup
) -> ImportedVerdictKept:
    # Open data another platform published, so taken as follow-up says: nothing here opens to anyone
    # what they could not read already (unlike a published outcome, which is confirmed first).
    row = await events.imported_verdict_changed(session, entry_id, body)
    if row is not None:
        index_after_commit(session, index, row)
    return ImportedVerdictKept(id=entry_id, changed=row is not None)
