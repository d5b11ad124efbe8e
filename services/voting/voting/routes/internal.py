"""Internal routes for the platform's own services (role "service" only): what the ideas service tells voting."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from platform_core.auth import CurrentPrincipal, Principal
from platform_core.problems import Problem, responses
from voting.deps import SessionDep, StateDep
from voting.domain import rounds
from voting.schemas import CoAuthorJoined, CoAuthorRecorded

router = APIRouter(prefix="/api/voting/internal", tags=["internal"])


async def _service_only(principal: CurrentPrincipal) -> Principal:
    # Not even admins: who wrote an idea is the ideas service's fact, never a person's say-so.
    if not principal.is_service:
        raise Problem(403, "Only the platform's services can call internal endpoints.")
    return principal


ServiceCaller = Annotated[Principal, Depends(_service_only)]


@router.post(
    "/co-authors",
    response_model=CoAuthorRecorded,
    summary="A person is joining an idea's team: they may no longer vote for it in any draft or open round",
    responses=responses(401, 403, 409, 422),
)
async def co_author_joined(
    body: CoAuthorJoined, session: SessionDep, state: StateDep, _: ServiceCaller
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
