"""The fixed lists forms offer: service areas, benefit units, phases and statuses."""

from fastapi import APIRouter

from ideas import vocabulary as v
from ideas.schemas import Term, Vocabulary
from platform_core.auth import CurrentPrincipal
from platform_core.problems import responses

router = APIRouter(prefix="/api/ideas", tags=["ideas"])


@router.get(
    "/vocabulary",
    response_model=Vocabulary,
    summary="The fixed lists: service areas, benefit units, phases and statuses",
    responses=responses(401),
)
async def vocabulary(_: CurrentPrincipal) -> Vocabulary:
    """The fixed lists that forms offer, each term with its code and label: service areas, units of expected
    benefit, who benefits, hack-day phases and idea statuses. Anyone signed in may read them."""
    return Vocabulary(
        service_areas=[Term(code=c, label=label) for c, label in v.SERVICE_AREAS.items()],
        benefit_units=[Term(code=c, label=label) for c, label in v.BENEFIT_UNITS.items()],
        beneficiaries=["staff", "residents", "both"],
        phases=list(v.PHASE_ORDER),
        statuses=list(v.STATUSES),
    )
