"""The gateway's app: `uvicorn gateway.main:app --port 8000`.

`app` is the edge (plain ASGI) wrapping the gateway's own FastAPI app (identity, health, docs).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from gateway.domain import identity
from gateway.domain.auth_versions import AuthVersions, CheckedTokenVerifier
from gateway.domain.sign_in_throttle import SignInThrottle
from gateway.domain.tokens import TokenIssuer
from gateway.edge.front import ApiKeyExchange, Edge
from gateway.edge.proxy import Upstream
from gateway.edge.ratelimit import RateLimits
from gateway.mail import Mailer, deliver_with, make_backend
from gateway.models import Person
from gateway.routes import router
from gateway.settings import GatewaySettings, get_settings
from gateway.state import GATEWAY, GatewayState
from platform_core.app import NO_OTEL
from platform_core.db import make_engine, make_sessionmaker
from platform_core.housekeeping import Housekeeping
from platform_core.json_bodies import json_bodies_only
from platform_core.logs import configure_logging
from platform_core.outbox import OutboxRelay
from platform_core.problems import install_problem_handlers

log = logging.getLogger("gateway")


async def ensure_first_admin(app: FastAPI, settings: GatewaySettings) -> None:
    """Create the first admin from settings if no admin exists yet (never a default password)."""
    if not (settings.bootstrap_admin_email and settings.bootstrap_admin_password):
        return
    async with GATEWAY.of_app(app).sessionmaker() as session:
        people = (await session.exec(select(Person))).all()
        if any("admin" in p.roles for p in people):
            return
        try:
            await identity.create_person(
                session,
                email=settings.bootstrap_admin_email,
                name="Administrator",
                council_id=None,
                roles=["admin"],
                password=settings.bootstrap_admin_password,
            )
            await session.commit()
        except IntegrityError:
            # Another gateway replica starting at the same moment made them first: that is the admin.
            await session.rollback()
            return
        log.info("created the first admin", extra={"email": settings.bootstrap_admin_email})


TAGS = [
    {
        "name": "sign-in",
        "description": "Sign in with a password or an invitation, exchange an API key, refresh and "
        "end sessions, change or reset a password. Tokens last 15 minutes; refresh tokens are single-use.",
    },
    {
        "name": "single sign-on",
        "description": "A council's own identity provider (OpenID Connect: Entra ID, Google Workspace): admins "
        "connect it; people start a sign-in there and complete it here, getting the platform's own tokens.",
    },
    {
        "name": "councils and people",
        "description": "Councils and their people: admins make councils and give roles; "
        "organisers register their council's staff in bulk and invite them; leavers are deactivated.",
    },
    {"name": "API keys", "description": "Keys for automation, with at most their creator's current roles; shown once."},
    {
        "name": "journeys",
        "description": "Views composed from several services with the caller's own token: an idea's "
        'or a hack day\'s whole journey, and "tried before?" while an idea is written or shortlisted.',
    },
    {"name": "health", "description": "Is the gateway up (/healthz), and is the whole platform ready (/readyz)."},
]


def create_app(settings: GatewaySettings | None = None) -> Edge:
    settings = settings or get_settings()
    configure_logging("gateway", settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        issuer = TokenIssuer(
            settings.jwt_private_key,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.token_ttl_seconds,
        )
        engine = make_engine(settings.database_url)
        sessionmaker = make_sessionmaker(engine)
        versions = AuthVersions()
        state = GATEWAY.put(
            app,
            GatewayState(
                settings=settings,
                engine=engine,
                sessionmaker=sessionmaker,
                token_verifier=CheckedTokenVerifier(
                    settings.jwt_public_key or issuer.public_key_pem(),
                    issuer=settings.jwt_issuer,
                    audience=settings.jwt_audience,
                    versions=versions,
                    max_lifetime_seconds=settings.max_token_lifetime_seconds,
                ),
                issuer=issuer,
                api_keys=ApiKeyExchange(sessionmaker, issuer, versions),
                rate_limits=RateLimits(
                    login=settings.login_rate_limit,
                    accept=settings.accept_rate_limit,
                    writes=settings.write_rate_limit,
                    anonymous_reads=settings.anonymous_read_rate_limit,
                    storage_url=settings.rate_limit_storage_url,
                ),
                upstreams={
                    name: Upstream(
                        name,
                        url,
                        connect_timeout=settings.connect_timeout_seconds,
                        read_timeout=settings.read_timeout_seconds,
                        max_connections=settings.max_connections_per_service,
                    )
                    for name, url in settings.service_urls().items()
                },
                web=Upstream(
                    "web",
                    settings.web_url,
                    connect_timeout=settings.connect_timeout_seconds,
                    read_timeout=settings.read_timeout_seconds,
                    max_connections=settings.max_connections_per_service,
                ),
                auth_versions=versions,
                sign_in_throttle=SignInThrottle(
                    free_failures=settings.sign_in_free_failures,
                    longest_wait=settings.sign_in_longest_wait_seconds,
                ),
            ),
        )
        edge.gateway = state
        backend = make_backend(settings)
        relay = None
        if backend is not None:
            state.mailer = Mailer(public_url=settings.public_url)
            relay = OutboxRelay(sessionmaker, deliver_with(backend))
            relay.start()
        await ensure_first_admin(app, settings)
        async with sessionmaker() as session:
            await versions.load(session)
        following = asyncio.create_task(versions.follow(sessionmaker, settings.auth_poll_seconds))
        # As every part with a database: the mail outbox's gauges, and the sweep of Idempotency-Key
        # records past their window (the gateway's creating POSTs keep them too).
        housekeeping = Housekeeping(
            "gateway",
            sessionmaker,
            interval=settings.housekeeping_interval_seconds,
            idempotency_window=settings.idempotency_window_seconds,
        )
        await housekeeping.start()
        try:
            yield
        finally:
            await housekeeping.stop()
            if relay is not None:
                await relay.stop()
            following.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await following
            await state.web.aclose()
            for upstream in state.upstreams.values():
                await upstream.aclose()
            await engine.dispose()

    app = FastAPI(
        title="Council hack-day platform: gateway",
        version="1.0.0",
        lifespan=lifespan,
        telemetry=NO_OTEL,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,  # its redirects would be absolute, from whatever Host the caller sent
        dependencies=[Depends(json_bodies_only)],  # a body not declared as JSON is a 415
        openapi_tags=TAGS,
    )
    install_problem_handlers(app)
    app.include_router(router)
    edge = Edge(app, settings=settings)
    return edge


app = create_app()
