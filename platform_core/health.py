"""/healthz (the process answers) and /readyz (database reachable, migrations at head, and any
conditions of the part's own, such as a search index built)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from platform_core.migrations import current_revision, head_revision
from platform_core.state import PLATFORM


class Health(BaseModel):
    status: str
    part: str


class Readiness(BaseModel):
    status: str
    part: str
    checks: dict[str, str]


def health_router(
    part: str, alembic_ini: Path, version_table: str, extra_checks: Callable[[Request], dict[str, str]] | None = None
) -> APIRouter:
    """`extra_checks` adds a part's own conditions to /readyz: {name: "ok" or why not}."""
    router = APIRouter(tags=["health"])
    head = head_revision(alembic_ini)

    @router.get("/healthz", response_model=Health, summary="The process is alive")
    async def healthz() -> Health:
        """For a process supervisor: 200 while the process answers at all, whatever its database."""
        return Health(status="ok", part=part)

    @router.get(
        "/readyz",
        response_model=Readiness,
        summary="Database reachable and migrations at head",
        responses={503: {"model": Readiness, "description": "Not ready"}},
    )
    async def readyz(request: Request):
        """For a load balancer: 200 when the database answers and its migrations are at head (and the part's
        own checks pass), else 503 with what is not ready."""
        checks: dict[str, str] = {}
        try:
            async with asyncio.timeout(2):
                async with PLATFORM.of(request).engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                    checks["database"] = "ok"
                    current = await current_revision(conn, version_table)
            checks["migrations"] = "ok" if current == head else f"at {current or 'nothing'}, head is {head}"
        except Exception as exc:
            checks.setdefault("database", f"unreachable: {type(exc).__name__}")
            checks.setdefault("migrations", "unknown")
        if extra_checks is not None:
            checks.update(extra_checks(request))
        ready = all(v == "ok" for v in checks.values())
        body = Readiness(status="ready" if ready else "not ready", part=part, checks=checks)
        return JSONResponse(body.model_dump(), status_code=200 if ready else 503)

    return router
