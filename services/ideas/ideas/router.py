"""All HTTP routes of the ideas service, gathered from routes/ (parse, authorise, call, shape)."""

import uuid

from fastapi import APIRouter
from pydantic import BaseModel

from ideas import vocabulary as v
from ideas.routes import comments, hack_days, ideas, internal, moderation, similar
from ideas.schemas import Term, Vocabulary
from platform_core.auth import CurrentPrincipal
from platform_core.problems import responses

router = APIRouter()
for part in (hack_days, ideas, moderation, comments, similar, internal):
    router.include_router(part.router)


@router.get(
    "/api/ideas/vocabulary",
    response_model=Vocabulary,
    tags=["ideas"],
    summary="The fixed lists: service areas, benefit units, phases and statuses",
    responses=responses(401),
)
async def vocabulary(_: CurrentPrincipal) -> Vocabulary:
    return Vocabulary(
        service_areas=[Term(code=c, label=label) for c, label in v.SERVICE_AREAS.items()],
        benefit_units=[Term(code=c, label=label) for c, label in v.BENEFIT_UNITS.items()],
        beneficiaries=["staff", "residents", "both"],
        phases=list(v.PHASE_ORDER),
        statuses=list(v.STATUSES),
    )


class WhoAmI(BaseModel):
    person_id: uuid.UUID
    council_id: uuid.UUID | None
    roles: list[str]


@router.get("/api/ideas/whoami", response_model=WhoAmI, summary="Who the ideas service thinks is calling",
            responses=responses(401), tags=["ideas"])
async def whoami(principal: CurrentPrincipal) -> WhoAmI:
    return WhoAmI(person_id=principal.person_id, council_id=principal.council_id, roles=sorted(principal.roles))
