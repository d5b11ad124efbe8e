"""The follow-up service's app: `uvicorn followup.main:app --port 8003`."""

from __future__ import annotations

from fastapi import FastAPI

from followup.events import outcome_delivery
from followup.routes import ROUTERS
from followup.settings import ALEMBIC_INI, VERSION_TABLE, get_settings
from followup.state import close_state, open_state
from platform_core.app import create_service_app
from platform_core.outbox import start_relay, stop_relay

settings = get_settings()


async def _start(app: FastAPI) -> None:
    await open_state(app, settings)
    await start_relay(app, outcome_delivery)


async def _stop(app: FastAPI) -> None:
    await stop_relay(app)
    await close_state(app.state.followup)


app = create_service_app(
    part="followup",
    title="Follow-up service",
    description="Trials, metrics and measurements, honest verdicts, the shared library, portfolio reports.",
    settings=settings,
    routers=ROUTERS,
    alembic_ini=ALEMBIC_INI,
    version_table=VERSION_TABLE,
    on_startup=_start,
    on_shutdown=_stop,
)
