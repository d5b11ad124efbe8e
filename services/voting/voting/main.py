"""The voting service's app: `uvicorn voting.main:app --port 8002`."""

from fastapi import FastAPI

from platform_core.app import create_service_app
from platform_core.db import open_driver_pool
from platform_core.outbox import start_relay, stop_relay
from voting.chaining import start_chainer, stop_chainer
from voting.first_cast import FirstBallots, postgres_writer, sqlite_writer
from voting.ideas_client import start_ideas_client, stop_ideas_client
from voting.relay import result_delivery
from voting.router import ballot_router, router
from voting.settings import ALEMBIC_INI, VERSION_TABLE, get_settings


async def on_startup(app: FastAPI) -> None:
    # Voters' first ballots are written in batches (voting/first_cast.py): on PostgreSQL one statement
    # a batch on plain driver connections, on SQLite one transaction a batch.
    pool = app.state.ballot_pool = await open_driver_pool(app.state.settings.database_url)
    writer = postgres_writer(pool) if pool is not None else sqlite_writer(app.state.engine)
    app.state.first_ballots = FirstBallots(writer)
    await start_ideas_client(app)
    start_chainer(app)
    await start_relay(app, result_delivery)


async def on_shutdown(app: FastAPI) -> None:
    await stop_relay(app)
    await stop_chainer(app)
    await stop_ideas_client(app)
    await app.state.first_ballots.drain()
    if app.state.ballot_pool is not None:
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
