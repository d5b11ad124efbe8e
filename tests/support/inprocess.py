"""The in-process test layer: one part's app in the test's own process, on a migrated SQLite file,
called over `httpx.ASGITransport` with real signed tokens. About a second a test, for rules and
validation; journeys, faults and the spine stay with the real processes (tests/conftest.py).

    part = InProcessPart.start("ideas", tmp_folder)      # migrate, build the app, run its start-up
    organiser = part.person(roles=["organiser"])           # an Actor (tests/support/actors.py)
    answer = organiser.post("/api/ideas/hack-days", json={...})
    part.stop()

The app runs on an event loop of its own thread, so tests stay plain synchronous functions, as the
process tests are, and can use the same helpers (`Actor`, `ok`, `problem`). Tokens are signed with
a key pair made by `platform_core.keys` (as `tools/platform_runner.py` does) and checked by the part
exactly as in production. Other services are not running: a rule that needs one is a process test.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
import threading
import uuid
from collections.abc import Coroutine
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, TypeVar

import httpx

from gateway.domain.tokens import TokenIssuer
from platform_core.keys import generate_keypair
from platform_core.migrations import upgrade
from platform_core.settings import TOKEN_AUDIENCE, TOKEN_ISSUER
from tests.support.actors import Actor

REPO = Path(__file__).resolve().parents[2]
ALEMBIC_INI = {
    "gateway": REPO / "gateway" / "alembic.ini",
    **{part: REPO / "services" / part / "alembic.ini" for part in ("ideas", "voting", "followup")},
}
T = TypeVar("T")
TOKEN_SECONDS = 3600


class _Loop:
    """An event loop in a daemon thread: synchronous tests hand it coroutines and wait."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="inprocess-app", daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


class SyncClient:
    """What `Actor` needs of a client (`request`), over an `httpx.AsyncClient` on the app's loop."""

    def __init__(self, loop: _Loop, client: httpx.AsyncClient) -> None:
        self._loop = loop
        self._client = client

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return self._loop.run(self._client.request(method, path, **kw))

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)


def _build_app(part: str, env: dict[str, str]) -> Any:
    """The part's app, built with `env` as its settings (the module is imported again, so that the
    module-level `app` reads them; the environment is put back afterwards)."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        settings_module = importlib.import_module(f"{part}.settings")
        settings_module.get_settings.cache_clear()
        if part == "gateway":
            from gateway.main import create_app

            return create_app(settings_module.get_settings())
        name = f"{part}.main"
        module = importlib.reload(sys.modules[name]) if name in sys.modules else importlib.import_module(name)
        return module.app
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        importlib.import_module(f"{part}.settings").get_settings.cache_clear()


class InProcessPart:
    """One part, started in this process (see the module's docstring)."""

    def __init__(self, part: str, app: Any, issuer: TokenIssuer, loop: _Loop, database_url: str) -> None:
        self.part = part
        self.app = app
        self.issuer = issuer
        self.database_url = database_url
        self._loop = loop
        self._lifespan: AbstractAsyncContextManager[Any] | None = None
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://inprocess.test", timeout=30.0
        )
        self.anonymous = SyncClient(loop, self._client)

    @classmethod
    def start(cls, part: str, folder: Path, **settings: str) -> InProcessPart:
        """Migrate a new SQLite file in `folder`, build the part's app and run its start-up.
        `settings` are extra settings without the part's prefix (`index_refresh_seconds="1"`)."""
        private_pem, public_pem = generate_keypair()
        database_url = f"sqlite:///{folder / (part + '.db')}"
        upgrade(ALEMBIC_INI[part], database_url)
        prefix = part.upper() + "_"
        env = {
            prefix + "ENVIRONMENT": "test",
            prefix + "DATABASE_URL": database_url,
            prefix + "JWT_PUBLIC_KEY": public_pem,
            prefix + "SERVICE_API_KEY": "",
            prefix + "METRICS_ADDRESS": "",
            # The tokens below last an hour, longer than the 15 minutes a part accepts by default.
            prefix + "MAX_TOKEN_LIFETIME_SECONDS": str(TOKEN_SECONDS),
            **{prefix + key.upper(): value for key, value in settings.items()},
        }
        if part == "gateway":
            env[prefix + "JWT_PRIVATE_KEY"] = private_pem
        app = _build_app(part, env)
        issuer = TokenIssuer(private_pem, issuer=TOKEN_ISSUER, audience=TOKEN_AUDIENCE, ttl_seconds=TOKEN_SECONDS)
        started = cls(part, app, issuer, _Loop(), database_url)
        started._lifespan = (
            app.router.lifespan_context(app) if part != "gateway" else app.app.router.lifespan_context(app.app)
        )
        started._loop.run(started._lifespan.__aenter__())
        return started

    def stop(self) -> None:
        """Run the part's shut-down and close its loop."""
        if self._lifespan is not None:
            self._loop.run(self._lifespan.__aexit__(None, None, None))
        self._loop.run(self._client.aclose())
        self._loop.close()

    def person(
        self,
        *,
        roles: list[str] | None = None,
        council_id: str | None = None,
        council_name: str = "Testshire Council",
        name: str = "Alex Example",
        service: str | None = None,
    ) -> Actor:
        """Someone with a real signed token: of a new council unless `council_id` is given; with
        `service` ("ideas", ...), that service's own credential (role service, no council)."""
        person_id = uuid.uuid4()
        council = council_id or str(uuid.uuid4())
        roles = ["service"] if service else roles or ["staff"]
        token = self.issuer.issue(
            subject=person_id,
            council_id=None if service or ("admin" in roles and council_id is None) else uuid.UUID(council),
            council_name="" if service else council_name,
            roles=roles,
            name=service or name,
            service=service,
        )
        return Actor(
            client=self.anonymous,  # type: ignore[arg-type]  # duck-typed: Actor only calls request()
            token=token,
            id=str(person_id),
            name=name,
            council_id=council,
            roles=roles,
        )
