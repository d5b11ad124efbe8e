"""A lean HTTP/1.1 load generator: each connection one voter at a time, requests made in advance.

Why not aiohttp's client (which this used before): on this 2-core machine the load generator shares
the cores with what it measures, and aiohttp spent about 0.2-0.3 ms of CPU per request, as much as a
sixth of what the platform itself spends on a ballot. Here the requests are bytes made before the
clock starts, sent on keep-alive connections, and the answers parsed by httptools (the parser
uvicorn uses): a few tens of microseconds per request. Like a voter, a connection sends its next
request only when the answer to the last has come back.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Iterable

import httptools

Result = tuple[int, float, bytes]  # (status, seconds, body); status 0 if the connection failed


def request_bytes(
    host: str, port: int, method: str, path: str, headers: Iterable[tuple[str, str]], body: bytes
) -> bytes:
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._body: list[bytes] = []
        self._answer: asyncio.Future | None = None
        self.closed = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc or ConnectionResetError("the server closed the connection"))

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result((self._parser.get_status_code(), b"".join(self._body)))

    def _fail(self, exc: BaseException) -> None:
        self.closed = True
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(ConnectionError(str(exc)))

    async def exchange(self, raw: bytes) -> tuple[int, bytes]:
        self._body = []
        self._answer = asyncio.get_running_loop().create_future()
        self._transport.write(raw)
        return await self._answer

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


async def run(
    host: str, port: int, requests: list[bytes], concurrency: int, timeout: float = 30.0
) -> tuple[list[Result], float, float]:
    """Send every request, `concurrency` at a time; returns the results in the order they came back,
    the wall seconds and this process's CPU seconds."""
    loop = asyncio.get_running_loop()
    queue = collections.deque(requests)
    out: list[Result] = []

    async def connect() -> _Connection:
        _, conn = await loop.create_connection(_Connection, host, port)
        return conn

    async def slot() -> None:
        conn = await connect()
        try:
            while queue:
                raw = queue.popleft()
                if conn.closed:
                    conn = await connect()
                start = time.perf_counter()
                try:
                    async with asyncio.timeout(timeout):
                        status, body = await conn.exchange(raw)
                except (ConnectionError, TimeoutError) as exc:
                    out.append((0, time.perf_counter() - start, type(exc).__name__.encode()))
                    conn.close()
                    conn = await connect()
                    continue
                out.append((status, time.perf_counter() - start, body))
        finally:
            conn.close()

    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(slot() for _ in range(concurrency)))
    return out, time.perf_counter() - t0, time.process_time() - cpu0
