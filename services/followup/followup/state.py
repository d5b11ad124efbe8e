"""What the follow-up service makes at start-up, typed, and read through `deps.StateDep`."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from followup.clients.ideas import IdeasClient
from followup.settings import Settings


@dataclass
class FollowupState:
    settings: Settings
    ideas: IdeasClient


async def open_state(app: FastAPI, settings: Settings) -> FollowupState:
    """Made in the lifespan: one kept-alive client of the ideas service."""
    state = FollowupState(settings=settings, ideas=IdeasClient(settings.ideas_url, settings.ideas_timeout_seconds))
    app.state.followup = state
    return state


async def close_state(state: FollowupState) -> None:
    await state.ideas.aclose()
