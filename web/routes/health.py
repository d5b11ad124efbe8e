"""/healthz and /readyz: web holds no database, so ready means started (templates and assets loaded)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok", "part": "web"}


@router.get("/readyz")
async def readyz(request: Request) -> dict[str, object]:
    # Being here means the lifespan finished: assets fingerprinted, templates and keys loaded. The
    # gateway's own readiness is the gateway's to report (it includes this part), so it is not asked.
    request.app.state.web.assets.url("app.css")
    return {"status": "ready", "part": "web", "checks": {"assets": "ok", "templates": "ok"}}


@router.get("/accessibility")
async def accessibility(request: Request) -> Response:
    from web.rendering import render

    return render(request, "accessibility.html")
