"""Talking to the gateway as any client would: requests, sign-in, waiting when told to, parallel jobs."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
ADMIN_FILE = REPO / ".data" / "first-admin.txt"
DEFAULT_URL = "http://127.0.0.1:8000"
# A sign-in hashes a password (Argon2, ~0.1 s of the gateway's time, and today on its event loop, so
# sign-ins are served one after another whatever we send): two at a time keeps it busy without a queue.
SIGN_IN_WORKERS = 2
BALLOT_WORKERS = 16
# How long one request may keep waiting on the gateway's rate limits (429 + Retry-After) in all.
MAX_RATE_LIMIT_WAIT = 600.0


class DemoFailed(Exception):
    """A step the demo cannot get past; the message says which step and what the platform answered."""


# ==== talking to the gateway =====================================================================


def describe(response: httpx.Response) -> str:
    """A refusal as a person reads it: status, the problem+json detail and the fields it names."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return f"{response.status_code} {response.reason_phrase}: {response.text[:300]}"
    text = f"{response.status_code} {body.get('title') or response.reason_phrase}: {body.get('detail', '')}"
    errors = body.get("errors") or []
    if errors:
        text += " (" + "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors[:5]) + ")"
    return text


class Gateway:
    """The platform's public entry. Thread-safe: sign-ins and ballots go out in parallel."""

    def __init__(self, url: str, say: Callable[[str], None], hint: str = "") -> None:
        self.url = url.rstrip("/")
        self.say = say
        self.hint = hint  # what the person can do about the rate limits, if anything
        self.http = httpx.Client(
            base_url=self.url, timeout=60.0, limits=httpx.Limits(max_connections=32, max_keepalive_connections=32)
        )
        self._lock = threading.Lock()
        self._told_about_limits = False

    def close(self) -> None:
        self.http.close()

    def send(
        self, method: str, path: str, *, step: str, token: str | None = None, ok: Iterable[int] = (200, 201), **kw: Any
    ) -> httpx.Response:
        headers = dict(kw.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        waited, attempt = 0.0, 0
        while True:
            attempt += 1
            try:
                response = self.http.request(method, path, headers=headers, **kw)
            except httpx.TransportError as exc:
                raise DemoFailed(
                    f"{step}: no answer from the platform at {self.url} ({type(exc).__name__}). "
                    "Is it running? Start it with `make run` in another terminal."
                ) from exc
            if response.status_code == 429 and waited < MAX_RATE_LIMIT_WAIT:
                # The gateway's rate limits are part of the platform: wait as told, then carry on.
                pause = max(1.0, float(response.headers.get("retry-after", "1")))
                self._tell_about_limits(path, pause)
                time.sleep(pause)
                waited += pause
                continue
            if response.status_code == 503 and attempt <= 5:
                # A service not reachable for a moment (restarting): nothing was done, so ask again.
                time.sleep(1.0)
                continue
            if response.status_code not in ok:
                raise DemoFailed(f"{step}: the platform answered {describe(response)}")
            return response

    def _tell_about_limits(self, path: str, pause: float) -> None:
        with self._lock:
            if self._told_about_limits:
                return
            self._told_about_limits = True
        what = "sign-ins from one address" if path.startswith("/api/auth/") else "changes by one person"
        self.say(
            f"  (the gateway limits {what}; waiting {pause:.0f} s each time it asks, and carrying on. "
            f"For a quicker run: {self.hint}a platform with a higher GATEWAY_LOGIN_RATE_LIMIT.)"
        )


@dataclass
class Person:
    """Someone signed in (or about to be): calls go through the gateway with their own token."""

    gw: Gateway
    id: str
    name: str
    email: str
    roles: list[str]
    token: str = ""
    password: str = ""
    invitation_code: str = ""

    @classmethod
    def described(cls, gw: Gateway, who: dict[str, Any], **more: Any) -> Person:
        """Someone as the gateway describes them (in a registration's or a sign-in's answer)."""
        return cls(
            gw=gw,
            id=who["id"],
            name=who["name"],
            email=who["email"],
            roles=who["roles"],
            invitation_code=who.get("invitation_code") or "",
            **more,
        )

    def request(self, method: str, path: str, step: str, ok: Iterable[int] = (200, 201), **kw: Any) -> httpx.Response:
        ok = tuple(ok)
        response = self.gw.send(method, path, step=step, token=self.token, ok=(*ok, 401), **kw)
        if response.status_code == 401 and 401 not in ok:
            if not self.password:
                raise DemoFailed(f"{step}: the platform answered {describe(response)}")
            # Tokens last 15 minutes: a long run (waiting on rate limits) signs in again and carries on.
            self.token = sign_in(self.gw, self.email, self.password).token
            response = self.gw.send(method, path, step=step, token=self.token, ok=ok, **kw)
        return response

    def call(self, method: str, path: str, step: str, **kw: Any) -> Any:
        response = self.request(method, path, step, **kw)
        return response.json() if response.content else None

    def get(self, path: str, step: str, **kw: Any) -> Any:
        return self.call("GET", path, step, **kw)

    def post(self, path: str, step: str, **kw: Any) -> Any:
        return self.call("POST", path, step, **kw)

    def patch(self, path: str, step: str, **kw: Any) -> Any:
        return self.call("PATCH", path, step, **kw)

    def accept_invitation(self) -> None:
        """Choose a password with the one-time code, as a new member of staff does on the day."""
        self.password = secrets.token_urlsafe(15)
        body = self.gw.send(
            "POST",
            "/api/auth/invitations/accept",
            step=f"{self.name} accepts their invitation",
            json={"code": self.invitation_code, "password": self.password},
        ).json()
        self.token = body["access_token"]


def sign_in(gw: Gateway, email: str, password: str) -> Person:
    body = gw.send(
        "POST", "/api/auth/login", step=f"sign in as {email}", json={"email": email, "password": password}
    ).json()
    return Person.described(gw, body["person"], token=body["access_token"], password=password)


def in_parallel(
    workers: int,
    jobs: Iterable[Callable[[], Any]],
    *,
    say: Callable[[str], None] | None = None,
    what: str = "done",
) -> list[Any]:
    """Run the jobs a few at a time; the first failure stops the demo with its own message. With
    `say`, a long batch reports how far it has gone (about every tenth, and at most every 5 s)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(job) for job in jobs]
        results, step, last = [], max(1, len(futures) // 10), time.monotonic()
        for n, future in enumerate(futures, 1):
            results.append(future.result())
            if say is not None and len(futures) >= 20 and (n % step == 0 or time.monotonic() - last > 5):
                say(f"  ... {n}/{len(futures)} {what}")
                last = time.monotonic()
        return results
