"""HTTP routes of the shared library, open data: search, read, JSON and CSV export, the schema, feeds.

The library holds only what managers chose to publish, under the Open Government Licence, so it
answers without sign-in (the gateway lets these reads through, rate-limited per address). Every
read is conditional: an `ETag` on the answer, and `If-None-Match` with it is a 304 with no body,
so feed readers and other platforms' importers poll cheaply.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlmodel.sql.expression import SelectOfScalar

from followup import views
from followup.deps import Manager, SessionDep, SettingsDep
from followup.domain import library
from followup.domain import what_works as what_works_domain
from followup.models import LibraryEntry
from followup.routes.http import answer, conditional
from followup.schemas import (
    ATTRIBUTION,
    FederationPage,
    LibraryCorrect,
    LibraryExport,
    LibraryRecord,
    LibrarySummary,
    LibraryWithdraw,
    Licence,
    WhatWorks,
    schema_url,
)
from followup.vocabulary import OGL_NAME, Outcome
from platform_core.clock import utcnow
from platform_core.etag import IfMatch, check_if_match
from platform_core.pages import OFFSET_MAX, PAGE_MAX, Page
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api/followup/library", tags=["library"])

MAX_EXPORT = 1000
Grouping = Literal["service_area", "kind_of_change", "partner_kind"]
# Open data: no sign-in (the OpenAPI document says so, overriding the document-wide security).
OPEN_DATA: dict[str, Any] = {"security": []}
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the copy you hold (If-None-Match) is current"}
}


def _answers(media_type: str | None = None, description: str = "") -> dict[int | str, dict[str, Any]]:
    ok: dict[int | str, dict[str, Any]] = {}
    if media_type:
        ok[200] = {"content": {media_type: {}}, "description": description}
    # 401 only from the gateway, for a credential that is sent and wrong (none is needed).
    return {**ok, **NOT_MODIFIED, **responses(401, 422, 429)}


def _json(body: Any) -> bytes:
    return bytes(JSONResponse(body).body)


@dataclass(frozen=True)
class Filters:
    """The search filters every library route shares (one place, one meaning)."""

    query: SelectOfScalar[LibraryEntry]


async def library_filters(
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
    origin: Annotated[
        Literal["own", "imported"] | None,
        Query(description="'own': published on this platform; 'imported': from other platforms"),
    ] = None,
) -> Filters:
    # A function, not the class itself, as the dependency: FastAPI makes a class dependency in a
    # worker thread, a hand-over on every library read (tried-before asks it on every keystroke).
    for name, value in (("q", q), ("service_area", service_area)):
        if value and "\x00" in value:
            raise Problem(
                422,
                f"{name}: must not contain NUL characters",
                errors=[{"field": name, "message": "must not contain NUL characters"}],
            )
    return Filters(
        library.search_query(
            q=q,
            service_area=service_area,
            outcome=outcome,
            evidence_level=evidence_level,
            min_evidence_level=min_evidence_level,
            council_id=council_id,
            idea_id=idea_id,
            origin=origin,
        )
    )


@router.get(
    "/schema.json",
    openapi_extra=OPEN_DATA,
    response_model=dict[str, Any],
    summary="The JSON Schema (2020-12) of the library export; records are $defs/LibraryRecord",
    responses=_answers("application/schema+json", "JSON Schema 2020-12"),
)
async def schema(request: Request, settings: SettingsDep) -> Response:
    """The JSON Schema (2020-12) that every record of the library export follows (`$defs/LibraryRecord`), for those
    who build on the open data. Open to anyone without sign-in; conditional: send the ETag back as If-None-Match
    and an unchanged schema is a 304 with no body."""
    return conditional(request, _json(views.json_schema(settings.public_base_url)), "application/schema+json")


@router.get(
    "/export.json",
    openapi_extra=OPEN_DATA,
    response_model=LibraryExport,
    summary=f"Export matching entries as JSON (licensed under the {OGL_NAME}), up to {MAX_EXPORT} a call",
    responses=_answers(),
)
async def export_json(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    filters: Annotated[Filters, Depends(library_filters)],
    limit: Annotated[int, Query(ge=1, le=MAX_EXPORT)] = MAX_EXPORT,
    offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0,
) -> Response:
    """The library's published verdicts matching the filters, whole, as JSON, with the licence (Open Government
    Licence v3.0) and the attribution to give; up to 1,000 a call, paged by `offset`. Open to anyone without
    sign-in (rate-limited per address); withdrawn entries are never included. Conditional: If-None-Match with the
    ETag is a 304 when nothing changed."""
    entries, total = await library.search(session, filters.query, limit, offset)
    body = {
        "$schema": schema_url(settings.public_base_url),
        "licence": Licence().model_dump(),
        "attribution": ATTRIBUTION,
        "generated_at": utcnow().isoformat(),
        "total": total,
        "entries": [e.record for e in entries],
    }
    # The version is that of the records, not of the moment the export was made.
    tag = _json({**body, "generated_at": None})
    return conditional(
        request,
        _json(body),
        "application/json",
        tag_of=tag,
        headers={"Content-Disposition": 'inline; filename="library.json"'},
    )


@router.get(
    "/export.csv",
    openapi_extra=OPEN_DATA,
    response_class=Response,
    summary=f"Export matching entries as CSV (licensed under the {OGL_NAME}), up to {MAX_EXPORT} a call",
    responses=_answers("text/csv", "One row per entry"),
)
async def export_csv(
    request: Request,
    session: SessionDep,
    filters: Annotated[Filters, Depends(library_filters)],
    limit: Annotated[int, Query(ge=1, le=MAX_EXPORT)] = MAX_EXPORT,
    offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0,
) -> Response:
    """The library's published verdicts matching the filters as a CSV file, one row per entry, for a spreadsheet; up
    to 1,000 a call, paged by `offset`. Open to anyone without sign-in (rate-limited per address); cells a
    spreadsheet would run as a formula are escaped. Conditional: If-None-Match with the ETag is a 304."""
    entries, _total = await library.search(session, filters.query, limit, offset)
    return conditional(
        request,
        views.to_csv([e.record for e in entries]).encode(),
        "text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="library.csv"'},
    )


@router.get(
    "/feed.json",
    openapi_extra=OPEN_DATA,
    response_model=dict[str, Any],
    summary="JSON Feed 1.1 of the newest entries, for subscribers",
    responses=_answers("application/feed+json", "JSON Feed 1.1"),
)
async def feed(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    filters: Annotated[Filters, Depends(library_filters)],
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
) -> Response:
    """The newest library entries matching the filters as a JSON Feed 1.1, for subscribers who want to hear of new
    verdicts. Open to anyone without sign-in; conditional, so a poll that finds nothing new is a 304."""
    entries, _total = await library.search(session, filters.query, limit, 0)
    return conditional(request, _json(views.json_feed(entries, settings.public_base_url)), "application/feed+json")


@router.get(
    "/feed.atom",
    openapi_extra=OPEN_DATA,
    response_class=Response,
    summary="Atom feed (RFC 4287) of the newest entries, for ordinary feed readers",
    responses=_answers("application/atom+xml", "Atom 1.0"),
)
async def atom_feed(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    filters: Annotated[Filters, Depends(library_filters)],
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
) -> Response:
    """The newest library entries matching the filters as an Atom feed (RFC 4287), for ordinary feed readers. Open
    to anyone without sign-in; conditional, so a poll that finds nothing new is a 304."""
    entries, _total = await library.search(session, filters.query, limit, 0)
    return conditional(request, views.atom_feed(entries, settings.public_base_url), "application/atom+xml")


@router.get(
    "/federation.json",
    openapi_extra=OPEN_DATA,
    response_model=FederationPage,
    summary="This platform's own entries for other platforms to import: oldest first, corrections as new "
    f"versions, withdrawals kept as such; up to {MAX_EXPORT} a page",
    responses=_answers(),
)
async def federation_feed(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_EXPORT)] = MAX_EXPORT,
    offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0,
) -> Response:
    # The tag is of the page's ids and versions (a correction or a withdrawal makes a new version), so
    # an importer's re-import is answered 304 without reading a record.
    """This platform's own published entries, for other platforms to import: oldest first, each correction as a new
    version, each withdrawal kept as such so that importers withdraw their copy; up to 1,000 a page. Imported
    entries are not passed on. Open to anyone without sign-in; conditional on the page's versions, so a re-import
    of an unchanged page is a 304 without reading a record."""
    versions = await library.federation_versions(session, offset, limit)
    tag = _json([settings.public_base_url, offset, limit, [[str(i), v] for i, v in versions]])
    if request.headers.get("if-none-match"):
        unchanged = conditional(request, b"", "application/json", tag_of=tag)
        if unchanged.status_code == 304:
            return unchanged
    entries, more = await library.federation_page(session, offset, limit)
    body = {
        "licence": Licence().model_dump(),
        "attribution": ATTRIBUTION,
        "platform_url": settings.public_base_url,
        "offset": offset,
        "limit": limit,
        "next_offset": offset + limit if more else None,
        "entries": [views.federated_entry(e) for e in entries],
    }
    return conditional(request, _json(body), "application/json", tag_of=tag)


@router.get(
    "/what-works",
    openapi_extra=OPEN_DATA,
    response_model=WhatWorks,
    summary="What works: the library summed up by service area, kind of change or kind of partner",
    responses=_answers(),
)
async def what_works(
    request: Request,
    session: SessionDep,
    filters: Annotated[Filters, Depends(library_filters)],
    by: Annotated[
        Grouping, Query(description="Group by service area, kind of change or kind of partner")
    ] = "service_area",
) -> Response:
    """The library summed up: for each service area, kind of change or kind of partner, how many trials worked, made
    no change or did not work, and with what evidence, over the entries matching the filters. Open to anyone
    without sign-in; conditional, so an unchanged summary is a 304."""
    summary = await what_works_domain.what_works(session, filters.query, by)
    return conditional(request, _json(summary.model_dump(mode="json")), "application/json")


@router.get(
    "",
    openapi_extra=OPEN_DATA,
    response_model=Page[LibrarySummary],
    summary="Search the library: text, service area, outcome, evidence level, council, idea",
    responses=_answers(),
)
async def search(
    request: Request,
    session: SessionDep,
    filters: Annotated[Filters, Depends(library_filters)],
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
    offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0,
) -> Response:
    """Searches the library of published verdicts, from this platform and those it imports from, by words, service
    area, outcome, evidence level, council, idea or origin, a page at a time. Open to anyone without sign-in
    (rate-limited per address); withdrawn entries never appear. Conditional: If-None-Match with the ETag is a 304
    when nothing changed."""
    entries, total = await library.search(session, filters.query, limit, offset)
    page = Page[LibrarySummary](
        items=[views.library_summary(e) for e in entries],
        total=total,
        limit=limit,
        offset=offset,
        next_offset=offset + limit if offset + limit < total else None,
    )
    return conditional(request, _json(page.model_dump(mode="json")), "application/json")


@router.get(
    "/{entry_id}",
    openapi_extra=OPEN_DATA,
    response_model=LibraryRecord,
    summary="One published verdict in full",
    responses={**_answers(), **responses(404)},
)
async def read_entry(entry_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """One published verdict in full: the idea, the trial, its gain, evidence and lessons, under the Open Government
    Licence. `X-Entry-Version` is the version a correction sends back as If-Match. Open to anyone without
    sign-in; an unknown entry is a 404, and so is a withdrawn one, saying why it was withdrawn."""
    entry = await session.get(LibraryEntry, entry_id)
    if entry is None:
        raise Problem(404, f"There is no library entry {entry_id}.")
    if entry.withdrawn_at is not None:
        raise Problem(404, f"Library entry {entry_id} was withdrawn: {entry.withdrawn_reason}")
    return conditional(
        request, _json(entry.record), "application/json", headers={"X-Entry-Version": str(entry.version)}
    )


@router.patch(
    "/{entry_id}",
    response_model=LibraryRecord,
    summary="Correct a published record (its council's managers): a new version that says what changed; "
    "If-Match takes the entry's version (X-Entry-Version)",
    responses=responses(400, 401, 403, 404, 412, 422, 428),
)
async def correct_entry(
    entry_id: uuid.UUID, body: LibraryCorrect, session: SessionDep, principal: Manager, if_match: IfMatch = None
) -> Response:
    """Corrects a published record: a new version that says what was corrected, which importing platforms take up
    too. Only managers of the council that published it may (403; an imported entry is corrected on its own
    platform). A withdrawn or unknown entry is a 404. Send `X-Entry-Version` as If-Match: 428 without it, 400 if
    it is not an ETag, 412 if the entry changed since."""
    entry = library.own_entry(await session.get(LibraryEntry, entry_id), entry_id, principal.council_id)
    check_if_match(if_match, entry.version)
    library.correct(entry, body)
    return answer(LibraryRecord.model_validate(entry.record), 200, entry.version)


@router.post(
    "/{entry_id}/withdrawal",
    response_model=LibraryRecord,
    summary="Withdraw a published record (its council's managers): gone from every read and export; "
    "importing platforms withdraw their copy",
    responses=responses(401, 403, 404, 422),
)
async def withdraw_entry(
    entry_id: uuid.UUID, body: LibraryWithdraw, session: SessionDep, principal: Manager
) -> Response:
    """Withdraws a published record, with a reason: from now on it is gone from every read, search, feed and export,
    and importing platforms withdraw their copy. Only managers of the council that published it may (403; an
    imported entry is withdrawn on its own platform). An entry already withdrawn, or unknown, is a 404."""
    entry = library.own_entry(await session.get(LibraryEntry, entry_id), entry_id, principal.council_id)
    library.withdraw(entry, body.reason)
    return answer(LibraryRecord.model_validate(entry.record), 200, entry.version)
