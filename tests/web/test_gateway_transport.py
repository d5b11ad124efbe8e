"""Web's calls to the gateway go on aiohttp under httpx's API (platform_core/aiohttp_transport.py): what a
page reads of an answer is what httpx's own transport gave, and a slow or absent gateway is still a 504 or
503 page, never a hang. Against a small HTTP server in the test's own loop."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket

import httpx
import pytest

from platform_core.aiohttp_transport import AiohttpTransport
from tests.web.fake import SETTINGS, in_own_loop
from web.clients.gateway import ApiError, Gateway


async def _server(answer) -> tuple[asyncio.AbstractServer, str]:
    """An HTTP/1.1 server answering each request with `answer(method, path, headers, body)` -> bytes, or hanging."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ")
                headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                reply = await answer(method, path, headers, body)
                writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


def _reply(status: int, body: bytes, *headers: str) -> bytes:
    head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@in_own_loop
async def test_an_answer_reads_as_on_httpx_own_transport():
    seen: list[dict] = []

    async def answer(method: str, path: str, headers: dict, body: bytes) -> bytes:
        seen.append({"method": method, "path": path, "headers": headers, "body": body})
        if path.startswith("/zipped"):
            return _reply(
                200, gzip.compress(b'{"zipped": true}'), "Content-Type: application/json", "Content-Encoding: gzip"
            )
        if path.startswith("/missing"):
            return _reply(404, b'{"detail": "No such thing"}', "Content-Type: application/problem+json")
        echo = {"method": method, "path": path, "body": json.loads(body) if body else None}
        return _reply(
            201, json.dumps(echo).encode(), "Content-Type: application/json", "Set-Cookie: a=1", "Set-Cookie: b=2"
        )

    server, url = await _server(answer)
    async with server, httpx.AsyncClient(base_url=url, transport=AiohttpTransport()) as client:
        sent = await client.post(
            "/things?x=1", json={"a": 1}, headers={"Authorization": "Bearer t", "X-Request-ID": "r1"}
        )
        assert sent.status_code == 201
        assert sent.json() == {"method": "POST", "path": "/things?x=1", "body": {"a": 1}}
        assert sent.headers.get_list("set-cookie") == ["a=1", "b=2"]
        zipped = await client.get("/zipped")
        assert zipped.json() == {"zipped": True}
        missing = await client.get("/missing")
        assert missing.status_code == 404 and missing.json()["detail"] == "No such thing"
    # The request went as httpx made it: its headers, none of aiohttp's own; one connection kept alive.
    first = seen[0]["headers"]
    assert first["authorization"] == "Bearer t" and first["x-request-id"] == "r1"
    assert first["content-type"] == "application/json" and first["user-agent"].startswith("python-httpx")


@in_own_loop
async def test_a_gateway_that_does_not_answer_is_a_504_and_one_not_there_a_503():
    async def hang(method: str, path: str, headers: dict, body: bytes) -> bytes:
        await asyncio.sleep(2)  # past the 0.3 s read timeout; short, as closing the server may wait for it
        return b""

    server, url = await _server(hang)
    quick = SETTINGS.model_copy(update={"gateway_url": url, "gateway_read_timeout_seconds": 0.3})
    gateway = Gateway(quick)
    async with server:
        with pytest.raises(ApiError) as slow:
            await gateway.call("GET", "/api/auth/me", token="t")
        assert slow.value.status == 504
    await gateway.aclose()

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    gateway = Gateway(SETTINGS.model_copy(update={"gateway_url": f"http://127.0.0.1:{closed}"}))
    with pytest.raises(ApiError) as absent:
        await gateway.call("GET", "/api/auth/me", token="t")
    assert absent.value.status == 503
    await gateway.aclose()
