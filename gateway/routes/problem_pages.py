"""/problems and /problems/<name>: the page each problem `type` points at (platform_core.problem_types).

Served by the gateway itself, beside the API's other documentation (/docs, /openapi.json), so that a
problem's type resolves even when the pages part is down. Plain HTML with no script or outside asset.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from platform_core.problem_types import BY_NAME, KINDS, PAGES_PATH, ProblemKind
from platform_core.problems import Problem

router = APIRouter(include_in_schema=False)
_STYLE = "font-family:system-ui,sans-serif;margin:2rem;max-width:44rem;line-height:1.5"


def _code(text: str) -> str:
    """Backticked words in the catalogue become <code>; everything else is escaped."""
    parts = escape(text).split("`")
    return "".join(f"<code>{part}</code>" if index % 2 else part for index, part in enumerate(parts))


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"></head><body style="{_STYLE}">'
        f"{body}</body></html>",
        headers={"Cache-Control": "public, max-age=3600"},
    )


def _kind_page(kind: ProblemKind) -> HTMLResponse:
    return _page(
        f"{kind.title} ({kind.status}): problems the API answers",
        f"<h1>{escape(kind.title)}</h1>"
        f"<p>HTTP status <strong>{kind.status}</strong>; problem type <code>{kind.type_uri}</code>.</p>"
        f"<h2>What it means</h2><p>{_code(kind.means)}</p>"
        f"<h2>What to do</h2><p>{_code(kind.to_do)}</p>"
        "<p>Every error is <code>application/problem+json</code> (RFC 9457): <code>type</code> (this page), "
        "<code>title</code>, <code>status</code>, <code>detail</code> (what exactly was wrong with your "
        "request), <code>instance</code> (the path) and, for invalid input, <code>errors</code> "
        "(each <code>field</code> with its <code>message</code>).</p>"
        f'<p><a href="{PAGES_PATH}">Every kind of problem</a> · <a href="/docs">The API</a></p>',
    )


@router.get(PAGES_PATH)
async def every_problem() -> HTMLResponse:
    rows = "".join(
        f'<tr><td>{kind.status}</td><td><a href="{kind.type_uri}">{escape(kind.title)}</a></td>'
        f"<td><code>{kind.type_uri}</code></td></tr>"
        for kind in KINDS
    )
    return _page(
        "Problems the API answers",
        "<h1>Problems the API answers</h1><p>Each error the API answers is "
        "<code>application/problem+json</code> whose <code>type</code> is one of these pages.</p>"
        f"<table><thead><tr><th>status</th><th>kind</th><th>type</th></tr></thead><tbody>{rows}</tbody></table>",
    )


@router.get(PAGES_PATH + "/{name}")
async def one_problem(name: str) -> HTMLResponse:
    kind = BY_NAME.get(name)
    if kind is None:
        raise Problem(404, f"There is no kind of problem called '{name[:60]}'; {PAGES_PATH} lists them all.")
    return _kind_page(kind)
