"""Each part's own Alembic history: upgrade head, downgrade base and upgrade again, on SQLite and
PostgreSQL, run as an operator would (`python -m <part> migrate|downgrade`)."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.conftest import POSTGRES_REQUIRED
from tools.platform_runner import DATABASE_PARTS as PARTS
from tools.platform_runner import REPO, _pg_admin, postgres_reachable

VERSION_TABLES = {part: f"alembic_version_{part}" for part in PARTS}


def _database(backend: str, part: str, tmp_path) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / (part + '.db')}", None
    why = postgres_reachable()
    if why is not None:
        if POSTGRES_REQUIRED:
            pytest.fail(f"PostgreSQL is required here: {why}")
        pytest.skip(f"PostgreSQL is not reachable: {why}")
    name = f"hackday_migrations_{part}_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}", name


def _run(part: str, url: str, *args: str, **settings: str) -> None:
    env = {"PATH": "/usr/bin:/bin", f"{part.upper()}_DATABASE_URL": url, "PYTHONUNBUFFERED": "1", **settings}
    import os

    env.update({k: v for k, v in os.environ.items() if k in ("HOME", "PYTHONPATH", "VIRTUAL_ENV")})
    done = subprocess.run([sys.executable, "-m", part, *args], cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def _tables(url: str) -> set[str]:
    sync_url = url.replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(sync_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("part", PARTS)
def test_upgrade_downgrade_upgrade(part, backend, tmp_path):
    url, pg_name = _database(backend, part, tmp_path)
    try:
        _run(part, url, "migrate")
        made = _tables(url)
        assert VERSION_TABLES[part] in made and len(made) > 2, made
        assert not any(t.startswith("alembic_version") and t != VERSION_TABLES[part] for t in made)
        _run(part, url, "downgrade", "base")
        assert _tables(url) <= {VERSION_TABLES[part]}
        _run(part, url, "migrate")
        assert _tables(url) == made
    finally:
        if pg_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_single_sign_on_secrets_stored_before_gateway_0011_are_encrypted_by_it(backend, tmp_path):
    """A council connected before secrets were encrypted: migrating encrypts its secret with the key
    set then; downgrading decrypts it back."""
    from cryptography.fernet import Fernet

    from gateway.domain.sign_on_secrets import unseal

    url, pg_name = _database(backend, "gateway", tmp_path)
    key = Fernet.generate_key().decode()
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    council = uuid.uuid4()
    council_id = str(council) if backend == "postgres" else council.hex

    def sign_on() -> dict:
        with engine.connect() as db:
            return dict(db.execute(text("SELECT * FROM council_sign_ons")).mappings().one())

    try:
        _run("gateway", url, "migrate")
        _run("gateway", url, "downgrade", "gateway_0010")
        with engine.begin() as db:
            db.execute(
                text("INSERT INTO councils (id, name, slug, created_at) VALUES (:id, 'Anytown', 'anytown', :at)"),
                {"id": council_id, "at": "2026-12-01 09:00:00"},
            )
            db.execute(
                text(
                    "INSERT INTO council_sign_ons (council_id, issuer, client_id, client_secret, email_domains, "
                    "email_claim, name_claim, redirect_uris, updated_at, version) VALUES (:id, "
                    "'https://login.example.org', 'hackday', 'the-plain-secret', '[]', 'email', 'name', '[]', :at, 1)"
                ),
                {"id": council_id, "at": "2026-12-01 09:00:00"},
            )
        _run("gateway", url, "migrate", GATEWAY_SIGN_ON_SECRET_KEYS=key)
        stored = sign_on()
        assert "client_secret" not in stored and "the-plain-secret" not in str(stored)
        assert unseal(stored["client_secret_encrypted"], keys=key) == "the-plain-secret"
        _run("gateway", url, "downgrade", "gateway_0010", GATEWAY_SIGN_ON_SECRET_KEYS=key)
        assert sign_on()["client_secret"] == "the-plain-secret"
    finally:
        engine.dispose()
        if pg_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
