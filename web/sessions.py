"""The signed-in session and CSRF tokens, both held by the browser: web keeps no data of its own.

The session cookie carries the person's access token (and, once the gateway issues them, their refresh
token), encrypted and authenticated with Fernet, so the browser can neither read nor change it. It is
HttpOnly, SameSite=Lax, and Secure in production. Every form carries a CSRF token: a signed copy
(itsdangerous) of a random value held in a second cookie (the signed double-submit pattern), checked
on every POST, so another site cannot make a signed-in person's browser send a form.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from web.settings import WebSettings

CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Session:
    """What the cookie holds: the person's own tokens and when they signed in."""

    access_token: str
    refresh_token: str | None
    signed_in_at: float


class SessionCookies:
    def __init__(self, settings: WebSettings) -> None:
        keys = [k.strip() for k in settings.session_keys.split(",") if k.strip()]
        self._fernet = MultiFernet([Fernet(k) for k in keys])
        self._csrf = URLSafeTimedSerializer(keys[0], salt="hackday-csrf")
        self.name = settings.session_cookie_name
        self.csrf_name = settings.csrf_cookie_name
        self.max_age = settings.session_max_age_seconds
        self.secure = settings.secure_cookies

    # ---- the session -------------------------------------------------------------------------
    def read(self, request: Request) -> Session | None:
        raw = request.cookies.get(self.name)
        if not raw:
            return None
        try:
            data = orjson.loads(self._fernet.decrypt(raw.encode(), ttl=self.max_age))
            return Session(access_token=data["a"], refresh_token=data.get("r"), signed_in_at=data["t"])
        except (InvalidToken, ValueError, KeyError, TypeError):
            return None

    def write(self, response: Response, session: Session) -> None:
        payload = orjson.dumps({"a": session.access_token, "r": session.refresh_token, "t": session.signed_in_at})
        response.set_cookie(
            self.name,
            self._fernet.encrypt(payload).decode(),
            max_age=self.max_age,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(self.name, path="/", httponly=True, samesite="lax", secure=self.secure)

    @staticmethod
    def new(access_token: str, refresh_token: str | None) -> Session:
        return Session(access_token=access_token, refresh_token=refresh_token, signed_in_at=time.time())

    # ---- CSRF ----------------------------------------------------------------------------------
    def csrf_token(self, request: Request) -> str:
        """The token to put in this page's forms; makes the cookie's random value if there is none yet."""
        value = request.cookies.get(self.csrf_name) or getattr(request.state, "new_csrf", None)
        if not value:
            value = request.state.new_csrf = secrets.token_urlsafe(32)
        return self._csrf.dumps(value)

    def set_csrf_cookie(self, request: Request, response: Response) -> None:
        value = getattr(request.state, "new_csrf", None)
        if value:
            response.set_cookie(
                self.csrf_name, value, path="/", httponly=True, samesite="lax", secure=self.secure, max_age=self.max_age
            )

    def csrf_ok(self, request: Request, token: str | None) -> bool:
        value = request.cookies.get(self.csrf_name)
        if not (value and token):
            return False
        try:
            signed = self._csrf.loads(token, max_age=self.max_age)
        except BadSignature:
            return False
        return isinstance(signed, str) and hmac.compare_digest(signed, value)
