"""Each part's models and its migrations describe the same schema, on SQLite and PostgreSQL: a
database migrated to head, compared with the part's own metadata by Alembic, shows no difference.
And every part's models import into one process (each part has its own metadata)."""

from __future__ import annotations

import importlib
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from platform_core.migrations import upgrade
from tests.conftest import POSTGRES_REQUIRED
from tools.platform_runner import DATABASE_PARTS as PARTS
from tools.platform_runner import REPO, _pg_admin, postgres_reachable

INI = {
    "gateway": REPO / "gateway" / "alembic.ini",
    **{part: REPO / "services" / part / "alembic.ini" for part in ("ideas", "voting", "followup")},
}


def _database(backend: str, part: str, tmp_path: Path) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / (part + '.db')}", None
    why = postgres_reachable()
    if why is not None:
        if POSTGRES_REQUIRED:
            pytest.fail(f"PostgreSQL is required here: {why}")
        pytest.skip(f"PostgreSQL is not reachable: {why}")
    name = f"hackday_models_{part}_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}", name


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("part", PARTS)
def test_the_migrated_schema_is_what_the_models_say(part, backend, tmp_path):
    metadata = importlib.import_module(f"{part}.models").metadata
    url, pg_name = _database(backend, part, tmp_path)
    try:
        upgrade(INI[part], url)
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            with engine.connect() as conn:
                context = MigrationContext.configure(
                    conn, opts={"compare_type": True, "version_table": f"alembic_version_{part}"}
                )
                differences = compare_metadata(context, metadata)
        finally:
            engine.dispose()
        assert differences == [], "\n".join(str(d) for d in differences)
    finally:
        if pg_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def test_every_parts_models_import_into_one_process():
    # A fresh interpreter, so that nothing imported by other tests hides a clash.
    code = "; ".join(f"import {part}.models" for part in PARTS) + "; print('ok')"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
