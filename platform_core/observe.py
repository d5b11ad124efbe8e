"""Request observation as plain ASGI middleware: one JSON access line and Prometheus metrics per request."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from asgi_correlation_id.context import correlation_id
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("platform.access")

REQUESTS = Counter("http_requests_total", "HTTP requests answered", ["part", "method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["part", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
_NOT_LOGGED = frozenset({"/healthz", "/metrics"})
_REQUEST_ID = b"x-request-id"
# What asgi_correlation_id's middleware logged, where it logged it, when it replaced a caller's id.
_ids_log = logging.getLogger("asgi_correlation_id")
_REPLACED = "Generated new request ID (%s), since request header value failed validation"


class RequestMetrics:
    """REQUESTS and LATENCY for one part, with each label combination's child metric looked up once.

    `labels()` builds and hashes a label tuple under a lock on every call; on the path every request
    takes, that is worth keeping in a dict. Labels come from fixed sets (methods the HTTP parser
    accepts, route templates, status codes), so the dict stays small; it is capped all the same.
    """

    MAX_CACHED = 2_000

    def __init__(self, part: str) -> None:
        self.part = part
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def record(self, method: str, route: str, status: int, elapsed: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                REQUESTS.labels(self.part, method, route, str(status)),
                LATENCY.labels(self.part, method, route),
            )
            if len(self._children) < self.MAX_CACHED:
                self._children[key] = children
        children[0].inc()
        children[1].observe(elapsed)


def route_label(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path or "unmatched"


class ObserveRequests:
    """The access line and metrics of every request; with `request_ids` (a generator and a validator),
    its request id too, as asgi_correlation_id's middleware did, one layer fewer on every request: the
    caller's `X-Request-ID` if the validator accepts it, else a new one (logged, as that middleware
    did), put in the request's headers, the context the log lines read (asgi_correlation_id's
    `correlation_id`, for its log filter) and the answer's headers."""

    def __init__(
        self,
        app: ASGIApp,
        part: str,
        request_ids: tuple[Callable[[], str], Callable[[str], bool]] | None = None,
    ) -> None:
        self.app = app
        self.part = part
        self._metrics = RequestMetrics(part)
        self._ids = request_ids

    def _request_id(self, scope: Scope) -> bytes:
        assert self._ids is not None
        generate, valid = self._ids
        sent = next((value.decode("latin-1") for name, value in scope["headers"] if name == _REQUEST_ID), None)
        if not sent:
            rid = generate()
        elif not valid(sent):
            rid = generate()
            _ids_log.warning(_REPLACED, rid)
        else:
            rid = sent
        if rid != sent:
            scope["headers"] = [
                *(h for h in scope["headers"] if h[0] != _REQUEST_ID),
                (_REQUEST_ID, rid.encode("latin-1")),
            ]
        correlation_id.set(rid)
        return rid.encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        rid = self._request_id(scope) if self._ids is not None else None

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if rid is not None:
                    message["headers"] = [*message.get("headers", ()), (_REQUEST_ID, rid)]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            elapsed = time.perf_counter() - start
            method = scope["method"]
            self._metrics.record(method, route_label(scope), status, elapsed)
            if scope["path"] not in _NOT_LOGGED:
                access_log.info(
                    "request",
                    extra={
                        "method": method,
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )


async def metrics_endpoint(_: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
