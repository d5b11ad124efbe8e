"""HTTP routes of the shared library: search, read, JSON and CSV export, the schema and a feed.

Every signed-in person of every council reads the library: it holds only what managers chose to
publish, under the Open Government Licence. The JSON Schema is public, so other councils'
systems can fetch it without an account.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from followup import views
from followup.deps import MAX_OFFSET, MAX_PAGE, Caller, SessionDep, SettingsDep
from followup.domain import library
from followup.models import LibraryEntry, utcnow
from followup.schemas import ATTRIBUTION, LibraryExport, LibraryRecord, LibrarySummary, Licence, Page, schema_url
from followup.vocabulary import OGL_NAME, Outcome
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api/followup/library", tags=["library"])


class SchemaResponse(JSONResponse):
    media_type = "application/schema+json"


class FeedResponse(JSONResponse):
    media_type = "application/feed+json"


class CsvResponse(Response):
    media_type = "text/csv"


MAX_EXPORT = 1000


class Filters:
    """The search filters every library route shares (one place, one meaning)."""

    def __init__(
        self,
        q: Annotated[str | None, Query(max_length=200, description="Words to find (all of them)")] = None,
        service_area: Annotated[str | None, Query(max_length=120)] = None,
        outcome: Outcome | None = None,
        evidence_level: Annotated[int | None, Query(ge=1, le=5)] = None,
        min_evidence_level: Annotated[int | None, Query(ge=1, le=5)] = None,
        council_id: uuid.UUID | None = None,
        idea_id: Annotated[
            list[uuid.UUID] | None,
            Query(max_length=50, description="Entries of these ideas (repeat the parameter, up to 50)"),
        ] = None,
    ) -> None:
        for name, value in (("q", q), ("service_area", service_area)):
            if value and "\x00" in value:
                raise Problem(
                    422,
                    f"{name}: must not contain NUL characters",
                    errors=[{"field": name, "message": "must not contain NUL characters"}],
                )
        self.query = library.search_query(
            q=q,
            service_area=service_area,
            outcome=outcome,
            evidence_level=evidence_level,
            min_evidence_level=min_evidence_level,
            council_id=council_id,
            idea_id=idea_id,
        )


async def _records(
    session: AsyncSession, filters: Filters, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    entries, total = await library.search(session, filters.query, limit, offset)
    return [e.record for e in entries], total


@router.get(
    "/schema.json",
    response_model=dict[str, Any],
    response_class=SchemaResponse,
    summary="The JSON Schema (2020-12) of the library export; records are $defs/LibraryRecord",
)
async def schema(settings: SettingsDep) -> SchemaResponse:
    return SchemaResponse(views.json_schema(settings.public_base_url))


@router.get(
    "/export.json",
    response_model=LibraryExport,
    summary=f"Export matching entries as JSON (licensed under the {OGL_NAME}), up to {MAX_EXPORT} a call",
    responses=responses(401, 422),
)
async def export_json(
    settings: SettingsDep,
    session: SessionDep,
    _: Caller,
    filters: Annotated[Filters, Depends()],
    limit: Annotated[int, Query(ge=1, le=MAX_EXPORT)] = MAX_EXPORT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> JSONResponse:
    records, total = await _records(session, filters, limit, offset)
    body = {
        "$schema": schema_url(settings.public_base_url),
        "licence": Licence().model_dump(),
        "attribution": ATTRIBUTION,
        "generated_at": utcnow().isoformat(),
        "total": total,
        "entries": records,
    }
    return JSONResponse(body, headers={"Content-Disposition": 'inline; filename="library.json"'})


@router.get(
    "/export.csv",
    response_class=CsvResponse,
    summary=f"Export matching entries as CSV (licensed under the {OGL_NAME}), up to {MAX_EXPORT} a call",
    responses={200: {"content": {"text/csv": {}}, "description": "One row per entry"}, **responses(401, 422)},
)
async def export_csv(
    session: SessionDep,
    _: Caller,
    filters: Annotated[Filters, Depends()],
    limit: Annotated[int, Query(ge=1, le=MAX_EXPORT)] = MAX_EXPORT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    records, _total = await _records(session, filters, limit, offset)
    return CsvResponse(
        views.to_csv(records),
        headers={"Content-Disposition": 'attachment; filename="library.csv"'},
    )


@router.get(
    "/feed.json",
    response_model=dict[str, Any],
    summary="JSON Feed 1.1 of the newest entries, for subscribers",
    responses={
        200: {"content": {"application/feed+json": {}}, "description": "JSON Feed 1.1"},
        **responses(401, 422),
    },
)
async def feed(
    settings: SettingsDep,
    session: SessionDep,
    _: Caller,
    filters: Annotated[Filters, Depends()],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> JSONResponse:
    entries, _total = await library.search(session, filters.query, limit, 0)
    return FeedResponse(views.json_feed(entries, settings.public_base_url))


@router.get(
    "",
    response_model=Page[LibrarySummary],
    summary="Search the library: text, service area, outcome, evidence level, council, idea",
    responses=responses(401, 422),
)
async def search(
    session: SessionDep,
    _: Caller,
    filters: Annotated[Filters, Depends()],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[LibrarySummary]:
    entries, total = await library.search(session, filters.query, limit, offset)
    return Page[LibrarySummary](
        items=[views.library_summary(e) for e in entries],
        total=total,
        limit=limit,
        offset=offset,
        next_offset=offset + limit if offset + limit < total else None,
    )


@router.get(
    "/{entry_id}",
    response_model=LibraryRecord,
    summary="One published verdict in full",
    responses=responses(401, 404, 422),
)
async def read_entry(entry_id: uuid.UUID, session: SessionDep, _: Caller) -> JSONResponse:
    entry = await session.get(LibraryEntry, entry_id)
    if entry is None:
        raise Problem(404, f"There is no library entry {entry_id}.")
    return JSONResponse(entry.record)
