"""The voting service's app: `uvicorn voting.main:app --port 8002`."""

from fastapi import FastAPI

from platform_core.app import create_service_app
from platform_core.outbox import start_relay, stop_relay
from voting.chaining import start_chainer, stop_chainer
from voting.ideas_client import start_ideas_client, stop_ideas_client
from voting.relay import result_delivery
from voting.router import router
from voting.settings import ALEMBIC_INI, VERSION_TABLE, get_settings


async def on_startup(app: FastAPI) -> None:
    await start_ideas_client(app)
    start_chainer(app)
    await start_relay(app, result_delivery)


async def on_shutdown(app: FastAPI) -> None:
    await stop_relay(app)
    await stop_chainer(app)
    await stop_ideas_client(app)


app = create_service_app(
    part="voting",
    title="Voting service",
    description="Rounds, ballots and receipts, counts anyone entitled can check, and an audit chain.",
    settings=get_settings(),
    routers=[router],
    alembic_ini=ALEMBIC_INI,
    version_table=VERSION_TABLE,
    on_startup=on_startup,
    on_shutdown=on_shutdown,
)
