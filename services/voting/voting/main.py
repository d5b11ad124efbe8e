"""The voting service's app: `uvicorn voting.main:app --port 8002`."""

from typing import cast

from fastapi import FastAPI

from platform_core.app import create_service_app
from platform_core.db import open_driver_pool
from platform_core.outbox import start_relay, stop_relay
from platform_core.state import PLATFORM
from voting.clients.ideas import IdeasClient
from voting.domain.ballot_batches import FirstBallots, postgres_writer, sqlite_writer
from voting.domain.ballots import BallotBox
from voting.domain.chaining import Chainer
from voting.events import result_delivery
from voting.routes import routers
from voting.settings import ALEMBIC_INI, VERSION_TABLE, VotingSettings, get_settings
from voting.state import STATE, VotingState, of_app


async def on_startup(app: FastAPI) -> None:
    platform = PLATFORM.of_app(app)
    settings = cast(VotingSettings, platform.settings)
    # Voters' first ballots are written in batches (domain/ballot_batches.py): on PostgreSQL one
    # statement a batch on plain driver connections, on SQLite one transaction a batch.
    pool = await open_driver_pool(settings.database_url)
    writer = postgres_writer(pool) if pool is not None else sqlite_writer(platform.engine)
    chainer = Chainer(platform.sessionmaker, settings.audit_key)
    STATE.put(
        app,
        VotingState(
            settings=settings,
            engine=platform.engine,
            sessionmaker=platform.sessionmaker,
            ideas=IdeasClient(
                settings.ideas_url,
                connect_timeout=settings.ideas_connect_timeout_seconds,
                read_timeout=settings.ideas_read_timeout_seconds,
            ),
            chainer=chainer,
            ballot_box=BallotBox(
                sessionmaker=platform.sessionmaker,
                batches=FirstBallots(writer),
                ballot_secret=settings.ballot_secret,
                chainer=chainer,
            ),
            ballot_pool=pool,
        ),
    )
    await start_relay(app, result_delivery)


async def on_shutdown(app: FastAPI) -> None:
    state = of_app(app)
    await stop_relay(app)
    await state.chainer.drain()
    await state.ideas.aclose()
    await state.ballot_box.drain()
    if state.ballot_pool is not None:
        await state.ballot_pool.close()


TAGS = [
    {
        "name": "voting",
        "description": "Rounds over a hack day's ideas (dot voting, approval, ranked, score) with their "
        "rules and window; one ballot a person with a receipt; results, the published ballots for a recount, and the "
        "audit chain.",
    },
]

app = create_service_app(
    part="voting",
    title="Voting service",
    description="Rounds, ballots and receipts, counts anyone entitled can check, and an audit chain.",
    settings=get_settings(),
    routers=routers,
    alembic_ini=ALEMBIC_INI,
    version_table=VERSION_TABLE,
    on_startup=on_startup,
    on_shutdown=on_shutdown,
    tags=TAGS,
)
