"""What the ideas service's lifespan makes and its requests read: the similar-idea index and its task."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from fastapi import FastAPI, Request

from ideas.clients.voting import VotingClient
from ideas.domain.search import IdeaIndex


@dataclass
class IdeasState:
    """The part's own application state (the database engine and settings are platform_core's)."""

    index: IdeaIndex = field(default_factory=IdeaIndex)
    # Builds the index, then keeps it in step with other replicas (domain/search.keep_in_step).
    index_task: asyncio.Task | None = None
    # Told before a co-author joins (made at start-up).
    voting: VotingClient | None = None


def attach(app: FastAPI) -> IdeasState:
    """Give `app` a fresh state (at start-up)."""
    state = app.state.ideas = IdeasState()
    return state


def of(request: Request) -> IdeasState:
    return request.app.state.ideas
