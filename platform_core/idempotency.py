"""Idempotency-Key for creating POSTs: a retry gets the first answer, never a second object.

A creating route takes `idem: IdempotentCreateDep` (which declares the optional `Idempotency-Key`
header in OpenAPI), then `replay = await idem.begin(body)`: if it is not None, return it; otherwise
do the work and `await idem.finish(201, answer)`. The key row is inserted in the same transaction
as the object it creates. A concurrent retry with the same key blocks on the unique index until the
first commits, then replays its answer; if the first rolled back, the retry simply does the work.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, select
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_core.auth import CurrentPrincipal
from platform_core.clock import utcnow
from platform_core.db import CommonTable, SessionDep, UTCDateTime
from platform_core.problems import Problem

MAX_KEY_LENGTH = 200


class IdempotentRequest(CommonTable, table=True):
    """A creating request's key and its first answer (a part attaches it: `db.attach`)."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (UniqueConstraint("caller", "key", name="uq_idempotent_requests_caller_key"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    caller: str = Field(max_length=80)
    key: str = Field(max_length=MAX_KEY_LENGTH)
    fingerprint: str = Field(max_length=64)
    status_code: int | None = None
    response: Any = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))


def idempotency_key(request: Request) -> str | None:
    """The request's Idempotency-Key, checked (422 naming the header when empty or too long)."""
    return _checked_key(request.headers.get("idempotency-key"))


def _checked_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Problem(
            422,
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.",
            errors=[{"field": "Idempotency-Key", "message": "must be 1 to 200 characters"}],
        )
    return key


def fingerprint(request: Request, body: Any) -> str:
    """What a retry must repeat to be replayed: method, path and body."""
    payload = orjson.dumps(body, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(request.method.encode() + request.url.path.encode() + payload).hexdigest()


class Idempotency:
    """Use in a route: `replay = await idem.begin(...)`; if replay, return it; else do the work and
    `idem.finish(...)`. Everything commits together when the request's transaction commits."""

    def __init__(self, session: AsyncSession, caller: str, key: str | None, fp: str) -> None:
        self.session = session
        self.caller = caller
        self.key = key
        self.fp = fp
        self._row: IdempotentRequest | None = None

    async def begin(self) -> JSONResponse | None:
        if self.key is None:
            return None
        row = IdempotentRequest(caller=self.caller, key=self.key, fingerprint=self.fp)
        try:
            async with self.session.begin_nested():
                self.session.add(row)
                await self.session.flush()
        except IntegrityError:
            existing = (
                await self.session.exec(
                    select(IdempotentRequest).where(
                        IdempotentRequest.caller == self.caller, IdempotentRequest.key == self.key
                    )
                )
            ).one()
            return self._replay(existing)
        self._row = row
        return None

    def _replay(self, existing: IdempotentRequest) -> JSONResponse:
        if existing.fingerprint != self.fp:
            raise Problem(
                422,
                "This Idempotency-Key was already used for a different request; use a new key.",
                errors=[{"field": "Idempotency-Key", "message": "reused with a different request"}],
            )
        if existing.status_code is None:
            raise Problem(409, "A request with this Idempotency-Key is still being processed.")
        return JSONResponse(
            existing.response,
            status_code=existing.status_code,
            headers={"Idempotent-Replayed": "true"},
        )

    async def finish(self, status_code: int, body: Any) -> None:
        if self._row is None:
            return
        self._row.status_code = status_code
        self._row.response = orjson.loads(orjson.dumps(body, default=str))
        self.session.add(self._row)
        await self.session.flush()


class IdempotentCreate:
    """One creating request's idempotency: `begin(body)` replays a retry, `finish` records the answer."""

    def __init__(self, request: Request, session: AsyncSession, caller: str, key: str | None) -> None:
        self.request = request
        self.session = session
        self.caller = caller
        self.key = key
        self._idem: Idempotency | None = None

    async def begin(self, body: BaseModel | Any) -> JSONResponse | None:
        """The first answer to replay if this key was used before for this request, else None.

        Called after anything slow that needs no database (another service's answer), so the
        key row, like the object, is written inside one short transaction."""
        payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
        self._idem = Idempotency(self.session, self.caller, self.key, fingerprint(self.request, payload))
        return await self._idem.begin()

    async def finish(self, status_code: int, answer: Any) -> None:
        """Keep the answer, in the request's transaction, for a retry to replay."""
        if self._idem is None:
            raise RuntimeError("IdempotentCreate.finish called before begin")
        await self._idem.finish(status_code, jsonable_encoder(answer))


async def idempotent_create(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=MAX_KEY_LENGTH,
            pattern=r"\S",
            description="Optional: a retry with the same key gets the first answer, never a second object.",
        ),
    ] = None,
) -> IdempotentCreate:
    return IdempotentCreate(request, session, str(principal.person_id), _checked_key(idempotency_key))


IdempotentCreateDep = Annotated[IdempotentCreate, Depends(idempotent_create)]
