"""All HTTP routes of the ideas service, gathered from routes/ (parse, authorise, call, shape)."""

from fastapi import APIRouter

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
