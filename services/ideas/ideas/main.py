"""The ideas service's app: `uvicorn ideas.main:app --port 8001`."""

from ideas.router import router
from ideas.settings import ALEMBIC_INI, VERSION_TABLE, get_settings

from platform_core.app import create_service_app

app = create_service_app(
    part="ideas",
    title="Ideas service",
    description="Hack days, ideas, teams, comments, moderation and similar-idea search.",
    settings=get_settings(),
    routers=[router],
    alembic_ini=ALEMBIC_INI,
    version_table=VERSION_TABLE,
)
