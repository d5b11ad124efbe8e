"""Typed application state: what a part's lifespan makes, held in one dataclass, read through a
dependency; never an untyped bag of names on `app.state`, never module-level mutable state.

A part declares its state and where it lives once:

    @dataclass
    class VotingState:
        ideas: IdeasClient
        ballot_box: BallotBox

    STATE = AppState[VotingState]("voting")
    StateDep = Annotated[VotingState, Depends(STATE.dependency)]

its lifespan (`on_startup`) makes it with `STATE.put(app, VotingState(...))`, and routes take
`state: StateDep`. platform_core's own state (settings, engine, sessions, the token verifier) is
`PlatformState`, put by `create_service_app` (the gateway puts its `GatewayState`, which extends it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from fastapi import Depends, Request

if TYPE_CHECKING:  # (auth and db read their state from here: no import back at run time)
    from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
    from sqlmodel.ext.asyncio.session import AsyncSession

    from platform_core.auth import TokenVerifier
    from platform_core.settings import PartSettings

S = TypeVar("S")


class AppState(Generic[S]):
    """The one place of a part's state on its app (one attribute of Starlette's `app.state`)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def put(self, app: Any, value: S) -> S:
        """Keep `value` as this app's state (in the lifespan, before the first request)."""
        setattr(app.state, self.name, value)
        return value

    def of_app(self, app: Any) -> S:
        """The state of `app` (for start-up and shut-down hooks)."""
        value: S = getattr(app.state, self.name)
        return value

    def of(self, request: Request) -> S:
        """The state of the app serving `request` (in code; as a dependency use `dependency`)."""
        value: S = getattr(request.app.state, self.name)
        return value

    async def dependency(self, request: Request) -> S:
        """`of` as a dependency: `Depends(STATE.dependency)`. Async on purpose: FastAPI runs a plain
        `def` dependency in a worker thread, and that hand-over was about 7% of the voting service's
        sampled time per ballot (py-spy, 50 voters; benchmarks/README.md, "Ballots")."""
        return self.of(request)


@dataclass
class PlatformState:
    """What every part's lifespan makes for platform_core: settings, database, token checks."""

    settings: PartSettings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    token_verifier: TokenVerifier


PLATFORM = AppState[PlatformState]("platform")
PlatformDep = Annotated[PlatformState, Depends(PLATFORM.dependency)]
