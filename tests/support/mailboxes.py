"""Where the tests read the mail the platform sends: a real SMTP server (aiosmtpd) and a local
stand-in of GOV.UK Notify's HTTP API, each on a free port of this machine."""

from __future__ import annotations

import json
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from aiosmtpd.controller import Controller

from tools.platform_runner import free_port


class SmtpMailbox:
    """An SMTP server that keeps every message it accepts, parsed."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def start(self) -> SmtpMailbox:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, count: int = 1, within: float = 20.0) -> list[EmailMessage]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"{count} message(s) to {address} did not arrive within {within} s")


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()


class NotifyStandIn:
    """GOV.UK Notify's `POST /v2/notifications/email` as its documentation describes it: a JWT (HS256,
    `iss` the service id, signed with the key's secret) is required, and each accepted notification is
    kept. `fail_next` makes the next answers a 500, as Notify's own outages would."""

    SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
    SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
    API_KEY = f"hackday_test-{SERVICE_ID}-{SECRET}"

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[dict[str, Any]] = []
        self.fail_next = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                try:
                    claims = jwt.decode(token, stand_in.SECRET, algorithms=["HS256"])
                    assert claims["iss"] == stand_in.SERVICE_ID
                except Exception:
                    return self._answer(403, {"errors": [{"error": "AuthError", "message": "Invalid token"}]})
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                if self.path != "/v2/notifications/email":
                    return self._answer(404, {"errors": [{"error": "NotFound", "message": self.path}]})
                if stand_in.fail_next > 0:
                    stand_in.fail_next -= 1
                    return self._answer(500, {"errors": [{"error": "Exception", "message": "Internal error"}]})
                stand_in.received.append(body)
                return self._answer(
                    201, {"id": "740e5834-3a29-46b4-9a6f-16142fde0e3a", "reference": body.get("reference")}
                )

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> NotifyStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, address: str, within: float = 20.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = [n for n in self.received if n["email_address"] == address]
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"no notification to {address} within {within} s")
