"""The voting service's routers, in match order: the ballot routes every voter calls come first
(routing tries routes in order, twice a request)."""

from fastapi import APIRouter, Depends

from voting.deps import PUBLIC_ROUTES_GUARD
from voting.routes import audit, ballots, internal, results, rounds

public = APIRouter(dependencies=[Depends(PUBLIC_ROUTES_GUARD)])
for part in (ballots, rounds, results, audit):
    public.include_router(part.router)

routers = [public, internal.router]
