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
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

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


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header deadline and a per-address connection cap."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any], _loop: Any = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._guards: Guards = getattr(config, "platform_guards", None) or Guards()
        self._header_deadline: asyncio.TimerHandle | None = None
        self._counted_address: str | None = None

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
        # A new request on a kept-alive connection starts its own deadline at its first byte.
        if self.cycle is None or self.cycle.response_complete:
            self._arm_header_deadline()
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._disarm_header_deadline()
        super().on_headers_complete()


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
