"""Forwarding to a service: one long-lived connection pool per service, with timeouts.

Every routed request pays for this path, so it runs on aiohttp's client directly. Measured side by
side (benchmarks/README.md), forwarding with httpx on httpx-aiohttp's transport cost the gateway two
to three times as much CPU per request as the bare aiohttp client, and httpx on its own transport six
to ten times as much. The gateway's composed views (routes/journeys.py) call the services on the same
aiohttp pool (`Upstream.session()`), since "tried before?" calls them on every keystroke; httpx stays the
client for the rest (`Upstream.client`: readiness checks, the combined OpenAPI document).

Nothing is ever retried here: a POST that may have reached the service must not be sent twice.
(aiohttp itself sends an idempotent request (GET, HEAD, OPTIONS, PUT, DELETE) once more if its
connection closed before any answer came, as RFC 9110 section 9.2.2 allows; never a POST or a PATCH.)
"""

from __future__ import annotations

import logging

import aiohttp
import httpx
from starlette.types import Scope, Send
from yarl import URL

log = logging.getLogger("gateway.edge.proxy")

# Request headers that are the gateway's to set, or that describe one connection only (RFC 9110 7.6.1).
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
        b"host",
        b"content-length",
        b"x-request-id",
        b"x-api-key",
        b"x-forwarded-for",
        b"x-forwarded-proto",
    }
)
# What a service or the web part never gets from the caller: the connection's own headers, the ones the
# gateway sets itself (request id, forwarded address and scheme), and the caller's credentials (the
# gateway passes on the checked token itself, never an API key).
REQUEST_DROP = HOP_BY_HOP | {b"authorization", b"x-forwarded-host"}
# The answer keeps its content-length (the body passes through unchanged) but loses the service's
# request id (the gateway adds the one it made), its date and server (the gateway's server sets them)
# and hop-by-hop headers.
RESPONSE_DROP = (HOP_BY_HOP - {b"content-length"}) | {b"date", b"server"}

# An answer of known length up to this size is read whole and sent in one message; larger or
# open-ended answers are streamed through in chunks, never held in memory.
WHOLE_ANSWER_MAX = 256 * 1024
STREAM_CHUNK = 64 * 1024

# Services run uvicorn, which closes a connection idle for 5 s. Letting the gateway drop its idle
# connections first means a request never goes out on a connection the service is just closing.
IDLE_CONNECTION_SECONDS = 4.0


def request_headers(scope: Scope, rid: str) -> list[tuple[str, str]]:
    """The caller's headers as they go on: without REQUEST_DROP, with the request id and the caller's address."""
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"] if k not in REQUEST_DROP]
    headers += (("x-request-id", rid), ("x-forwarded-for", (scope.get("client") or ("", 0))[0]))
    return headers


class ServiceUnavailable(Exception):
    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        self.detail = detail


