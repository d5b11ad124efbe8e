"""The voting service's typed application state: what the lifespan makes, read through `deps.StateDep`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_core.state import AppState
from voting.clients.ideas import IdeasClient
from voting.domain.ballots import BallotBox
from voting.domain.chaining import Chainer
from voting.settings import VotingSettings


@dataclass
class VotingState:
    """Everything the voting service keeps for its lifetime; nothing else lives in module globals."""

    settings: VotingSettings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    ideas: IdeasClient
    chainer: Chainer
    ballot_box: BallotBox
    # asyncpg pool of the ballot batches on PostgreSQL; None on SQLite.
    ballot_pool: Any | None

    @property
    def audit_key(self) -> str:
        return self.settings.audit_key


STATE = AppState[VotingState]("voting")


def of_app(app: FastAPI) -> VotingState:
    return STATE.of_app(app)


async def of_request(request: Request) -> VotingState:
    # async: FastAPI runs a plain `def` dependency in a worker thread, a hand-over on every ballot.
    return STATE.of(request)
