"""The gateway in front of a misbehaving service: slow answers become 504 within the timeout, a
request is never sent twice when a service drops it, and paths are forwarded exactly as encoded."""

from __future__ import annotations

import socket
import threading
import time

import pytest


class MisbehavingService:
    """A raw HTTP server standing in for a service: it records each request line, then answers
    slowly, drops the connection without answering, or echoes the path it received."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.requests: list[str] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            line = data.split(b"\r\n", 1)[0].decode("latin-1")
            self.requests.append(line)
            if self.behaviour == "slow":
                time.sleep(5)
            elif self.behaviour == "drop":
                return  # close without a word
            body = line.split(" ")[1].encode("latin-1")
            conn.sendall(
                b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: "
                + str(len(body)).encode()
                + b"\r\nconnection: close\r\n\r\n"
                + body
            )

    def close(self) -> None:
        self._stop.set()
        self._sock.close()


@pytest.fixture
def misbehaving(request):
    service = MisbehavingService(request.param)
    yield service
    service.close()


@pytest.mark.parametrize("misbehaving", ["slow"], indirect=True)
def test_a_slow_service_is_a_504_within_the_read_timeout(extra_gateway, admin, misbehaving):
    with extra_gateway(
        GATEWAY_IDEAS_URL=f"http://127.0.0.1:{misbehaving.port}", GATEWAY_READ_TIMEOUT_SECONDS="1"
    ) as gateway:
        started = time.monotonic()
        answer = gateway.get("/api/ideas/whoami", headers=admin.headers)
        elapsed = time.monotonic() - started
    assert answer.status_code == 504, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert "did not answer" in answer.json()["detail"]
    assert elapsed < 3


@pytest.mark.parametrize("misbehaving", ["drop"], indirect=True)
def test_a_post_the_service_drops_is_a_503_and_is_never_sent_twice(extra_gateway, admin, misbehaving):
    with extra_gateway(GATEWAY_VOTING_URL=f"http://127.0.0.1:{misbehaving.port}") as gateway:
        answer = gateway.post("/api/voting/rounds", json={"title": "x"}, headers=admin.headers)
        time.sleep(0.5)  # time for a retry, were there one
    assert answer.status_code in (502, 503), answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [r.split(" ")[0] for r in misbehaving.requests] == ["POST"]


@pytest.mark.parametrize("misbehaving", ["echo"], indirect=True)
def test_paths_are_forwarded_exactly_as_the_caller_encoded_them(extra_gateway, admin, misbehaving):
    with extra_gateway(GATEWAY_FOLLOWUP_URL=f"http://127.0.0.1:{misbehaving.port}") as gateway:
        answer = gateway.get("/api/followup/library/a%2Fb%20c?q=x%26y", headers=admin.headers)
    assert answer.status_code == 200
    assert answer.text == "/api/followup/library/a%2Fb%20c?q=x%26y"
