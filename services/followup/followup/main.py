"""The follow-up service's app: `uvicorn followup.main:app --port 8003`."""

from followup.ideas_client import close_ideas_client, open_ideas_client
from followup.router import router
from followup.settings import ALEMBIC_INI, VERSION_TABLE, get_settings
from platform_core.app import create_service_app

app = create_service_app(
    part="followup",
    title="Follow-up service",
    description="Trials, metrics and measurements, honest verdicts, the shared library, portfolio reports.",
    settings=get_settings(),
    routers=[router],
    alembic_ini=ALEMBIC_INI,
    version_table=VERSION_TABLE,
    on_startup=open_ideas_client,
    on_shutdown=close_ideas_client,
)
