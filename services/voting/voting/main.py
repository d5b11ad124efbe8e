"""The voting service's app: `uvicorn voting.main:app --port 8002`."""

from fastapi import FastAPI

from platform_core.app import create_service_app
from platform_core.db import open_driver_pool
from platform_core.outbox import start_relay, stop_relay
from voting.chaining import start_chainer, stop_chainer
from voting.first_cast import FirstBallots
from voting.ideas_client import start_ideas_client, stop_ideas_client
from voting.relay import result_delivery
from voting.router import ballot_router, router
from voting.settings import ALEMBIC_INI, VERSION_TABLE, get_settings


async def on_startup(app: FastAPI) -> None:
    # PostgreSQL: voters' first ballots are written in batches on plain driver connections
    # (voting/first_cast.py); on SQLite every cast goes through the request's session.
    app.state.ballot_pool = await open_driver_pool(app.state.settings.database_url)
    app.state.first_ballots = FirstBallots(app.state.ballot_pool) if app.state.ballot_pool is not None else None
    await start_ideas_client(app)
    start_chainer(app)
    await start_relay(app, result_delivery)


async def on_shutdown(app: FastAPI) -> None:
    await stop_relay(app)
    await stop_chainer(app)
    await stop_ideas_client(app)
    if app.state.ballot_pool is not None:
        await app.state.first_ballots.drain()
        await app.state.ballot_pool.close()


app = create_service_app(
    part="voting",
    title="Voting service",
    description="Rounds, ballots and receipts, counts anyone entitled can check, and an audit chain.",
    settings=get_settings(),
    routers=[ballot_router, router],
    alembic_ini=ALEMBIC_INI,
    version_table=VERSION_TABLE,
    on_startup=on_startup,
    on_shutdown=on_shutdown,
)
