"""The voting service's routers, in match order: the ballot routes every voter calls come first
(routing tries routes in order, twice a request)."""

from fastapi import APIRouter, Depends

from platform_core.service_auth import services_only_on
from voting.routes import audit, ballots, internal, results, rounds

# The public routes another service calls with its own credential: none. The ideas service tells
# voting of a new co-author on its internal route (routes/internal.py), and nothing else reaches voting
# with a service's credential; so every public route refuses one (403), and a leaked credential sent
# straight to the voting port reads no council's rounds, results or audit.
SERVICE_READS: dict[str, set[str]] = {}

public = APIRouter(dependencies=[Depends(services_only_on(SERVICE_READS))])
for part in (ballots, rounds, results, audit):
    public.include_router(part.router)

routers = [public, internal.router]
