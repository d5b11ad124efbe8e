"""The follow-up service's routers, in the order they are matched (`/whoami` and health come from
platform_core)."""

from fastapi import APIRouter, Depends

from followup.routes import federation, internal, library, measurements, metrics, partners, reports, trials, verdicts
from platform_core.service_auth import services_only_on

# The public routes another service calls with its own credential, and which services; every other
# public route refuses a service's credential (403). The ideas service, before it believes an "outcome
# published" event, asks the library for the idea's published entries (ideas/clients/followup.py).
# Voting opens trials on the internal route (routes/internal.py), which names its own sender.
SERVICE_READS = {
    "GET /api/followup/library": {"ideas"},
}

public = APIRouter(dependencies=[Depends(services_only_on(SERVICE_READS))])
for part in (trials, metrics, measurements, verdicts, library, federation, partners, reports):
    public.include_router(part.router)

ROUTERS = [public, internal.router]
