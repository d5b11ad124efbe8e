"""Serving a part with uvicorn, plus the two guards uvicorn lacks: a deadline for a request's headers
and a cap on open connections per client address.

Why: uvicorn closes a connection idle *between* requests (`timeout_keep_alive`), but a connection
that never finishes its headers (slowloris), or never sends a byte, is held for ever, and nothing
stops one address from holding thousands of them. The protocol below is uvicorn's own httptools
protocol with a timer from the first byte of a request (or the connection's opening) to the end of
its headers, answered 408 and closed when it fires, and a count of open connections per address,
over which a new connection is answered 429 and closed at once. The deadline for the *body* is an
ASGI matter (`platform_core.limits`), since the app reads the body.

Behind a proxy every connection comes from the proxy's address: the part's `trusted_proxies` (and
`connection_cap_exempt`) are not capped; the proxy caps per client.

Two things make every request cheaper, in every part (issue 11: the gateway's added latency):
- an answer of known length leaves in one write, head and body together (`OneWriteCycle`);
- the server tells the app when a request's whole body has arrived with its headers, so reading it
  needs no deadline (`platform_core.limits.BODY_RECEIVED`); and a request whose headers arrive whole
  in one read (nearly all) arms no header-deadline timer at all.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any

import orjson
from uvicorn._types import ASGISendEvent
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from platform_core.limits import BODY_RECEIVED
from platform_core.problems import PROBLEM_JSON, problem_body

log = logging.getLogger("platform.serving")


@dataclass(frozen=True)
class Guards:
    """The limits one server process applies; 0 switches a limit off."""

    header_timeout_seconds: float = 0.0
    max_connections_per_address: int = 0
    exempt_networks: tuple[IPv4Network | IPv6Network, ...] = ()

    def exempt(self, address: str) -> bool:
        try:
            ip = ip_address(address)
        except ValueError:
            return False  # not an IP address (a Unix socket): capped like any other
        return any(ip in network for network in self.exempt_networks)


def _raw_problem(status: int, reason: str, detail: str, headers: dict[str, str] | None = None) -> bytes:
    body = orjson.dumps(problem_body(status, detail))
    lines = [
        f"HTTP/1.1 {status} {reason}",
        f"content-type: {PROBLEM_JSON}",
        f"content-length: {len(body)}",
        "connection: close",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# A body larger than this goes in a write of its own after the head: joining them would copy it, and
# one write fewer matters only for small answers.
JOIN_BODY_MAX = 64 * 1024


class HeldHead(asyncio.Transport):
    """The connection's transport as one request-response cycle writes to it: while `holding`, the
    next write (the answer's head) is held back and leaves with the following one (its body)."""

    def __init__(self, transport: asyncio.Transport) -> None:
        super().__init__()
        self._transport = transport
        self.holding = False
        self._head = b""

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self.holding:
            self.holding = False
            self._head = bytes(data)
            return
        if self._head:
            head, self._head = self._head, b""
            if len(data) > JOIN_BODY_MAX:
                self._transport.write(head)
            else:
                data = head + data
        self._transport.write(data)

    def flush(self) -> None:
        """Write a held head now (no body is coming, or not at once)."""
        if self._head:
            head, self._head = self._head, b""
            self._transport.write(head)

    def close(self) -> None:
        self.flush()  # what was sent goes out before the close, as without holding
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)


