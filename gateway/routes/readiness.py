"""The gateway's /readyz: ready only when it, the three services and the pages are ready, saying which is not."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from gateway.settings import ALEMBIC_INI, VERSION_TABLE
from gateway.state import GATEWAY
from platform_core.migrations import current_revision, head_revision

router = APIRouter(tags=["health"])
_HEAD = head_revision(ALEMBIC_INI)


class PlatformReadiness(BaseModel):
    status: str
    parts: dict[str, str]


async def _gateway_ready(request: Request) -> str:
    try:
        async with asyncio.timeout(2):
            async with GATEWAY.of(request).engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                current = await current_revision(conn, VERSION_TABLE)
        return "ready" if current == _HEAD else f"not ready: migrations at {current}, head is {_HEAD}"
    except Exception as exc:
        return f"not ready: database unreachable ({type(exc).__name__})"


async def _service_ready(client: httpx.AsyncClient, name: str) -> str:
    try:
        response = await client.get("/readyz", timeout=2.0)
    except httpx.HTTPError as exc:
        return f"not ready: unreachable ({type(exc).__name__})"
    if response.status_code == 200:
        return "ready"
    try:
        checks = response.json().get("checks", {})
        why = ", ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok")
    except ValueError:
        why = f"answered {response.status_code}"
    return f"not ready: {why or response.status_code}"


@router.get("/healthz", summary="The gateway process is alive")
async def healthz() -> dict[str, str]:
    """For a process supervisor: 200 while the gateway process answers at all. Open to anyone, no sign-in."""
    return {"status": "ok", "part": "gateway"}


@router.get(
    "/readyz",
    response_model=PlatformReadiness,
    summary="The gateway, all three services and the pages are ready",
    responses={503: {"model": PlatformReadiness, "description": "Some part is not ready"}},
)
async def readyz(request: Request) -> JSONResponse:
    """For a load balancer or a status page: 200 when the gateway's database (migrations at head), the three
    services and the pages are all ready, else 503 saying which part is not and why. Open to anyone, no
    sign-in."""
    state = GATEWAY.of(request)
    upstreams = {**state.upstreams, "web": state.web}
    names = list(upstreams)
    results = await asyncio.gather(_gateway_ready(request), *(_service_ready(upstreams[n].client, n) for n in names))
    parts = dict(zip(["gateway", *names], results, strict=True))
    ready = all(v == "ready" for v in parts.values())
    body = PlatformReadiness(status="ready" if ready else "not ready", parts=parts)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
