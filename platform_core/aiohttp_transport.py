"""An httpx transport that sends on aiohttp's client: httpx's API for the parts' calls to each other, at a
fraction of its own transport's CPU.

Measured (benchmarks/README.md, pages): one GET from web to the gateway cost web about 1.0-1.2 ms of CPU
on httpx's own transport (httpcore over anyio), 0.35-0.42 ms through this one, 0.15 ms on aiohttp alone.
The gateway forwards on aiohttp directly (gateway/edge/proxy.py); a part that calls another a few times
a page keeps httpx's API (and its MockTransport in tests) and plugs this in. Timeouts come from the
request as httpx sets them (connect, read, write, pool); aiohttp's errors become httpx's, so a caller's
`except httpx.TimeoutException` / `except httpx.HTTPError` holds. Nothing is retried here: aiohttp sends
an idempotent request once more only when its kept-alive connection had closed before any answer came.

Why not httpx-aiohttp's `AiohttpTransport` (pinned for benchmarks/gateway.py --compare-clients), which does
the same job: with version 0.2.0 a refused connection comes out as `httpx.ConnectTimeout` (its map picks
the first match, `ClientConnectionError`), so web would answer 504 "too slow" where the gateway is not
there at all (503); and its default session keeps a cookie jar, so a cookie set on one person's call
would be sent on the next person's. Both were checked against it; tests/web/test_gateway_transport.py
holds this transport to httpx's own behaviour.
"""

from __future__ import annotations

import aiohttp
import httpx

# Headers aiohttp writes itself from the URL and the body (or that describe one connection only).
_OWN = frozenset({"host", "content-length", "transfer-encoding", "connection"})
# An answer's framing, already undone by aiohttp: httpx must not see it (it would read the body as chunked).
_FRAMING = frozenset({b"transfer-encoding", b"connection", b"keep-alive"})


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session (its connection pool) for the transport's lifetime, made in the running loop."""

    def __init__(self, *, max_connections: int = 100, keepalive_seconds: float = 4.0) -> None:
        self._max_connections = max_connections
        self._keepalive_seconds = keepalive_seconds
        self._session: aiohttp.ClientSession | None = None

    def _new_session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=self._max_connections, limit_per_host=0, keepalive_timeout=self._keepalive_seconds
            ),
            # The request goes as httpx made it: no headers of aiohttp's own, no cookies kept, and the
            # answer's body as it came (httpx decodes a Content-Encoding itself).
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            trust_env=False,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._session is None or self._session.closed:
            self._session = self._new_session()
        limits = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=limits.get("pool"),  # the wait for a pooled connection, as httpx's pool timeout
            sock_connect=limits.get("connect"),
            sock_read=limits.get("read"),
        )
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in _OWN]
        body = await request.aread()
        try:
            async with self._session.request(
                request.method,
                str(request.url),
                headers=headers,
                data=body or None,
                timeout=timeout,
                allow_redirects=False,
            ) as answer:
                content = await answer.read()
                kept = [(k, v) for k, v in answer.raw_headers if k.lower() not in _FRAMING]
                return httpx.Response(answer.status, headers=kept, content=content, request=request)
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            if isinstance(exc, aiohttp.ConnectionTimeoutError):
                raise httpx.ConnectTimeout(str(exc) or "connect timeout", request=request) from exc
            raise httpx.ReadTimeout(str(exc) or "read timeout", request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
