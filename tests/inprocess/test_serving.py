"""The server's one-write answers and its body-received marker (platform_core/serving.py), on uvicorn's
own request-response cycle with a transport that records each write."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.flow_control import FlowControl

from platform_core.limits import read_body
from platform_core.serving import HeldHead, OneWriteCycle


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def cycle_for(method: str, raw: RecordingTransport, *, expect_100: bool = False) -> OneWriteCycle:
    cycle = OneWriteCycle(
        scope={"type": "http", "method": method, "path": "/", "headers": []},  # type: ignore[typeddict-item]
        transport=HeldHead(raw),
        flow=FlowControl(raw),
        logger=logging.getLogger("test"),
        access_logger=logging.getLogger("test"),
        access_log=False,
        default_headers=[],
        message_event=asyncio.Event(),
        expect_100_continue=expect_100,
        keep_alive=True,
        on_response=lambda: None,
    )
    return cycle


def start(*headers: tuple[bytes, bytes], status: int = 200) -> Any:
    return {"type": "http.response.start", "status": status, "headers": list(headers)}


def body(data: bytes, more: bool = False) -> Any:
    return {"type": "http.response.body", "body": data, "more_body": more}


def test_an_answer_of_known_length_leaves_in_one_write():
    async def run() -> list[bytes]:
        raw = RecordingTransport()
        cycle = cycle_for("GET", raw)
        await cycle.send(start((b"content-length", b"2")))
        assert raw.writes == []  # the head waits for its body
        await cycle.send(body(b"ok"))
        return raw.writes

    writes = asyncio.run(run())
    assert len(writes) == 1
    assert writes[0].startswith(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n") and writes[0].endswith(b"\r\n\r\nok")


def test_a_streamed_answer_and_a_head_answer_send_their_head_at_once():
    async def run() -> tuple[list[bytes], list[bytes], list[bytes]]:
        streamed = RecordingTransport()
        cycle = cycle_for("GET", streamed)
        await cycle.send(start())  # no length: chunked, the head goes now
        assert len(streamed.writes) == 1
        await cycle.send(body(b"a", more=True))
        await cycle.send(body(b""))
        head = RecordingTransport()
        await cycle_for("HEAD", head).send(start((b"content-length", b"10")))  # no body will be written
        large = RecordingTransport()
        cycle = cycle_for("GET", large)
        big = b"x" * (100 * 1024)
        await cycle.send(start((b"content-length", str(len(big)).encode())))
        await cycle.send(body(big))
        return streamed.writes, head.writes, large.writes

    streamed, head, large = asyncio.run(run())
    assert streamed[0].endswith(b"transfer-encoding: chunked\r\n\r\n")
    assert b"".join(streamed[1:]) == b"1\r\na\r\n0\r\n\r\n"
    assert len(head) == 1 and head[0].startswith(b"HTTP/1.1 200 OK")
    assert len(large) == 2 and large[1] == b"x" * (100 * 1024)  # a large body is not copied onto its head


def test_a_held_head_still_goes_out_if_the_connection_is_closed_before_the_body():
    async def run() -> RecordingTransport:
        raw = RecordingTransport()
        cycle = cycle_for("GET", raw)
        await cycle.send(start((b"content-length", b"5")))
        cycle.transport.close()  # as uvicorn does when the app fails after starting its answer
        return raw

    raw = asyncio.run(run())
    assert raw.closed and len(raw.writes) == 1 and raw.writes[0].startswith(b"HTTP/1.1 200 OK")


def test_100_continue_is_never_held():
    async def run() -> list[bytes]:
        raw = RecordingTransport()
        cycle = cycle_for("POST", raw, expect_100=True)
        cycle.body, cycle.more_body = bytearray(b"{}"), False
        cycle.message_event.set()
        message = await cycle.receive()
        assert message["body"] == b"{}"
        return raw.writes

    assert asyncio.run(run()) == [b"HTTP/1.1 100 Continue\r\n\r\n"]


def test_a_body_already_received_is_read_without_a_deadline_and_one_still_coming_with_one():
    async def run() -> None:
        async def whole() -> Any:
            return {"type": "http.request", "body": b"{}", "more_body": False}

        headers = {b"content-length": b"2"}
        assert await read_body(whole, headers, max_bytes=10, timeout=1, received=True) == b"{}"

        async def never() -> Any:
            await asyncio.sleep(10)

        try:
            await read_body(never, headers, max_bytes=10, timeout=0.05)
        except TimeoutError:
            return
        raise AssertionError("no deadline for a body still on its way")

    asyncio.run(run())
