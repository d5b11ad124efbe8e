"""The pages' app: `python -m web serve` (port 8004), reached through the gateway, which forwards every
path outside /api (and its own health, metrics and docs) here. /metrics is served apart, on
WEB_METRICS_ADDRESS (platform_core/metrics_server.py), as every part's is."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from platform_core.app import NO_OTEL, new_request_id, valid_request_id
from platform_core.auth import TokenVerifier
from platform_core.logs import configure_logging
from platform_core.observe import ObserveRequests
from web import routes
from web.assets import Assets
from web.clients.gateway import ApiError, Gateway
from web.deps import Forbidden, FormExpired, SignInRequired
from web.rendering import make_environment, render
from web.sessions import SessionCookies
from web.settings import WebSettings, get_settings
from web.state import WebState

log = logging.getLogger("web")


def create_app(settings: WebSettings | None = None, gateway: Gateway | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("web", settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        assets = Assets.load()
        app.state.web = WebState(
            settings=settings,
            gateway=gateway or Gateway(settings),
            cookies=SessionCookies(settings),
            assets=assets,
            templates=make_environment(assets),
            verifier=TokenVerifier(
                settings.public_key_pem(),
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                max_lifetime_seconds=settings.max_token_lifetime_seconds,
            ),
        )
        try:
            yield
        finally:
            await app.state.web.gateway.aclose()

    app = FastAPI(
        title="Council hack-day platform: pages",
        lifespan=lifespan,
        telemetry=NO_OTEL,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,  # its redirects would be absolute, naming the address the gateway reached it on
    )
    for router in routes.ROUTERS:
        app.include_router(router)
    install_page_handlers(app)

    app.add_middleware(TimedPages)
    # Pages compress well (forms repeat GOV.UK's markup); assets come gzipped already (assets.py).
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.add_middleware(ObserveRequests, part="web")
    app.add_middleware(
        CorrelationIdMiddleware, header_name="X-Request-ID", generator=new_request_id, validator=valid_request_id
    )
    return app


class TimedPages:
    """Every answer carries the page's time in web, its API calls through the gateway included, as
    `Server-Timing` (benchmarks/pages.py reads it), and a session refreshed on the way (deps.refresh) is
    written into the answer's cookie. Plain ASGI: Starlette's `@app.middleware("http")` ran every page in a
    task of its own with memory streams between, a cost on every page for two headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append("Server-Timing", f"web;dur={(time.perf_counter() - start) * 1000:.1f}")
                fresh = scope.get("state", {}).get("refreshed_session")
                if fresh is not None:
                    cookie = Response()
                    scope["app"].state.web.cookies.write(cookie, fresh)
                    for value in cookie.headers.getlist("set-cookie"):
                        headers.append("Set-Cookie", value)
            await send(message)

        await self.app(scope, receive, timed)


def sign_in_redirect(next_path: str) -> RedirectResponse:
    return RedirectResponse(f"/sign-in?next={quote(next_path, safe='/')}", status_code=303)


def install_page_handlers(app: FastAPI) -> None:
    """Every refusal becomes a page a person can act on, never JSON and never a stack trace."""

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        response = sign_in_redirect(exc.next_path)
        request.app.state.web.cookies.clear(response)
        return response

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return render(request, "errors/403.html", status_code=403)

    @app.exception_handler(FormExpired)
    async def _expired(request: Request, exc: FormExpired) -> Response:
        return render(request, "errors/form_expired.html", {"back": request.url.path}, status_code=400)

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> Response:
        if exc.status == 401:
            from web.deps import where_from

            return await _sign_in(request, SignInRequired(where_from(request)))
        if exc.status == 403:
            return render(request, "errors/403.html", {"detail": exc.detail}, status_code=403)
        if exc.status == 404:
            return render(request, "errors/404.html", status_code=404)
        if exc.status in (503, 504):
            return render(request, "errors/unavailable.html", {"detail": exc.detail}, status_code=503)
        if exc.status == 429:
            page = render(request, "errors/too_many.html", {"retry_after": exc.retry_after}, status_code=429)
            page.headers["Retry-After"] = str(exc.retry_after or 60)
            return page
        return render(request, "errors/refused.html", {"detail": exc.detail}, status_code=409)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 405:
            return render(request, "errors/404.html", status_code=405)
        return render(request, "errors/404.html", status_code=404)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # Only addresses are validated by FastAPI here (forms are read by the routes): a malformed id.
        return render(request, "errors/404.html", status_code=404)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("a page failed")
        return render(request, "errors/unavailable.html", status_code=500)


app = create_app()
