"""The settings base every part extends with its own environment-variable prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / ".data"

TOKEN_ISSUER = "council-hackday-gateway"
TOKEN_AUDIENCE = "council-hackday-platform"


class PartSettings(BaseSettings):
    """Settings common to every part. Subclasses set `env_prefix` (e.g. ``IDEAS_``)."""

    model_config = SettingsConfigDict(extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = ""
    log_level: str = "INFO"
    # Token verification: the gateway signs with Ed25519; every part verifies with the public key.
    jwt_public_key: str = ""
    jwt_public_key_file: Path | None = None
    jwt_issuer: str = TOKEN_ISSUER
    jwt_audience: str = TOKEN_AUDIENCE

    # Background work between services (outbox relays) uses the service's own credential: an API key
    # with role `service` (`python -m gateway create-service-key --name <part>`), exchanged at the gateway.
    gateway_url: str = "http://127.0.0.1:8000"
    service_api_key: str = ""

    # Each subclass names its own default SQLite file.
    default_sqlite_name: str = "platform.db"

    @model_validator(mode="after")
    def _fill_defaults(self) -> PartSettings:
        if not self.database_url:
            if self.environment == "production":
                raise ValueError("database_url must be set in production")
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            self.database_url = f"sqlite:///{DATA_DIR / self.default_sqlite_name}"
        if not self.jwt_public_key and self.jwt_public_key_file:
            self.jwt_public_key = self.jwt_public_key_file.read_text()
        return self

    def public_key_pem(self) -> str:
        if not self.jwt_public_key:
            raise RuntimeError(
                "No token public key: set the *_JWT_PUBLIC_KEY or *_JWT_PUBLIC_KEY_FILE setting "
                "(`make run` generates a development key pair in .data/keys)."
            )
        return self.jwt_public_key