class OneWriteCycle(RequestResponseCycle):
    """uvicorn's request-response cycle, writing an answer of known length in one piece.

    uvicorn writes the status line and headers when the app sends `http.response.start`, and the body
    when it sends `http.response.body`: two writes, two TCP segments, and for whoever reads the answer
    (the gateway reading a service, a client reading the gateway) often two wake-ups, two reads and
    two passes of its parser. Here the head of an answer with a Content-Length is held until the body's
    first message and both go in one write, as aiohttp's client does with a request's head and body.
    The bytes sent are the same. An answer of unknown length (streamed, chunked) and the answer to a
    HEAD request have their head written at once, as before. `self.transport` is a HeldHead."""

    transport: HeldHead

    async def send(self, message: ASGISendEvent) -> None:
        transport = self.transport
        if message["type"] != "http.response.start" or self.response_started:
            try:
                await super().send(message)
            finally:
                transport.flush()  # normally a no-op: the body's write took the head with it
            return
        # uvicorn's send waits here too while the client reads slowly; waiting first means nothing
        # is awaited between holding and the head's write below (a 100 Continue is never held).
        if self.flow.write_paused and not self.disconnected:
            await self.flow.drain()
        transport.holding = True
        try:
            await super().send(message)  # writes the head: held
        finally:
            transport.holding = False
        if self.chunked_encoding is not False or self.scope["method"] == "HEAD":
            transport.flush()  # no Content-Length (streamed), or no body will be written


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header deadline and a per-address connection cap."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any], _loop: Any = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._guards: Guards = getattr(config, "platform_guards", None) or Guards()
        self._header_deadline: asyncio.TimerHandle | None = None
        self._counted_address: str | None = None
        self._reading_headers = False  # a request has begun and its headers are not all in yet
        self._body_marker: dict[object, object] = {"complete": False}  # the request's BODY_RECEIVED

    # ---- the per-address cap -----------------------------------------------------------------
    def _open_by_address(self) -> dict[str, int]:
        # Kept on uvicorn's per-server state, beside its own set of connections.
        counts: dict[str, int] = vars(self.server_state).setdefault("platform_open_by_address", {})
        return counts

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        cap = self._guards.max_connections_per_address
        address = self.client[0] if self.client else None
        if cap and address and not self._guards.exempt(address):
            counts = self._open_by_address()
            if counts.get(address, 0) >= cap:
                log.warning("connection refused: too many open from one address", extra={"address": address})
                transport.write(
                    _raw_problem(
                        429,
                        "Too Many Requests",
                        f"Too many open connections from your address (at most {cap}); close some and try again.",
                        {"retry-after": "1"},
                    )
                )
                transport.close()
                return
            counts[address] = counts.get(address, 0) + 1
            self._counted_address = address
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        if self._counted_address is not None:
            counts = self._open_by_address()
            left = counts.get(self._counted_address, 1) - 1
            if left > 0:
                counts[self._counted_address] = left
            else:
                counts.pop(self._counted_address, None)
            self._counted_address = None
        super().connection_lost(exc)

    # ---- the header deadline -----------------------------------------------------------------
    def _arm_header_deadline(self) -> None:
        timeout = self._guards.header_timeout_seconds
        if timeout and self._header_deadline is None and not self.transport.is_closing():
            self._header_deadline = self.loop.call_later(timeout, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:  # no answer under way: say why
            seconds = self._guards.header_timeout_seconds
            self.transport.write(
                _raw_problem(408, "Request Timeout", f"The request's headers did not arrive within {seconds:g} s.")
            )
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # Armed after parsing, so that a request whose headers came whole in this data (nearly every
        # request: they fit in one packet) makes no timer only to cancel it. Armed if a request's headers
        # are still incomplete (its deadline then runs from within the time to parse this data of its
        # first byte), or if no request is under way after this data (bytes that begin none, such as
        # blank lines, must not hold a connection open either).
        if self._reading_headers or self.cycle is None or self.cycle.response_complete:
            self._arm_header_deadline()

    # ---- parser callbacks --------------------------------------------------------------------
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_headers = True
        # In the scope before the app sees it, so that any copy of the scope shares it; set when the
        # body is complete (on_message_complete).
        self._body_marker = {"complete": False}
        self.scope.setdefault("extensions", {})[BODY_RECEIVED] = self._body_marker

    def on_headers_complete(self) -> None:
        self._reading_headers = False
        self._disarm_header_deadline()
        previous = self.cycle
        super().on_headers_complete()
        if self.cycle is not None and self.cycle is not previous:  # this request's cycle (not an upgrade)
            # Before its task first runs (create_task does not run it yet), so all its sends are ours.
            self.cycle.__class__ = OneWriteCycle
            self.cycle.transport = HeldHead(self.transport)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        # The whole body is here: platform_core.limits.read_body reads it without a deadline.
        self._body_marker["complete"] = True


def serve(app_path: str, *, host: str, port: int, workers: int, guards: Guards, trusted_proxies: str = "") -> None:
    """`uvicorn.run` with the guarded protocol: the guards travel on the config, which uvicorn hands
    to every worker process."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        app_path,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        # The client's address is taken from X-Forwarded-For only on a request from a trusted proxy.
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=trusted_proxies or None,
        server_header=False,
        workers=max(1, workers),
        http=GuardedHttpToolsProtocol,
    )
    config.platform_guards = guards  # type: ignore[attr-defined]
    server = uvicorn.Server(config=config)
    try:
        if config.workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            server.run()
    except KeyboardInterrupt:
        pass
    if not server.started and config.workers == 1:
        raise SystemExit(3)  # uvicorn's STARTUP_FAILURE: the log above says why
