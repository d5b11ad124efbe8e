"""Database engine and the request-scoped session: the request owns the transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, Table, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_core.state import PLATFORM

# Set before the first table, so constraint names are stable across SQLite and PostgreSQL (and the
# same in a part's models as in its migrations).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """A part's own MetaData, with the naming convention: each part's tables live in their own, so
    every part's models import into one process (tests, tools) without two tables of one name."""
    return MetaData(naming_convention=NAMING_CONVENTION)


# The tables several parts keep (idempotency keys, outbox, inbox) are mapped once, here; each part
# copies the ones it uses into its own metadata with `attach`, so its migrations and its models agree.
COMMON_METADATA = new_metadata()


class CommonTable(SQLModel, registry=registry(metadata=COMMON_METADATA)):
    """Base of the tables platform_core defines for every part (not a table itself)."""


def table_of(model: type[SQLModel]) -> Table:
    """A table model's `Table` (typed, unlike `Model.__table__`), for Core statements."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def attach(metadata: MetaData, *tables: type[SQLModel]) -> None:
    """Put common tables (e.g. `IdempotentRequest`, `OutboxEvent`, `InboxEvent`) in a part's metadata."""
    for model in tables:
        table = table_of(model)
        if table.name not in metadata.tables:
            table.to_metadata(metadata)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC in and out, on PostgreSQL (timestamptz) and SQLite (which drops the zone),
    so an answer carries the same `+00:00` whatever the database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def async_url(url: str) -> str:
    """Map a plain database URL onto the async driver this platform uses."""
    u = make_url(url)
    if u.drivername in ("sqlite", "sqlite+pysqlite"):
        u = u.set(drivername="sqlite+aiosqlite")
    elif u.drivername in ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"):
        u = u.set(drivername="postgresql+asyncpg")
    return u.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).drivername.startswith("sqlite")


_READ_ONLY = "platform_read_only"
# Execution options of a connection or session that only reads (`await session.connection(
# execution_options=READ_ONLY)` before its first statement, or `engine.execution_options(**READ_ONLY)`):
# on SQLite its transaction begins deferred, not BEGIN IMMEDIATE, so it never waits for the write lock
# (a search on every keystroke queued behind every write, and behind every other search). A write in
# it may fail with "database is locked"; PostgreSQL ignores the option.
READ_ONLY: dict[str, Any] = {_READ_ONLY: True}


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An async engine; SQLite gets WAL, a busy timeout and foreign keys, as the design asks."""
    url = async_url(url)
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # aiosqlite opens the connection in autocommit-less mode; pragmas need a cursor.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin_immediate(conn):
            # Take the write lock at BEGIN so two writers queue on busy_timeout instead of
            # failing with "database is locked" when a read transaction upgrades to a write.
            # A unit of work that only reads (READ_ONLY) begins deferred: in WAL mode it takes no lock,
            # so readers neither queue behind writers nor behind each other.
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(_READ_ONLY) else "BEGIN IMMEDIATE")

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_no_pysqlite_begin(dbapi_conn, _record):
            dbapi_conn.isolation_level = None

        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, pool_recycle=1800)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session committed when the block ends, rolled back if it raises.

    For a route that opens its session only when it needs one (see `get_session` for the rest).
    """
    maker = PLATFORM.of(request).sessionmaker
    async with maker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: committed when the route returns, rolled back if it raises.

    Domain code may ``flush()`` but never ``commit()``; the request decides.
    """
    async with request_session(request) as session:
        yield session


# scope="function": the commit runs before the response is sent, so a failed commit is an error
# answer, never a 2xx for data that was not saved.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def _keep_session_state(_connection: Any) -> None:
    """Nothing to reset: the driver pool runs only single autocommitted statements (see below)."""


async def open_driver_pool(url: str, *, size: int = 10, statement_timeout: float = 10.0) -> Any | None:
    """A pool of plain asyncpg connections on PostgreSQL (None on SQLite), for a hot path that is one
    autocommitted statement.

    Why: through the ORM session a one-statement write costs six round trips (the pool's pre-ping,
    BEGIN, the statement, COMMIT) and most of a millisecond of Python; on the driver it is one round
    trip. asyncpg resets a connection on release with a query of its own (`RESET ALL` and friends);
    statements here change no session state, so that query is skipped. Connections are made on
    demand, so a database that is down at start-up does not stop the service starting. A connection
    that died with its server is closed by the driver and replaced at the next acquire.
    """
    if is_sqlite(url):
        return None
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.create_pool(
        dsn,
        min_size=0,
        max_size=size,
        timeout=statement_timeout,
        command_timeout=statement_timeout,
        reset=_keep_session_state,
    )


def driver_unavailable(exc: BaseException) -> bool:
    """An asyncpg error that means "the database is not reachable just now" (answer 503, retry)."""
    import asyncpg

    return isinstance(
        exc,
        (
            asyncpg.PostgresConnectionError,
            asyncpg.InterfaceError,
            asyncpg.exceptions.OperatorInterventionError,
            asyncpg.exceptions.TooManyConnectionsError,
            asyncpg.exceptions.CannotConnectNowError,
            ConnectionError,
            TimeoutError,
            OSError,
        ),
    )
