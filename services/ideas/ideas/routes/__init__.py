"""HTTP routes of the ideas service, one module per resource; `router` holds them in match order."""

from fastapi import APIRouter, Depends

from ideas.routes import comments, hack_days, ideas, internal, moderation, similar, vocabulary
from platform_core.service_auth import services_only_on

# The public routes another service calls with its own credential, and which services; every other
# public route refuses a service's credential. Follow-up, opening a vote's trial with voting's
# credential, reads the hack day's date. (Voting's result relay reads a chosen idea through its own
# internal door, routes/internal.py.)
SERVICE_READS = {
    "GET /api/ideas/hack-days/{hack_day_id}": {"voting"},
}

public = APIRouter(dependencies=[Depends(services_only_on(SERVICE_READS))])
for part in (hack_days, ideas, moderation, comments, similar, vocabulary):
    public.include_router(part.router)

router = APIRouter()
router.include_router(public)
router.include_router(internal.router)
