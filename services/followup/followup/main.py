"""The follow-up service's app: `uvicorn followup.main:app --port 8003`."""

from followup.ideas_client import close_ideas_client, open_ideas_client
from followup.relay import outcome_delivery
from followup.router import router
from followup.settings import ALEMBIC_INI, VERSION_TABLE, get_settings
from platform_core.app import create_service_app
from platform_core.outbox import start_relay, stop_relay


async def _start(app) -> None:
    await open_ideas_client(app)
    await start_relay(app, outcome_delivery)


async def _stop(app) -> None:
    await stop_relay(app)
    await close_ideas_client(app)


app = create_service_app(
    part="followup",
    title="Follow-up service",
    description="Trials, metrics and measurements, honest verdicts, the shared library, portfolio reports.",
    settings=get_settings(),
    routers=[router],
    alembic_ini=ALEMBIC_INI,
    version_table=VERSION_TABLE,
    on_startup=_start,
    on_shutdown=_stop,
)
