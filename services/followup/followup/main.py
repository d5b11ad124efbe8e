"""The follow-up service's app: `uvicorn followup.main:app --port 8003`."""

from __future__ import annotations

from fastapi import FastAPI

from followup.events import delivery
from followup.routes import ROUTERS
from followup.settings import ALEMBIC_INI, VERSION_TABLE, Settings, get_settings
from followup.state import close_state, open_state
from platform_core.app import create_service_app
from platform_core.outbox import start_relay, stop_relay

TAGS = [
    {
        "name": "trials",
        "description": "Trials of selected ideas: the plan (frozen at the start), metrics with baseline "
        "and target, measurements (append-only), checkpoints, and the verdict with reasons and lessons.",
    },
    {
        "name": "partners",
        "description": "A council's map of partners outside it (pharmacies, bus operators...) that trials involve.",
    },
    {
        "name": "library",
        "description": "Published verdicts, failures included, under the Open Government Licence: "
        "search, JSON, CSV and feeds without signing in, and entries imported from other installations.",
    },
    {
        "name": "federation",
        "description": "Other installations' libraries this platform imports (the list its admins keep), "
        "on a schedule and on demand, with how each import went.",
    },
    {
        "name": "reports",
        "description": "Portfolio reports for a council: the funnel from ideas to trials that worked, "
        "realised gains, time to verdict, overdue reviews.",
    },
]


def make_app(settings: Settings) -> FastAPI:
    """The app with these settings (tests make one in-process with settings of their own)."""

    async def start(app: FastAPI) -> None:
        open_state(app, settings)
        await start_relay(app, delivery)

    async def stop(app: FastAPI) -> None:
        await stop_relay(app)
        await close_state(app)

    return create_service_app(
        part="followup",
        title="Follow-up service",
        description="Trials, metrics and measurements, honest verdicts, the shared library, portfolio reports.",
        settings=settings,
        routers=ROUTERS,
        alembic_ini=ALEMBIC_INI,
        version_table=VERSION_TABLE,
        on_startup=start,
        on_shutdown=stop,
        tags=TAGS,
    )


app = make_app(get_settings())
