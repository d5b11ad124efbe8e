"""The ideas service's app: `uvicorn ideas.main:app --port 8001`."""

import asyncio
import contextlib
import logging

from fastapi import FastAPI

from ideas.router import router
from ideas.search import IdeaIndex, keep_in_step
from ideas.settings import ALEMBIC_INI, VERSION_TABLE, get_settings
from platform_core.app import create_service_app

log = logging.getLogger("ideas.search")


async def _start_index(app: FastAPI) -> None:
    """Fill the similar-idea index before serving, then keep it in step in the background."""
    index = app.state.idea_index = IdeaIndex()
    try:
        count = await index.catch_up(app.state.engine)
        log.info("similar-idea index built", extra={"indexed": len(index), "ideas": count})
    except Exception as exc:  # noqa: BLE001 - e.g. not migrated yet: serve, and /readyz says why
        log.warning("similar-idea index not built at start-up: %s", exc)
    app.state.index_task = asyncio.create_task(
        keep_in_step(index, app.state.engine, app.state.settings.index_refresh_seconds)
    )


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
)
