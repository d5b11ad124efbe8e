"""Settings of the pages part (environment variables prefixed WEB_)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import ClassVar

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from platform_core.settings import PartSettings

DEFAULT_PORT = 8004
MIN_SECRET_LENGTH = 32


class WebSettings(PartSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore")
    has_database: ClassVar[bool] = False  # web holds no data: every page asks the gateway

    # The gateway's public API, called with the signed-in person's own token.
    gateway_url: str = "http://127.0.0.1:8000"
    gateway_connect_timeout_seconds: float = 2.0
    gateway_read_timeout_seconds: float = 10.0
    gateway_max_connections: int = 100

    # Encrypts and authenticates the session cookie (Fernet); several keys, comma-separated, newest
    # first, let a key be rotated without signing everyone out. Required in production; in
    # development a random key is made at start-up (a restart then signs everyone out).
    session_keys: str = ""
    # The cookie is Secure (sent over HTTPS only) unless this is development or test.
    session_cookie_name: str = "hackday_session"
    csrf_cookie_name: str = "hackday_csrf"
    # How long a signed-in session lasts at most, whatever the tokens inside it say.
    session_max_age_seconds: int = 12 * 3600

    # Where the QR code on the projector view points: the platform's public address as people reach it.
    public_url: str = ""

    @model_validator(mode="after")
    def _session_keys(self) -> WebSettings:
        if not self.session_keys:
            if self.environment == "production":
                raise ValueError(
                    "WEB_SESSION_KEYS must be set in production (python -c 'from cryptography.fernet import "
                    "Fernet; print(Fernet.generate_key().decode())')"
                )
            self.session_keys = _development_key()
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.environment == "production"


def _development_key() -> str:
    import base64

    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


@lru_cache
def get_settings() -> WebSettings:
    return WebSettings()
