"""The public library, no sign-in: every council's published verdicts (failures included) to browse and
search, a page per trial with its measurement charts, and the "what works" summaries.

Everything here is open data under the Open Government Licence, read from the gateway without a token
(web/clients/library.py). Each page links to the machine-readable exports of what it shows
(`<link rel="alternate">`), so a reader's feed reader or a council's importer finds them.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from asgi_correlation_id import correlation_id
from fastapi import APIRouter, Request
from starlette.responses import Response

from web.charts import readings_chart
from web.clients.library import LIBRARY, LibraryApi
from web.deps import StateDep
from web.rendering import render
from web.routes.sign_in import browser_address

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
OUTCOMES = ("worked", "partly", "no_change", "did_not_work", "stopped", "inconclusive")
GROUPINGS = {
    "service_area": "Service area",
    "kind_of_change": "Kind of change",
    "partner_kind": "Kind of partner",
}
OGL = {
    "name": "Open Government Licence v3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}


def _filters(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """The filters the reader chose, as typed (to fill the form again), and as the API takes them: a
    value the API would refuse (an unknown verdict, a level out of range) is left out, not an error."""
    typed = {k: request.query_params.get(k, "").strip()[:200] for k in ("q", "service_area", "outcome", "evidence")}
    sent = {"q": typed["q"], "service_area": typed["service_area"]}
    if typed["outcome"] in OUTCOMES:
        sent["outcome"] = typed["outcome"]
    if typed["evidence"] in ("1", "2", "3", "4", "5"):
        sent["min_evidence_level"] = typed["evidence"]
    return typed, {k: v for k, v in sent.items() if v}


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return max(1, min(int(raw), 10_000)) if raw.isdigit() else 1


def _exports(filters: dict[str, str]) -> list[dict[str, str]]:
    """The machine-readable forms of what the page shows, with the same filters."""
    query = f"?{urlencode(filters)}" if filters else ""
    return [
        {"type": "application/atom+xml", "href": f"{LIBRARY}/feed.atom{query}", "title": "Atom feed"},
        {"type": "application/feed+json", "href": f"{LIBRARY}/feed.json{query}", "title": "JSON Feed"},
        {"type": "application/json", "href": f"{LIBRARY}/export.json{query}", "title": "JSON export"},
        {"type": "text/csv", "href": f"{LIBRARY}/export.csv{query}", "title": "CSV export"},
    ]


def _pagination(request: Request, typed: dict[str, str], page: int, pages: int) -> dict[str, Any] | None:
    """GOV.UK pagination: previous, next and the numbers near this page (the first and last always)."""
    if pages <= 1:
        return None
    kept = {k: v for k, v in typed.items() if v}

    def href(n: int) -> str:
        return f"/library?{urlencode({**kept, 'page': n})}"

    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    items: list[dict[str, Any]] = []
    for n, previous in zip(shown, [0, *shown[:-1]], strict=True):
        if n - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": href(n), "current": n == page})
    return {
        "items": items,
        "previous": {"href": href(page - 1)} if page > 1 else None,
        "next": {"href": href(page + 1)} if page < pages else None,
    }


# The service areas present in the library, for the filter: kept a minute in this process (the API's own
# answers say max-age=60), so a list page makes one call to the API, not two.
AREAS_FOR_SECONDS = 60.0
_areas: dict[str, Any] = {"at": -AREAS_FOR_SECONDS, "groups": []}


async def _service_areas(api: LibraryApi) -> list[dict[str, Any]]:
    now = time.monotonic()
    if now - _areas["at"] >= AREAS_FOR_SECONDS:
        _areas["groups"] = (await api.what_works("service_area"))["groups"]
        _areas["at"] = now
    return _areas["groups"]


@router.get("/library")
async def library(request: Request, state: StateDep) -> Response:
    typed, filters = _filters(request)
    page = _page_number(request)
    api = LibraryApi(state.gateway, browser_address(request, state), correlation_id.get())
    found, areas = await asyncio.gather(api.search(filters, PER_PAGE, (page - 1) * PER_PAGE), _service_areas(api))
    pages = max(1, math.ceil(found["total"] / PER_PAGE))
    context = {
        "title": "The library: what councils tried",
        "found": found,
        "typed": typed,
        "filtered": bool(filters),
        "page": page,
        "pages": pages,
        "first": (page - 1) * PER_PAGE + 1,
        "pagination": _pagination(request, typed, page, pages),
        "service_areas": [(g["key"], g["trials"]) for g in areas],
        "outcomes": OUTCOMES,
        "exports": _exports(filters),
        "licence": OGL,
    }
    return render(request, "library/list.html", context)


@router.get("/library/what-works")
async def what_works(request: Request, state: StateDep) -> Response:
    by = request.query_params.get("by", "service_area")
    by = by if by in GROUPINGS else "service_area"
    api = LibraryApi(state.gateway, browser_address(request, state), correlation_id.get())
    summary = await api.what_works(by)
    context = {
        "title": "What works",
        "summary": summary,
        "by": by,
        "groupings": GROUPINGS,
        "exports": [
            {"type": "application/json", "href": f"{LIBRARY}/what-works?by={by}", "title": "What works as JSON"}
        ],
        "licence": OGL,
    }
    return render(request, "library/what_works.html", context)


@router.get("/library/{entry_id}")
async def entry(request: Request, entry_id: uuid.UUID, state: StateDep) -> Response:
    api = LibraryApi(state.gateway, browser_address(request, state), correlation_id.get())
    record = await api.entry(entry_id)
    charts = [readings_chart(m, f"metric-{n}") for n, m in enumerate(record.get("metrics") or [], start=1)]
    contact = await api.council_contact(record["council"]["id"])
    context = {
        "title": record["title"],
        "record": record,
        "contact_email": (contact or {}).get("contact_email"),
        "charts": charts,
        "exports": [
            {"type": "application/json", "href": f"{LIBRARY}/{entry_id}", "title": "This record as JSON"},
            {**_exports({"council_id": record["council"]["id"]})[0], "title": "This council's trials (Atom feed)"},
        ],
        "licence": record.get("licence") or OGL,
    }
    return render(request, "library/entry.html", context)
