"""The pages in-process (httpx.ASGITransport), in front of a fake gateway (httpx.MockTransport): the
pages' own rules tested in about a second, without the platform's processes."""

from __future__ import annotations

import asyncio
import functools
import re
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from gateway.domain.tokens import TokenIssuer
from platform_core.keys import generate_keypair
from platform_core.settings import TOKEN_AUDIENCE, TOKEN_ISSUER
from web.clients.gateway import Gateway
from web.main import create_app
from web.sessions import SessionCookies
from web.settings import WebSettings

PRIVATE, PUBLIC = generate_keypair()


def in_own_loop(test: Callable) -> Callable:
    """Run an async test in a fresh event loop on a thread of its own: the browser tests' Playwright keeps
    an event loop on the main thread for the whole session, which a loop here must not meet."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        failure: list[BaseException] = []

        def target() -> None:
            try:
                asyncio.run(test(*args, **kwargs))
            except BaseException as exc:
                failure.append(exc)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        if failure:
            raise failure[0]

    return run


ISSUER = TokenIssuer(PRIVATE, issuer=TOKEN_ISSUER, audience=TOKEN_AUDIENCE, ttl_seconds=900)
COUNCIL = uuid.uuid4()


def token(*roles: str, ttl: int = 900, person: uuid.UUID | None = None) -> str:
    issuer = TokenIssuer(PRIVATE, issuer=TOKEN_ISSUER, audience=TOKEN_AUDIENCE, ttl_seconds=ttl)
    return issuer.issue(
        subject=person or uuid.uuid4(),
        council_id=COUNCIL,
        council_name="Kirkby Borough Council",
        roles=list(roles or ["staff"]),
        name="Sam Staff",
    )


@dataclass
class FakeGateway:
    """Answers by (method, path regex); records every call the pages made."""

    routes: list[tuple[str, str, Callable[[httpx.Request], httpx.Response]]] = field(default_factory=list)
    calls: list[httpx.Request] = field(default_factory=list)

    def on(self, method: str, pattern: str, answer: Any, status: int = 200) -> None:
        handler = answer if callable(answer) else (lambda _r, a=answer, s=status: httpx.Response(s, json=a))
        self.routes.insert(0, (method, pattern, handler))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        for method, pattern, handler in self.routes:
            if request.method == method and re.fullmatch(pattern, request.url.path):
                return handler(request)
        return httpx.Response(404, json={"status": 404, "detail": "Not found"})


SETTINGS = WebSettings(
    environment="test",
    jwt_public_key=PUBLIC,
    session_keys="Sm9obiBEb2UncyB0ZXN0IGtleSBvZiAzMiBieXRlcyE=",
    gateway_url="http://gateway.test",
)


@asynccontextmanager
async def pages(fake: FakeGateway, settings: WebSettings = SETTINGS) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, gateway=Gateway(settings, transport=httpx.MockTransport(fake)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://pages.test") as client:
            yield client


def sign_in(client: httpx.AsyncClient, access_token: str, refresh_token: str | None = None) -> None:
    """Put a session cookie for these tokens in the client, as signing in would."""
    from starlette.responses import Response

    cookies = SessionCookies(SETTINGS)
    response = Response()
    cookies.write(response, cookies.new(access_token, refresh_token))
    value = response.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]
    client.cookies.set(SETTINGS.session_cookie_name, value)


async def csrf(client: httpx.AsyncClient, page: str) -> str:
    """Open a page with a form and read its CSRF token (setting the CSRF cookie, as a browser would)."""
    html = (await client.get(page)).text
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)