class Upstream:
    """One service behind the gateway."""

    def __init__(
        self, name: str, base_url: str, *, connect_timeout: float, read_timeout: float, max_connections: int
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_connections = max_connections
        base = URL(self.base_url)
        if base.host is None:
            raise ValueError(f"{name}: the service URL {base_url!r} names no host")
        self._scheme, self._host, self._port = base.scheme, base.host, base.port
        self._base_path = base.raw_path.rstrip("/")
        # httpx for the gateway's own occasional calls (readiness, OpenAPI); not on the hot path.
        self.client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout),
            trust_env=False,
        )
        self._session: aiohttp.ClientSession | None = None  # made in the running loop, on first use

    def _new_session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=self.max_connections, limit_per_host=0, keepalive_timeout=IDLE_CONNECTION_SECONDS
            ),
            # `connect` also bounds the wait for a free pooled connection: a full pool is a 503 too.
            timeout=aiohttp.ClientTimeout(
                total=None, connect=self.connect_timeout, sock_connect=self.connect_timeout, sock_read=self.read_timeout
            ),
            # Pass the caller's request through as it is: no cookies kept, no headers of the client's
            # own (User-Agent, Accept, Accept-Encoding, Content-Type), no decompression of the answer.
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            auto_decompress=False,
            trust_env=False,
        )

    def session(self) -> aiohttp.ClientSession:
        """The kept-alive aiohttp pool to the service, made in the running loop on first use: for forwarding,
        and for the gateway's composed views (routes/journeys.py), which call the services on every keystroke
        of "tried before?"."""
        if self._session is None:
            self._session = self._new_session()
        return self._session

    async def aclose(self) -> None:
        await self.client.aclose()
        if self._session is not None:
            await self._session.close()

    def _public_location(self, location: bytes) -> bytes:
        """A redirect to the service's own address becomes relative: callers never learn where the
        services listen (the services do not redirect today; this keeps it so if one ever does)."""
        own = self.base_url.encode("latin-1")
        rest = location[len(own) :]
        if location.startswith(own) and rest[:1] in (b"", b"/", b"?"):
            return rest if rest.startswith(b"/") else b"/" + rest
        return location

    def _unavailable(self, exc: BaseException) -> ServiceUnavailable:
        """The problem a failed exchange with the service becomes: 503 if it could not be reached or
        broke off, 504 if it took too long to answer."""
        if isinstance(exc, aiohttp.ConnectionTimeoutError):  # connecting, or waiting for the pool
            return ServiceUnavailable(503, f"The {self.name} service is not reachable just now.")
        if isinstance(exc, TimeoutError):  # aiohttp's read timeouts are TimeoutErrors too
            return ServiceUnavailable(504, f"The {self.name} service did not answer within {self.read_timeout:g} s.")
        if isinstance(exc, (aiohttp.ClientConnectorError, aiohttp.ClientOSError, OSError)):
            return ServiceUnavailable(503, f"The {self.name} service is not reachable just now.")
        return ServiceUnavailable(503, f"The {self.name} service broke off its answer.")

    async def forward(
        self,
        *,
        method: str,
        raw_path: bytes,
        query: bytes,
        headers: list[tuple[str, str]],
        body: bytes,
        send: Send,
        extra_response_headers: list[tuple[bytes, bytes]],
    ) -> int:
        """Send the request on and pass the answer back; returns the status sent."""
        session = self.session()
        # The path goes on exactly as the caller encoded it (an id holding %2F stays one segment).
        url = URL.build(
            scheme=self._scheme,
            host=self._host,
            port=self._port,
            path=self._base_path + raw_path.decode("latin-1"),
            query_string=query.decode("latin-1"),
            encoded=True,
        )
        try:
            response = await session.request(method, url, headers=headers, data=body or None, allow_redirects=False)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise self._unavailable(exc) from exc
        try:
            status = response.status
            out_headers = [
                (k, self._public_location(v) if k == b"location" else v)
                for k, v in ((k.lower(), v) for k, v in response.raw_headers)
                if k not in RESPONSE_DROP
            ]
            out_headers += extra_response_headers
            length = response.content_length
            if length is not None and length <= WHOLE_ANSWER_MAX:
                # The usual small JSON answer: one message, as the service sent it.
                try:
                    content = await response.read()
                except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                    raise self._unavailable(exc) from exc
                await send({"type": "http.response.start", "status": status, "headers": out_headers})
                await send({"type": "http.response.body", "body": content, "more_body": False})
                return status
            await self._stream(response, status, out_headers, send)
            return status
        finally:
            response.release()

    async def _stream(
        self, response: aiohttp.ClientResponse, status: int, out_headers: list[tuple[bytes, bytes]], send: Send
    ) -> None:
        started = False
        try:
            async for chunk in response.content.iter_chunked(STREAM_CHUNK):
                if not started:
                    await send({"type": "http.response.start", "status": status, "headers": out_headers})
                    started = True
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            if not started:
                raise self._unavailable(exc) from exc
            # Too late for a problem answer: the status line has gone. Leave the answer unfinished,
            # so the server closes the connection and the caller sees it cut short, not complete.
            log.warning("%s broke off a streamed answer: %r", self.name, exc)
            return
        if not started:
            await send({"type": "http.response.start", "status": status, "headers": out_headers})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
