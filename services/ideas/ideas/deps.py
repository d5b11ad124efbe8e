"""Dependencies of the routes, declared once: the idea or hack day named in the path (loaded and
checked), the similar-idea index, and the HTTP conventions (ETags, If-Match, pages, idempotent creation)."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, NamedTuple

from fastapi import Depends, Header, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from ideas.domain import hack_days, ideas
from ideas.domain.ideas import Team
from ideas.domain.search import IdeaIndex
from ideas.models import HackDay, Idea
from ideas.state import STATE
from ideas.vocabulary import PAGE_DEFAULT, PAGE_MAX
from platform_core.auth import CurrentPrincipal, Principal
from platform_core.db import SessionDep
from platform_core.idempotency import MAX_KEY_LENGTH, Idempotency, fingerprint, idempotency_key
from platform_core.problems import Problem


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


# If-Match is read by hand (see `if_match`) so that a missing one is the 428 the conventions ask
# for, not a 422; this entry documents it as the required header it is.
_ETAG_LIST = r'^\s*(\*|(W/)?"[0-9]+"(\s*,\s*(W/)?"[0-9]+")*)\s*$'
IF_MATCH_DOC: dict[str, Any] = {
    "parameters": [
        {
            "name": "If-Match",
            "in": "header",
            "required": True,
            "description": 'The ETag you last read, e.g. "3" (428 without it, 412 if someone changed it since).',
            "schema": {"type": "string", "pattern": _ETAG_LIST},
        }
    ]
}


def if_match(request: Request) -> str | None:
    return request.headers.get("if-match")


IfMatch = Annotated[str | None, Depends(if_match)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=MAX_KEY_LENGTH,
        pattern=r"\S",
        description="Optional: a retry with the same key gets the first answer, never a second object.",
    ),
]


def require_if_match(header: str | None, version: int) -> None:
    """Refuse a change made without saying which version it edits (428) or to an old version (412)."""
    if header is None or not header.strip():
        raise Problem(
            428,
            "Send If-Match with the ETag you last read, so that nobody's changes are silently overwritten.",
            errors=[{"field": "If-Match", "message": "is required"}],
        )
    if not re.match(_ETAG_LIST, header):
        raise Problem(
            422,
            'If-Match must be an ETag as sent with the object, e.g. "3".',
            errors=[{"field": "If-Match", "message": "is not an ETag"}],
        )
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    if "*" in tags or etag(version) in tags:
        return
    raise Problem(
        412,
        f"Someone changed this since you read it (it is now version {version}); "
        "reload, check their changes, and try again.",
        errors=[{"field": "If-Match", "message": f"stale: current version is {version}"}],
    )


class PageParams(BaseModel):
    limit: int
    offset: int

    def next_offset(self, total: int) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < total else None


def _page(
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX, description=f"Page size, at most {PAGE_MAX}.")] = PAGE_DEFAULT,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Page = Annotated[PageParams, Depends(_page)]


async def begin_idempotent(
    request: Request, session: AsyncSession, principal: Principal, body: BaseModel
) -> tuple[Idempotency, Response | None]:
    """Start an idempotent creation: returns the first answer to replay if this key was seen before."""
    idem = Idempotency(
        session,
        caller=str(principal.person_id),
        key=idempotency_key(request),
        fp=fingerprint(request, body.model_dump(mode="json")),
    )
    return idem, await idem.begin()


async def finish_idempotent(idem: Idempotency, status_code: int, answer: Any) -> None:
    await idem.finish(status_code, jsonable_encoder(answer))


class FoundIdea(NamedTuple):
    idea: Idea
    team: Team


async def valid_idea_id(idea_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal) -> FoundIdea:
    """The idea named in the path and its team, if the caller may at least know it exists (404 otherwise)."""
    return FoundIdea(*await ideas.get_readable(session, principal, idea_id))


async def valid_idea_id_for_update(idea_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal) -> FoundIdea:
    """As `valid_idea_id`, with the row locked until the request's transaction ends (for changes)."""
    return FoundIdea(*await ideas.get_readable(session, principal, idea_id, for_update=True))


async def valid_hack_day_id(hack_day_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal) -> HackDay:
    """The hack day named in the path, if it is of the caller's council (404 otherwise)."""
    return await hack_days.get_visible(session, principal, hack_day_id)


IdeaDep = Annotated[FoundIdea, Depends(valid_idea_id)]
IdeaForUpdateDep = Annotated[FoundIdea, Depends(valid_idea_id_for_update)]
HackDayDep = Annotated[HackDay, Depends(valid_hack_day_id)]


def _idea_index(request: Request) -> IdeaIndex:
    return STATE.of(request).index


def _built_index(request: Request) -> IdeaIndex:
    index = _idea_index(request)
    if not index.built:
        # Half an index would miss matches silently (a "tried before?" warning not given).
        raise Problem(
            503,
            f"Similar-idea search is still starting ({len(index)} ideas read in so far); try again in a few seconds.",
            headers={"Retry-After": "5"},
        )
    return index


# Writes keep the index in step even while it is being built; searches need it whole.
IndexDep = Annotated[IdeaIndex, Depends(_idea_index)]
BuiltIndexDep = Annotated[IdeaIndex, Depends(_built_index)]
