"""What the follow-up service makes at start-up, typed, and read through `deps.StateDep`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from followup.clients.ideas import IdeasClient
from followup.settings import Settings
from platform_core.state import AppState


@dataclass
class FollowupState:
    settings: Settings
    ideas: IdeasClient


STATE = AppState[FollowupState]("followup")


def open_state(app: Any, settings: Settings) -> FollowupState:
    """Made in the lifespan: one kept-alive client of the ideas service."""
    return STATE.put(
        app, FollowupState(settings=settings, ideas=IdeasClient(settings.ideas_url, settings.ideas_timeout_seconds))
    )


async def close_state(app: Any) -> None:
    await STATE.of_app(app).ideas.aclose()
