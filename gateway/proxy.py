"""Forwarding to a service: one long-lived httpx.AsyncClient per service, with timeouts.

The client runs on httpx-aiohttp's transport: with httpx's default transport the forwarding path
was the gateway's bottleneck (see benchmarks/README.md). Nothing is ever retried here: a POST that
may have reached the service must not be sent twice.
"""

from __future__ import annotations

import logging

import httpx
from httpx_aiohttp import AiohttpTransport
from starlette.types import Send

from platform_core.problems import problem_body

log = logging.getLogger("gateway.proxy")

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
# The answer keeps its content-length (we pass raw bytes through) but loses the service's request id
# (the gateway adds the one it made) and hop-by-hop headers.
RESPONSE_DROP = (HOP_BY_HOP - {b"content-length"}) | {b"date", b"server"}


class ServiceUnavailable(Exception):
    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        self.detail = detail


class Upstream:
    """One service behind the gateway."""

    def __init__(self, name: str, base_url: str, *, connect_timeout: float, read_timeout: float,
                 max_connections: int) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.read_timeout = read_timeout
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self.client = httpx.AsyncClient(
            base_url=self.base_url,
            transport=AiohttpTransport(limits=limits, trust_env=False),
            timeout=httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout,
                                  pool=connect_timeout),
            trust_env=False,
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def forward(
        self,
        *,
        method: str,
        path: str,
        query: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        send: Send,
        extra_response_headers: list[tuple[bytes, bytes]],
    ) -> int:
        """Send the request on and stream the answer back; returns the status sent."""
        url = path + ("?" + query.decode("latin-1") if query else "")
        request = self.client.build_request(method, url, headers=headers, content=body or None)
        try:
            response = await self.client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
                raise ServiceUnavailable(503, f"The {self.name} service is not reachable just now.") from exc
            raise ServiceUnavailable(
                504, f"The {self.name} service did not answer within {self.read_timeout:g} s."
            ) from exc
        except httpx.TransportError as exc:
            raise ServiceUnavailable(503, f"The {self.name} service is not reachable just now.") from exc
        try:
            out_headers = [
                (k, v) for k, v in response.headers.raw if k.lower() not in RESPONSE_DROP
            ] + extra_response_headers
            started = False
            try:
                async for chunk in response.aiter_raw():
                    if not started:
                        await send({"type": "http.response.start", "status": response.status_code,
                                    "headers": out_headers})
                        started = True
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except httpx.HTTPError as exc:
                if not started:
                    raise ServiceUnavailable(
                        503, f"The {self.name} service broke off its answer."
                    ) from exc
                log.warning("%s broke off a streamed answer: %s", self.name, exc)
            if not started:
                await send({"type": "http.response.start", "status": response.status_code,
                            "headers": out_headers})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return response.status_code
        finally:
            await response.aclose()


def problem_bytes(status: int, detail: str, instance: str) -> bytes:
    import orjson

    return orjson.dumps(problem_body(status, detail, instance=instance))
