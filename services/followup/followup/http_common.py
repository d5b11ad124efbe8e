"""HTTP plumbing shared by the route modules: the caller types, headers and answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from followup.schemas import dump
from platform_core.auth import Principal, require_roles
from platform_core.idempotency import Idempotency, fingerprint, idempotency_key

Manager = Annotated[Principal, Depends(require_roles("manager"))]
IfMatch = Annotated[str | None, Header(description="The ETag you last read (its version).")]
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", description="Repeat a create safely: a retry replays.")
]
MAX_PAGE = 200
# Far beyond any real list; keeps a silly offset from overflowing the database integer.
MAX_OFFSET = 1_000_000


def etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def answer(body: BaseModel, status: int, version: int | None = None, location: str | None = None) -> JSONResponse:
    headers = {}
    if version is not None:
        headers["ETag"] = f'"{version}"'
    if location:
        headers["Location"] = location
    return JSONResponse(dump(body), status_code=status, headers=headers)


def idempotency(request: Request, session: AsyncSession, principal: Principal, body: BaseModel) -> Idempotency:
    return Idempotency(session, str(principal.person_id), idempotency_key(request), fingerprint(request, dump(body)))
