"""Alembic plumbing: each part keeps its own history and version table; this runs it.

`env.py` of every part calls `run_alembic_env`; the runner, `/readyz` and the tests use the rest.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, pool, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

# NAMING_CONVENTION lives in platform_core.db (with new_metadata); imported from here by older code.
from platform_core.db import NAMING_CONVENTION as NAMING_CONVENTION
from platform_core.db import async_url, is_sqlite


def alembic_config(ini_path: Path, database_url: str | None = None) -> Config:
    cfg = Config(str(ini_path))
    cfg.set_main_option("script_location", str(ini_path.parent / "migrations"))
    if database_url:
        cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(ini_path: Path, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(ini_path, database_url), revision)


def downgrade(ini_path: Path, database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(ini_path, database_url), revision)


def head_revision(ini_path: Path) -> str | None:
    return ScriptDirectory.from_config(alembic_config(ini_path)).get_current_head()


async def current_revision(conn: AsyncConnection, version_table: str) -> str | None:
    def _read(sync_conn) -> str | None:
        ctx = MigrationContext.configure(sync_conn, opts={"version_table": version_table})
        return ctx.get_current_revision()

    return await conn.run_sync(_read)


def run_alembic_env(target_metadata: MetaData, version_table: str, default_url: str) -> None:
    """Body of a part's migrations/env.py (online mode, async driver)."""
    url = context.config.get_main_option("sqlalchemy.url") or default_url

    def _run(connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=version_table,
            render_as_batch=is_sqlite(url),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, version_table=version_table, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    async def _main() -> None:
        engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
        async with engine.connect() as conn:
            if is_sqlite(url):
                await conn.execute(text("PRAGMA journal_mode=WAL"))
            await conn.run_sync(_run)
            await conn.commit()
        await engine.dispose()

    asyncio.run(_main())
