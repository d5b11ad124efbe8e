"""All HTTP routes of the followup service, in the order they are matched (`/whoami` and the
health routes come from platform_core)."""

from fastapi import APIRouter

from followup import routes_library, routes_reports, routes_running, routes_trials, routes_verdict

router = APIRouter()
for part in (routes_trials, routes_running, routes_verdict, routes_library, routes_reports):
    router.include_router(part.router)
