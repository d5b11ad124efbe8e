"""Idempotency-Key for creating POSTs: a retry gets the first answer, never a second object.

A creating route takes `idem: IdempotentCreateDep` (which declares the optional `Idempotency-Key`
header in OpenAPI) and answers `await idem.create(body, make)`, where `make()` creates the object and
says what to answer (`Created(answer, version=..., location=...)`): a retry of the key replays the
first answer instead of calling `make`. The key row is inserted in the same transaction as the
object it creates. A concurrent retry with the same key blocks on the unique index until the first
commits, then replays its answer; if the first rolled back, the retry simply does the work.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, NamedTuple

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
from platform_core.etag import etag
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
    """One key's row: `begin()` claims the key or finds the answer to replay, `finish(...)` keeps the
    answer. Everything commits together when the request's transaction commits (`IdempotentCreate`)."""

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


class Created(NamedTuple):
    """What a creating route's `make()` made: the answer, and what goes with it."""

    answer: Any  # the body: a schema of the route's response_model, or a plain dict
    version: int | None = None  # sent as the ETag, for the If-Match of the next change
    location: str | None = None  # sent as Location: where the new object is read
    status: int = 201  # 200 where the object was there already (a trial of an idea, a verdict)
    kept: Any = None  # what a retry replays instead of `answer`, when it holds a secret: never stored


class IdempotentCreate:
    """One creating request's idempotency: `create(body, make)` replays a retry, or makes the object
    and keeps its answer for a retry."""

    def __init__(self, request: Request, session: AsyncSession, caller: str, key: str | None) -> None:
        self.request = request
        self.session = session
        self.caller = caller
        self.key = key
        self._idem: Idempotency | None = None

    async def create(self, body: BaseModel | Any, make: Callable[[], Awaitable[Created]]) -> JSONResponse:
        """The first answer again if this key was used before for this request (`body`: what a retry
        must repeat); else `make()`, its answer kept in the request's transaction for a retry, and sent
        with its ETag and Location.

        Called after anything slow that needs no database (another service's answer), so the key
        row, like the object, is written inside one short transaction."""
        payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
        idem = Idempotency(self.session, self.caller, self.key, fingerprint(self.request, payload))
        replay = await idem.begin()
        if replay is not None:
            return replay
        created = await make()
        answer = jsonable_encoder(created.answer)
        await idem.finish(created.status, answer if created.kept is None else jsonable_encoder(created.kept))
        headers = {}
        if created.version is not None:
            headers["ETag"] = etag(created.version)
        if created.location is not None:
            headers["Location"] = created.location
        return JSONResponse(answer, status_code=created.status, headers=headers)


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
