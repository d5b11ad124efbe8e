"""What the follow-up service makes at start-up, typed, and read through `deps.StateDep`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from followup.clients.ideas import IdeasClient
from followup.federation import Importer, close_importer, make_importer
from followup.review_digest import DigestSchedule, start_schedule, stop_schedule
from followup.settings import Settings
from platform_core.state import PLATFORM, AppState


@dataclass
class FollowupState:
    settings: Settings
    ideas: IdeasClient
    importer: Importer
    # Makes the day's digests of trial reviews due for the gateway to mail (review_digest.py).
    digests: DigestSchedule


STATE = AppState[FollowupState]("followup")


def open_state(app: Any, settings: Settings) -> FollowupState:
    """Made in the lifespan: one kept-alive client of the ideas service; the federation importer; the
    daily digest's schedule."""
    return STATE.put(
        app,
        FollowupState(
            settings=settings,
            ideas=IdeasClient(settings.ideas_url, settings.ideas_timeout_seconds),
            importer=make_importer(PLATFORM.of_app(app).sessionmaker, settings),
            digests=start_schedule(PLATFORM.of_app(app).sessionmaker, settings),
        ),
    )


async def close_state(app: Any) -> None:
    state = STATE.of_app(app)
    await close_importer(state.importer)
    await stop_schedule(state.digests)
    await state.ideas.aclose()
