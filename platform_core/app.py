"""Builds a service's FastAPI app with all the plumbing every service shares."""

from __future__ import annotations

import gc
import re
import secrets
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.telemetry import TelemetryConfig
from pydantic import BaseModel

from platform_core.auth import CurrentPrincipal, TokenVerifier
from platform_core.db import make_engine, make_sessionmaker
from platform_core.health import health_router
from platform_core.housekeeping import Housekeeping
from platform_core.json_bodies import json_bodies_only
from platform_core.limits import BodyLimits
from platform_core.logs import configure_logging
from platform_core.observe import ObserveRequests
from platform_core.problems import install_problem_handlers, responses
from platform_core.settings import PartSettings
from platform_core.state import PLATFORM, PlatformState

# FastAPI's built-in OpenTelemetry hooks ask the global providers on every request whether they are
# configured; this platform exports Prometheus metrics and JSON logs instead, so they stay off.
NO_OTEL: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


# Tags every service's document uses; each part adds its own (create_service_app's `tags`).
COMMON_TAGS: tuple[dict[str, str], ...] = (
    {"name": "health", "description": "Is the part up (/healthz) and ready to serve (/readyz: database, migrations)."},
    {"name": "diagnostics", "description": "Who the part sees calling: check a token or an API key."},
    {"name": "internal", "description": "Calls between the platform's own services; the gateway refuses them."},
)


def valid_request_id(value: str) -> bool:
    """Accept a caller's request id only if it is short and safe to put in a log line."""
    return bool(_REQUEST_ID.match(value))


def new_request_id() -> str:
    """32 random hex digits, as `uuid.uuid4().hex` gave, at a quarter of its cost: building the UUID
    object is most of that, and every request that comes without an id pays for it."""
    return secrets.token_hex(16)


class Caller(BaseModel):
    """What a service sees of the caller's token (useful to check a token or an API key)."""

    person_id: uuid.UUID
    council_id: uuid.UUID | None
    council_name: str
    roles: list[str]
    kind: str


def caller_router(part: str) -> APIRouter:
    router = APIRouter(prefix=f"/api/{part}", tags=["diagnostics"])

    @router.get(
        "/whoami",
        response_model=Caller,
        summary=f"Who the {part} service sees calling",
        description=f"The caller as the {part} service reads your token or API key: person, council, roles and "
        "kind of credential. For checking a sign-in or a key before using it; anyone signed in may ask, and "
        "nothing is changed.",
        responses=responses(401),
    )
    async def whoami(principal: CurrentPrincipal) -> Caller:
        return Caller(
            person_id=principal.person_id,
            council_id=principal.council_id,
            council_name=principal.council_name,
            roles=sorted(principal.roles),
            kind=principal.kind,
        )

    return router


def create_service_app(
    *,
    part: str,
    title: str,
    description: str,
    settings: PartSettings,
    routers: Sequence[APIRouter],
    alembic_ini: Path,
    version_table: str,
    on_startup: Callable[[FastAPI], Any] | None = None,
    on_shutdown: Callable[[FastAPI], Any] | None = None,
    readiness_checks: Callable[[Request], dict[str, str]] | None = None,
    tags: Sequence[dict[str, str]] = (),
) -> FastAPI:
    """`tags`: a name and a description for each tag the part's routes use (the API document shows them)."""
    configure_logging(part, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        platform = PLATFORM.put(
            app,
            PlatformState(
                settings=settings,
                engine=engine,
                sessionmaker=make_sessionmaker(engine),
                token_verifier=TokenVerifier(
                    settings.public_key_pem(),
                    issuer=settings.jwt_issuer,
                    audience=settings.jwt_audience,
                    max_lifetime_seconds=settings.max_token_lifetime_seconds,
                ),
            ),
        )
        if on_startup:
            await on_startup(app)
        housekeeping = Housekeeping(
            part,
            platform.sessionmaker,
            interval=settings.housekeeping_interval_seconds,
            idempotency_window=settings.idempotency_window_seconds,
        )
        await housekeeping.start()
        # Everything made at start-up (modules, routes, models) is moved out of the garbage
        # collector's view, so that a full collection looks only at what requests make: shorter
        # pauses in the answers it interrupts. (The gateway does the same, in edge.py.)
        gc.collect()
        gc.freeze()
        # And a young-generation collection every 10,000 allocations rather than Python's 700: a ballot
        # allocates a few thousand objects, almost all freed by reference counting, so at 700 every
        # request paid for several collections (and their full ones, of everything the part keeps, such
        # as its verified tokens). In-process, 50 voters at once: about 12% less CPU per ballot.
        gc.set_threshold(10_000, 10, 10)
        try:
            yield
        finally:
            await housekeeping.stop()
            if on_shutdown:
                await on_shutdown(app)
            await platform.engine.dispose()

    # No redirect to the path with(out) a trailing slash: the redirect would be absolute, built from the
    # service's own address as the gateway reached it (http://127.0.0.1:8201/...), and leak it.
    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        telemetry=NO_OTEL,
        redirect_slashes=False,
        dependencies=[Depends(json_bodies_only)],
        openapi_tags=[*tags, *COMMON_TAGS],
    )
    install_problem_handlers(app)
    # The service's own routes first: routing tries routes in order (and twice a request), and
    # these are the ones people call.
    for router in routers:
        app.include_router(router)
    app.include_router(health_router(part, alembic_ini, version_table, readiness_checks))
    app.include_router(caller_router(part))
    app.add_middleware(BodyLimits, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout_seconds)
    # The access line, metrics and request id (X-Request-ID) in one layer (platform_core/observe.py).
    app.add_middleware(ObserveRequests, part=part, request_ids=(new_request_id, valid_request_id))
    return app
