"""The ideas service's app: `uvicorn ideas.main:app --port 8001`."""

import asyncio
import contextlib

from fastapi import FastAPI, Request

from ideas.router import router
from ideas.search import IdeaIndex, keep_in_step
from ideas.settings import ALEMBIC_INI, VERSION_TABLE, get_settings
from platform_core.app import create_service_app


async def _start_index(app: FastAPI) -> None:
    """Build the similar-idea index in the background, then keep it in step (search.keep_in_step)."""
    index = app.state.idea_index = IdeaIndex()
    app.state.index_task = asyncio.create_task(
        keep_in_step(index, app.state.engine, app.state.settings.index_refresh_seconds)
    )


def _index_readiness(request: Request) -> dict[str, str]:
    index: IdeaIndex = request.app.state.idea_index
    return {"similar-idea index": "ok" if index.built else f"building ({len(index)} ideas so far)"}


async def _stop_index(app: FastAPI) -> None:
    task = getattr(app.state, "index_task", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


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
)
