"""The test platform: the gateway and the three services as real processes, on SQLite and PostgreSQL.

Tests act through the gateway over HTTP with real tokens. PostgreSQL cases skip with the reason on a
machine without it; in CI (CI=true) or with PLATFORM_REQUIRE_POSTGRES=1 they fail instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from gateway.domain.tokens import TokenIssuer
from platform_core.settings import TOKEN_AUDIENCE, TOKEN_ISSUER
from tests.support.actors import Actor, Council, login, unique
from tools.platform_runner import PARTS, Platform, free_port, postgres_reachable

ACTOR_TOKEN_SECONDS = 4 * 3600
POSTGRES_REQUIRED = os.environ.get("CI", "").lower() == "true" or os.environ.get("PLATFORM_REQUIRE_POSTGRES") == "1"
BACKENDS = [b for b in os.environ.get("PLATFORM_TEST_BACKENDS", "sqlite,postgres").split(",") if b]
# A misspelt backend ("postgresql") would otherwise run nothing on it and pass: refused at once.
if unknown := sorted(set(BACKENDS) - {"sqlite", "postgres"}):
    raise pytest.UsageError(f"PLATFORM_TEST_BACKENDS: unknown backend(s) {unknown}; use sqlite, postgres or both")

# Generous limits for the suite (the admin makes hundreds of people); abuse tests start their own
# gateway with tight limits. A generous read timeout too: on a loaded machine a request can take
# longer than production's 10 s, and a 504 there is the machine, not the code (the timeout itself is
# tested with a gateway of its own, tests/platform/test_gateway_forwarding.py).
TEST_LIMITS = {
    "GATEWAY_WRITE_RATE_LIMIT": "100000/minute",
    "GATEWAY_LOGIN_RATE_LIMIT": "100000/minute",
    "GATEWAY_ANONYMOUS_READ_RATE_LIMIT": "100000/minute",
    "GATEWAY_READ_TIMEOUT_SECONDS": "30",
    # Test actors hold tokens minted for the whole run (ACTOR_TOKEN_SECONDS), longer than the 15 minutes
    # the parts accept by default; tests/reliability/test_token_claims.py checks the bound itself.
    **{f"{part.upper()}_MAX_TOKEN_LIFETIME_SECONDS": str(ACTOR_TOKEN_SECONDS) for part in PARTS},
}


class RunningPlatform:
    """What tests see of a running platform."""

    def __init__(self, platform: Platform) -> None:
        self._p = platform
        self.backend = platform.backend
        self.gateway_url = platform.url("gateway")
        # Tokens for test actors outlive a whole run of the suite (people's own tokens last 15 min).
        self.issuer = TokenIssuer(
            platform.private_key_file.read_text(),
            issuer=TOKEN_ISSUER,
            audience=TOKEN_AUDIENCE,
            ttl_seconds=ACTOR_TOKEN_SECONDS,
        )
        self.admin_email = platform.admin_email
        self.admin_password = platform.admin_password

    def url(self, part: str) -> str:
        return self._p.url(part)

    def database_url(self, part: str) -> str:
        return self._p.database_urls[part]

    def kill(self, part: str) -> None:
        self._p.kill(part)

    def start(self, part: str) -> None:
        self._p.start(part)

    def log(self, part: str) -> str:
        return self._p.log(part)

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.gateway_url, timeout=kw.pop("timeout", 30.0), **kw)

    @property
    def runner(self) -> Platform:
        return self._p


def _start_platform(backend: str, extra_env: dict[str, str] | None = None) -> Iterator[RunningPlatform]:
    folder = Path(tempfile.mkdtemp(prefix=f"hackday-{backend}-"))
    platform = Platform(
        data_dir=folder,
        backend=backend,
        environment="test",
        ports={p: free_port() for p in PARTS},
        extra_env={**TEST_LIMITS, **(extra_env or {})},
    )
    try:
        platform.prepare()
        platform.start_all()
        yield RunningPlatform(platform)
    finally:
        platform.stop_all()
        platform.drop_databases()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session", params=BACKENDS)
def platform(request: pytest.FixtureRequest) -> Iterator[RunningPlatform]:
    backend = request.param
    if backend == "postgres":
        why = postgres_reachable()
        if why is not None:
            message = f"PostgreSQL is not reachable at 127.0.0.1:5432 ({why})"
            if POSTGRES_REQUIRED:
                pytest.fail(message + "; it is required here (CI=true)")
            pytest.skip(message)
    yield from _start_platform(backend)


@pytest.fixture(scope="session")
def anonymous(platform: RunningPlatform) -> Iterator[httpx.Client]:
    with platform.client() as client:
        yield client


@pytest.fixture(scope="session")
def admin(platform: RunningPlatform, anonymous: httpx.Client) -> Actor:
    """The first admin, signed in with their password; then holding a token that lasts the run."""
    actor = login(anonymous, platform.admin_email, platform.admin_password)
    actor.token = platform.issuer.issue(
        subject=actor.id, council_id=None, council_name="", roles=["admin"], name=actor.name
    )
    return actor


@pytest.fixture(scope="session")
def new_council(admin: Actor) -> Callable[..., Council]:
    def make(name: str | None = None) -> Council:
        slug = unique("council")
        response = admin.post("/api/councils", json={"name": name or f"{slug.title()} Council", "slug": slug})
        assert response.status_code == 201, response.text
        body = response.json()
        return Council(id=body["id"], name=body["name"], slug=body["slug"])

    return make


@pytest.fixture(scope="session")
def new_person(platform: RunningPlatform, admin: Actor, anonymous: httpx.Client) -> Callable[..., Actor]:
    """Register a person through the gateway and give them a real token.

    The token is minted with the platform's own signing key rather than by a password sign-in, so
    the suite does not pay for Argon2 hundreds of times; sign-in itself has its own tests.
    """

    def make(council: Council | None, *roles: str, name: str | None = None) -> Actor:
        roles = roles or ("staff",)
        email = f"{unique('person')}@example.org"
        response = admin.post(
            "/api/people",
            json={
                "email": email,
                "name": name or email.split("@")[0].replace("-", " ").title(),
                "council_id": council.id if council else None,
                "roles": list(roles),
            },
        )
        assert response.status_code == 201, response.text
        person = response.json()
        token = platform.issuer.issue(
            subject=person["id"],
            council_id=council.id if council else None,
            council_name=council.name if council else "",
            roles=roles,
            name=person["name"],
        )
        return Actor(
            client=anonymous,
            token=token,
            id=person["id"],
            email=email,
            name=person["name"],
            council_id=person["council_id"],
            roles=list(roles),
        )

    return make


@pytest.fixture(scope="session")
def extra_gateway(platform: RunningPlatform):
    """Start one more gateway process in front of the same services and database, with other
    settings (e.g. tight rate limits), for the abuse tests; stopped when the block ends."""
    from tests.support.processes import another

    def start(**settings: str):
        return another(platform.runner, "gateway", **settings)

    return start


def _backend_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return next((v for v in (callspec.params.values() if callspec else ()) if v in ("sqlite", "postgres")), None)


def pytest_itemcollected(item: pytest.Item) -> None:
    """With xdist (`make test` runs `-n 2 --dist loadgroup`), every test on one backend goes to the same
    worker, so each worker starts one platform, once; the other tests go where there is room, a module at
    a time (their module-scoped fixtures are set up once). Shared out test by test instead, a worker would
    tear a module's fixtures down between two of its tests, and stop one backend's platform to start the
    other's.

    Marked here, as each item is collected, not in `pytest_collection_modifyitems`: xdist reads the marks
    in its own `pytest_collection_modifyitems`, which runs before a conftest's."""
    backend = _backend_of(item)
    item.add_marker(
        pytest.mark.xdist_group(backend or f"module:{item.module.__name__ if item.module else item.nodeid}")
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Refuse to run two workers that do not group by backend: every test would still pass alone, but tests
    that share a module's fixtures would fail at random (pytest 9.2 with xdist 3.8 silently dropped the
    groups: pytest-dev/pytest-xdist#1386; pytest is pinned below it)."""
    if not getattr(session.config.option, "loadgroup", False):
        return
    ungrouped = [item.nodeid for item in session.items if "@" not in item.nodeid.rsplit("]", 1)[-1]]
    if ungrouped:
        raise pytest.UsageError(
            f"pytest-xdist did not group {len(ungrouped)} tests by backend (e.g. {ungrouped[0]}): "
            "see pytest-dev/pytest-xdist#1386; run with TEST_WORKERS=0 or pin pytest where grouping works"
        )
