"""What the ideas service's lifespan makes and its requests read: the similar-idea index and its task."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends

from ideas.clients.voting import VotingClient
from ideas.domain.search import IdeaIndex
from platform_core.state import AppState


@dataclass
class IdeasState:
    """The part's own application state (settings, engine and sessions are platform_core's)."""

    index: IdeaIndex = field(default_factory=IdeaIndex)
    # Builds the index, then keeps it in step with other replicas (domain/search.keep_in_step).
    index_task: asyncio.Task | None = None
    # Told before a co-author joins (made at start-up).
    voting: VotingClient | None = None


STATE = AppState[IdeasState]("ideas")
StateDep = Annotated[IdeasState, Depends(STATE.dependency)]
