"""The ideas service's app: `uvicorn ideas.main:app --port 8001`."""

import asyncio
import contextlib
from typing import cast

from fastapi import FastAPI, Request

from ideas.clients.voting import VotingClient
from ideas.domain.search import keep_in_step
from ideas.routes import router
from ideas.settings import ALEMBIC_INI, VERSION_TABLE, IdeasSettings, get_settings
from ideas.state import STATE, IdeasState
from platform_core.app import create_service_app
from platform_core.state import PLATFORM


async def _start_index(app: FastAPI) -> None:
    """Build the similar-idea index in the background, then keep it in step (search.keep_in_step)."""
    ideas = STATE.put(app, IdeasState())
    platform = PLATFORM.of_app(app)
    settings = cast(IdeasSettings, platform.settings)
    ideas.voting = VotingClient(settings.voting_url, settings.gateway_url, settings.service_api_key)
    ideas.index_task = asyncio.create_task(
        keep_in_step(ideas.index, platform.engine, cast(IdeasSettings, platform.settings).index_refresh_seconds)
    )


def _index_readiness(request: Request) -> dict[str, str]:
    index = STATE.of(request).index
    return {"similar-idea index": "ok" if index.built else f"building ({len(index)} ideas so far)"}


async def _stop_index(app: FastAPI) -> None:
    ideas = STATE.of_app(app)
    if ideas.voting is not None:
        await ideas.voting.aclose()
    task = ideas.index_task
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


TAGS = [
    {
        "name": "hack days",
        "description": "A council's hack days: made and moved through draft, open, voting and closed "
        "by its organisers; the ideas of one exported as CSV; many of its ideas shortlisted at once.",
    },
    {
        "name": "ideas",
        "description": "Ideas submitted on the day: written alone or as a team (co-authors join by "
        "invitation), edited with If-Match, withdrawn; read in full by their council, as a summary by others.",
    },
    {
        "name": "moderation",
        "description": "Organisers hide an idea with a reason, link a duplicate to the earlier idea, "
        "and shortlist (told when an idea is like a trial that failed); each can be undone.",
    },
    {"name": "comments", "description": "Comments on an idea by people of its council; organisers may hide one."},
    {
        "name": "similar ideas",
        "description": "Similar ideas from every council, while an idea is written or shortlisted.",
    },
    {"name": "vocabulary", "description": "The fixed lists an idea is described with (service areas, statuses)."},
]

app = create_service_app(
    part="ideas",
    title="Ideas service",
    description="Hack days, ideas, teams, comments, moderation and similar-idea search.",
    settings=get_settings(),
    routers=[router],
    alembic_ini=ALEMBIC_INI,
    version_table=VERSION_TABLE,
    on_startup=_start_index,
    on_shutdown=_stop_index,
    readiness_checks=_index_readiness,
    tags=TAGS,
)
