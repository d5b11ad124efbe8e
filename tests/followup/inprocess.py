"""The follow-up service in this process: its app on httpx.ASGITransport, a SQLite file migrated by
its real migrations, and real signed tokens. For rules and validation that need no other part; the
journeys go through the real processes (tests/followup/test_*.py)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from gateway.domain.tokens import TokenIssuer
from platform_core.keys import generate_keypair
from platform_core.settings import TOKEN_AUDIENCE, TOKEN_ISSUER
from tools.platform_runner import REPO

T = TypeVar("T")
PUBLIC_BASE_URL = "https://hackday.example.gov.uk"


def migrate(part: str, url: str) -> None:
    """Run the part's real migrations, as an operator would (`python -m <part> migrate`)."""
    env = {**os.environ, f"{part.upper()}_DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-m", part, "migrate"], cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


@dataclass
class Service:
    """A migrated database and a key pair; `run(scenario)` serves the app in-process for one scenario."""

    database_url: str
    issuer: TokenIssuer
    public_key: str
    council_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def token(self, *roles: str, council_id: uuid.UUID | None = None, kind: str = "person") -> dict[str, str]:
        council = None if "service" in roles else (council_id or self.council_id)
        # A service's own credential names its service: follow-up's internal routes take voting's.
        service = {"service": "voting", "name": "voting"} if "service" in roles else {"name": "T"}
        token = self.issuer.issue(
            subject=uuid.uuid4(), council_id=council, council_name="Testshire", roles=roles, kind=kind, **service
        )
        return {"Authorization": f"Bearer {token}"}

    def run(self, scenario: Callable[[httpx.AsyncClient], Awaitable[T]], **settings: Any) -> T:
        from followup.main import make_app
        from followup.settings import Settings

        app = make_app(
            Settings(
                environment="test",
                database_url=self.database_url,
                jwt_public_key=self.public_key,
                public_base_url=PUBLIC_BASE_URL,
                # The internal address (compose's): it must never reach a published record.
                gateway_url="http://gateway:8000",
                ideas_url="http://127.0.0.1:9",
                **settings,
            )
        )

        async def go() -> T:
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://followup") as client:
                    return await scenario(client)

        return asyncio.run(go())


def make_service(folder: Path) -> Service:
    url = f"sqlite:///{folder / 'followup.db'}"
    migrate("followup", url)
    private, public = generate_keypair()
    issuer = TokenIssuer(private, issuer=TOKEN_ISSUER, audience=TOKEN_AUDIENCE, ttl_seconds=900)
    return Service(database_url=url, issuer=issuer, public_key=public)
