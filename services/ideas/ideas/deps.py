"""Dependencies of the routes, declared once: the idea or hack day named in the path (loaded and
checked), the similar-idea index, and the HTTP conventions (ETags, If-Match, pages, idempotent creation)."""

from __future__ import annotations

import uuid
from typing import Annotated, NamedTuple

from fastapi import Depends, Request

from ideas.domain import hack_days, ideas
from ideas.domain.ideas import Team
from ideas.domain.search import IdeaIndex
from ideas.models import HackDay, Idea
from ideas.state import STATE
from platform_core.auth import CurrentPrincipal
from platform_core.db import SessionDep
from platform_core.problems import Problem


class FoundIdea(NamedTuple):
    idea: Idea
    team: Team


async def valid_idea_id(idea_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal) -> FoundIdea:
    """The idea named in the path and its team, if the caller may at least know it exists (404 otherwise)."""
    return FoundIdea(*await ideas.get_readable(session, principal, idea_id))


async def valid_idea_id_for_update(idea_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal) -> FoundIdea:
    """As `valid_idea_id`, with the row locked until the request's transaction ends (for changes)."""
    return FoundIdea(*await ideas.get_readable(session, principal, idea_id, for_update=True))


async def valid_hack_day_id(hack_day_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal) -> HackDay:
    """The hack day named in the path, if it is of the caller's council (404 otherwise)."""
    return await hack_days.get_visible(session, principal, hack_day_id)


IdeaDep = Annotated[FoundIdea, Depends(valid_idea_id)]
IdeaForUpdateDep = Annotated[FoundIdea, Depends(valid_idea_id_for_update)]
HackDayDep = Annotated[HackDay, Depends(valid_hack_day_id)]


async def _idea_index(request: Request) -> IdeaIndex:
    # async, as every dependency here: FastAPI runs a plain `def` one in a worker thread.
    return STATE.of(request).index


async def _built_index(request: Request) -> IdeaIndex:
    index = STATE.of(request).index
    if not index.built:
        # Half an index would miss matches silently (a "tried before?" warning not given).
        raise Problem(
            503,
            f"Similar-idea search is still starting ({len(index)} ideas read in so far); try again in a few seconds.",
            headers={"Retry-After": "5"},
        )
    return index


# Writes keep the index in step even while it is being built; searches need it whole.
IndexDep = Annotated[IdeaIndex, Depends(_idea_index)]
BuiltIndexDep = Annotated[IdeaIndex, Depends(_built_index)]
