"""/static/...: the fingerprinted assets (web/assets.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

router = APIRouter(include_in_schema=False)


@router.get("/static/{path:path}")
async def static_file(request: Request, path: str) -> Response:
    response = request.app.state.web.assets.response(request)
    if response is None:
        raise HTTPException(404)
    return response
