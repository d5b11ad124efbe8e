"""Settings of the gateway (environment variables prefixed GATEWAY_)."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from gateway.domain import sign_on_secrets
from platform_core.settings import PartSettings

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
VERSION_TABLE = "alembic_version_gateway"
DEFAULT_PORT = 8000


class GatewaySettings(PartSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")
    default_sqlite_name: str = "gateway.db"

    # Signing key for tokens (Ed25519 PEM), inline or as a file. Required: no default key exists.
    jwt_private_key: str = ""
    jwt_private_key_file: Path | None = None
    token_ttl_seconds: int = 15 * 60
    # A session (refresh tokens, rotated at each use) lasts while used at least every `refresh_idle_hours`,
    # and `session_max_hours` at most: a hack day without typing a password again, not a month.
    refresh_idle_hours: float = 12
    session_max_hours: float = 24

    # Where the services listen.
    ideas_url: str = "http://127.0.0.1:8001"
    voting_url: str = "http://127.0.0.1:8002"
    followup_url: str = "http://127.0.0.1:8003"
    # The pages (web/): every path outside /api and the gateway's own goes there.
    web_url: str = "http://127.0.0.1:8004"
    connect_timeout_seconds: float = 1.0
    read_timeout_seconds: float = 10.0
    max_connections_per_service: int = 100

    # Abuse limits (besides the body, header and connection limits every part has, platform_core.settings).
    max_body_bytes: int = 1_048_576
    # The public entry caps connections per client address; a proxy in front goes in connection_cap_exempt.
    max_connections_per_address: int = 100
    # Per client address, each with its own budget, so junk invitation accepts from one office address
    # never block colleagues' sign-ins. On a hack-day morning a few hundred staff sign in (and accept
    # their invitations) within minutes, often from one council office behind one public address, so
    # both are generous: guessing one account's password is slowed per account and address instead
    # (sign_in_throttle.py), and Argon2 bounds the rate of guesses. Accepts check a 256-bit code
    # before any password hashing, so a junk accept costs almost nothing.
    login_rate_limit: str = "600/minute"
    accept_rate_limit: str = "1200/minute"
    write_rate_limit: str = "300/minute"
    # Reads of the open library without sign-in, per client address (feed readers poll; importers page).
    anonymous_read_rate_limit: str = "120/minute"
    # Failed sign-ins for one email from one address before each further try must wait (1 s, 2 s, ...).
    sign_in_free_failures: int = 5
    sign_in_longest_wait_seconds: float = 60
    # Outgoing mail (gateway/mail.py): "none" (the API hands invitation codes to the organiser), "smtp"
    # or "notify" (GOV.UK Notify). Links in mail point to `public_url`.
    mail_backend: Literal["none", "smtp", "notify"] = "none"
    mail_from: str = ""
    mail_from_name: str = "Council hack day"
    public_url: str = "http://127.0.0.1:8000"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    # "starttls" (port 587), "tls" (implicit TLS, port 465) or "none" (a relay on the same host only).
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    notify_api_key: str = ""
    notify_template_id: str = ""
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_reply_to_id: str = ""
    # Encrypts councils' single sign-on client secrets in the database (gateway/domain/sign_on_secrets.py):
    # Fernet keys, comma-separated, newest first. Required in production; in development and tests a key
    # derived from the token signing key is used when it is not set.
    sign_on_secret_keys: str = ""
    # A password reset link works once, for this long.
    password_reset_minutes: int = 30
    # How often each replica reads the auth changes made through the others (auth_versions.py).
    auth_poll_seconds: float = 1.0
    # memory:// keeps limits per gateway process; set redis://host:6379 to share them between replicas.
    rate_limit_storage_url: str = "memory://"

    # First admin: created at start-up if no admin exists yet (or use `python -m gateway create-admin`).
    bootstrap_admin_email: str = ""
    bootstrap_admin_password: str = ""

    @model_validator(mode="after")
    def _mail_is_complete(self) -> GatewaySettings:
        missing = {
            "none": [],
            "smtp": [n for n in ("mail_from", "smtp_host") if not getattr(self, n)],
            "notify": [n for n in ("notify_api_key", "notify_template_id") if not getattr(self, n)],
        }[self.mail_backend]
        if missing:
            names = ", ".join("GATEWAY_" + n.upper() for n in missing)
            raise ValueError(f"mail_backend {self.mail_backend} needs {names}")
        return self

    @model_validator(mode="after")
    def _load_private_key(self) -> GatewaySettings:
        if not self.jwt_private_key and self.jwt_private_key_file:
            self.jwt_private_key = self.jwt_private_key_file.read_text()
        if self.token_ttl_seconds > self.max_token_lifetime_seconds:
            raise ValueError(
                f"token_ttl_seconds ({self.token_ttl_seconds}) exceeds max_token_lifetime_seconds "
                f"({self.max_token_lifetime_seconds}): every part would refuse the gateway's own tokens"
            )
        if self.environment == "production" and len(self.bootstrap_admin_password) in range(1, 12):
            raise ValueError("bootstrap_admin_password must be at least 12 characters in production")
        return self

    @model_validator(mode="after")
    def _sign_on_secret_keys(self) -> GatewaySettings:
        if self.sign_on_secret_keys:
            sign_on_secrets.check_keys(self.sign_on_secret_keys)
        elif self.environment == "production":
            raise ValueError(
                f"{sign_on_secrets.SETTING} must be set in production: it encrypts councils' single sign-on "
                "client secrets in the database (python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            )
        return self

    def sign_on_keys(self) -> str:
        """The keys that encrypt single sign-on client secrets (development and tests: derived from the
        token signing key, so they survive a restart, when none is set; never in production)."""
        if self.sign_on_secret_keys:
            return self.sign_on_secret_keys
        if not self.jwt_private_key:
            raise ValueError(f"{sign_on_secrets.SETTING} is not set, and there is no signing key to derive one from")
        digest = hashlib.sha256(b"council-hackday sign-on secrets\n" + self.jwt_private_key.encode()).digest()
        return base64.urlsafe_b64encode(digest).decode()

    def service_urls(self) -> dict[str, str]:
        return {"ideas": self.ideas_url, "voting": self.voting_url, "followup": self.followup_url}


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
