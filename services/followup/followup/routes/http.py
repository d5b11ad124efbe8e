"""Answers the route modules shape the same way: a body with its ETag and Location, an idempotent create."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_core.auth import Principal
from platform_core.idempotency import Idempotency, fingerprint, idempotency_key


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


def etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def answer(body: BaseModel, status: int, version: int | None = None, location: str | None = None) -> JSONResponse:
    headers = {}
    if version is not None:
        headers["ETag"] = f'"{version}"'
    if location:
        headers["Location"] = location
    return JSONResponse(dump(body), status_code=status, headers=headers)


def idempotency(request: Request, session: AsyncSession, principal: Principal, body: Any) -> Idempotency:
    """The create's idempotency record, keyed by caller and `Idempotency-Key`, fingerprinted by body."""
    payload = dump(body) if isinstance(body, BaseModel) else body
    return Idempotency(session, str(principal.person_id), idempotency_key(request), fingerprint(request, payload))
