"""A request body's limits, in every service: at most `max_body_bytes`, all of it within
`body_timeout_seconds`.

Why in the services too: the gateway bounds what it forwards, but a request that reaches a service's
own address (another part, an operator, anything on the internal network) was read whole, 20 MB and
more, however slowly it came. Plain ASGI, so it costs a request without a body nothing: the body is
read here (it is small: the gateway forwards at most its own limit), then handed to the app.
"""

from __future__ import annotations

import asyncio

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from platform_core.problems import PROBLEM_JSON, problem_body

# The server (platform_core/serving.py) tells the app when a request's whole body has already arrived:
# scope["extensions"][BODY_RECEIVED]["complete"] becomes True with its last byte. Reading such a body
# cannot wait on the client, so no deadline is armed for it. That is the usual case (a small JSON body
# comes in the same packet as the headers), and the deadline is not free: asyncio.timeout() makes and
# cancels a timer and looks up the running task, some 10-20 us on every write that came whole.
BODY_RECEIVED = "platform.body_received"


class BodyTooLarge(Exception):
    pass


def body_received(scope: Scope) -> bool:
    """True if the server says the request's whole body has arrived (see BODY_RECEIVED)."""
    marker = scope.get("extensions", {}).get(BODY_RECEIVED)
    return bool(marker and marker["complete"])


async def read_body(
    receive: Receive, headers: dict[bytes, bytes], *, max_bytes: int, timeout: float, received: bool = False
) -> bytes | None:
    """The whole body, or None if the client went away. Raises BodyTooLarge past `max_bytes` (by its
    Content-Length before reading, or as it arrives) and TimeoutError if it has not all arrived within
    `timeout` seconds (0: no deadline).

    `received`: the server has said the whole body is already here (`body_received(scope)`), so reading
    it cannot wait and no deadline is armed. Only for the first read of the body, as both callers are
    (the gateway's edge and BodyLimits below, each the first to read it)."""
    length = headers.get(b"content-length")
    if length is None and b"transfer-encoding" not in headers:
        return b""  # HTTP/1.1: neither header, no body (RFC 9112 6.3)
    if length is not None:
        try:
            if int(length) > max_bytes:
                raise BodyTooLarge
        except ValueError:
            raise BodyTooLarge from None

    async def _read() -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    if not timeout or received:
        return await _read()
    async with asyncio.timeout(timeout):
        return await _read()


async def send_problem(send: Send, status: int, detail: str, path: str, extra: list[tuple[bytes, bytes]]) -> None:
    body = orjson.dumps(problem_body(status, detail, instance=path))
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimits:
    """ASGI middleware: 413 past `max_bytes`, 408 if the body takes longer than `timeout` seconds."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if b"content-length" not in headers and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        try:
            body = await read_body(
                receive, headers, max_bytes=self.max_bytes, timeout=self.timeout, received=body_received(scope)
            )
        except BodyTooLarge:
            detail = f"The body is larger than {self.max_bytes} bytes."
            await send_problem(send, 413, detail, path, [(b"connection", b"close")])
            return
        except TimeoutError:
            detail = f"The body did not arrive within {self.timeout:g} s."
            await send_problem(send, 408, detail, path, [(b"connection", b"close")])
            return
        if body is None:
            return  # the client went away: nobody to answer
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as the server would

        await self.app(scope, replay, send)
