"""The voting service's dependencies, declared once: state, session, caller, and loaded-and-checked rounds."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path

from platform_core.auth import CurrentPrincipal
from platform_core.clock import utcnow
from platform_core.db import SessionDep
from platform_core.problems import Problem
from platform_core.service_auth import services_only_on
from voting.access import not_found, organises, sees_round
from voting.domain import rounds
from voting.models import Round
from voting.state import VotingState, of_request

StateDep = Annotated[VotingState, Depends(of_request)]
Caller = CurrentPrincipal

# The public routes another service calls with its own credential: none. The ideas service tells
# voting of a new co-author on its internal route (routes/internal.py), and nothing else reaches voting
# with a service's credential; so every public route refuses one (403), and a leaked credential sent
# straight to the voting port reads no council's rounds, results or audit. The public routers'
# dependency (routes/__init__.py).
SERVICE_READS: dict[str, set[str]] = {}
PUBLIC_ROUTES_GUARD = services_only_on(SERVICE_READS)

__all__ = ["PUBLIC_ROUTES_GUARD", "Caller", "OrganisedRoundDep", "RoundDep", "SessionDep", "StateDep"]


async def round_in_council(
    state: StateDep,
    principal: CurrentPrincipal,
    session: SessionDep,
    round_id: Annotated[uuid.UUID, Path(description="the round's id")],
) -> Round:
    """The round, if the caller's council owns it; a round past its closing time is closed (counted) now."""
    rnd = await session.get(Round, round_id)
    if rnd is None or not sees_round(principal, rnd):
        raise not_found()
    if rnd.phase == "open" and rnd.closes_at is not None and rnd.closes_at <= utcnow():
        await rounds.close_round(session, state.audit_key, rnd, by=None, ballot_secret=state.settings.ballot_secret)
    return rnd


RoundDep = Annotated[Round, Depends(round_in_council)]


async def organised_round(rnd: RoundDep, principal: CurrentPrincipal) -> Round:
    if not organises(principal, rnd):
        raise Problem(403, "Only organisers of the round's council can do this.")
    return rnd


OrganisedRoundDep = Annotated[Round, Depends(organised_round)]
