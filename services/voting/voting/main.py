"""The voting service's app: `uvicorn voting.main:app --port 8002`."""

from voting.router import router
from voting.settings import ALEMBIC_INI, VERSION_TABLE, get_settings

from platform_core.app import create_service_app

app = create_service_app(
    part="voting",
    title="Voting service",
    description="Rounds, ballots and receipts, counts anyone entitled can check, and an audit chain.",
    settings=get_settings(),
    routers=[router],
    alembic_ini=ALEMBIC_INI,
    version_table=VERSION_TABLE,
)
