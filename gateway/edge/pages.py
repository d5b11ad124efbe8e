"""Pages: every path outside /api (and the gateway's own health, metrics, docs, problem pages) go to web.

The gateway stays the one public entry. Pages carry no bearer token at the edge: the web part holds
the person's token in its own session cookie and calls the API back through this gateway with it, so
every check of the API applies to pages too. An unknown /api/... path stays a problem+json 404.
"""

from __future__ import annotations

from starlette.types import Scope, Send

from gateway.edge.proxy import ServiceUnavailable, Upstream, request_headers
from platform_core.problem_types import PAGES_PATH

# The gateway's own paths; everything else outside /api/ is a page.
OWN_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/docs", "/docs/oauth2-redirect", "/openapi.json"})
UNAVAILABLE_PAGE = (
    b'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Sorry, the pages are not available'
    b'</title><meta name="viewport" content="width=device-width, initial-scale=1"></head><body '
    b'style="font-family:system-ui,sans-serif;margin:2rem;max-width:40rem"><h1>Sorry, the pages are not '
    b"available just now</h1><p>Try again in a minute. Nothing you sent was saved twice: sending a form again "
    b"is safe.</p></body></html>"
)


def is_page(path: str) -> bool:
    return not (path.startswith("/api/") or path == "/api" or path in OWN_PATHS or _is_problem_page(path))


def _is_problem_page(path: str) -> bool:
    # The pages each problem's `type` points at (gateway/routes/problem_pages.py): API documentation, like /docs.
    return path == PAGES_PATH or path.startswith(PAGES_PATH + "/")


async def forward_page(
    web: Upstream, scope: Scope, body: bytes, send: Send, rid: str, *, scheme: str | None = None
) -> int:
    headers = request_headers(scope, rid)
    headers.append(("x-forwarded-proto", scheme or scope.get("scheme", "http")))
    try:
        return await web.forward(
            method=scope["method"],
            raw_path=scope.get("raw_path") or scope["path"].encode(),
            query=scope.get("query_string", b""),
            headers=headers,
            body=body,
            send=send,
            extra_response_headers=[(b"x-request-id", rid.encode())],
        )
    except ServiceUnavailable:
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(UNAVAILABLE_PAGE)).encode()),
                    (b"retry-after", b"5"),
                    (b"cache-control", b"no-store"),
                    (b"x-request-id", rid.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": UNAVAILABLE_PAGE})
        return 503
