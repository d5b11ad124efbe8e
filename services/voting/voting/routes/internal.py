"""Internal routes for the platform's own services: what the ideas service (and only it) tells voting."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from platform_core.auth import Principal
from platform_core.problems import responses
from platform_core.service_auth import only_from
from voting.deps import SessionDep, StateDep
from voting.domain import rounds
from voting.schemas import CoAuthorJoined, CoAuthorRecorded

router = APIRouter(prefix="/api/voting/internal", tags=["internal"])


# Not even admins, nor another service: who wrote an idea is the ideas service's fact.
FromIdeas = Annotated[Principal, Depends(only_from("ideas"))]


@router.post(
    "/co-authors",
    response_model=CoAuthorRecorded,
    summary="A person is joining an idea's team: they may no longer vote for it in any draft or open round",
    responses=responses(401, 403, 409, 422),
)
async def co_author_joined(
    body: CoAuthorJoined, session: SessionDep, state: StateDep, _: FromIdeas
) -> CoAuthorRecorded:
    updated = await rounds.add_author(
        session,
        state.audit_key,
        ballot_secret=state.settings.ballot_secret,
        council_id=body.council_id,
        idea_id=body.idea_id,
        person_id=body.person_id,
    )
    return CoAuthorRecorded(idea_id=body.idea_id, person_id=body.person_id, rounds_updated=updated)
