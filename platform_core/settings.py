"""The settings base every part extends with its own environment-variable prefix."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal, TypeVar

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SecretsSettingsSource, SettingsConfigDict

if TYPE_CHECKING:
    from platform_core.serving import Guards

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / ".data"

TOKEN_ISSUER = "council-hackday-gateway"
TOKEN_AUDIENCE = "council-hackday-platform"
# A folder of files named like settings (`VOTING_AUDIT_KEY`, `IDEAS_DATABASE_URL`...), each holding
# that setting's value: how docker-compose and Kubernetes hand a part its secrets without putting them
# in its environment. An environment variable of the same name wins over the file.
SECRETS_DIR_VARIABLE = "PLATFORM_SECRETS_DIR"


class PartSettings(BaseSettings):
    """Settings common to every part. Subclasses set `env_prefix` (e.g. ``IDEAS_``)."""

    model_config = SettingsConfigDict(extra="ignore")
    # A part without a database of its own (web/) sets this False: no database URL is filled in or required.
    has_database: ClassVar[bool] = True

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = ""
    log_level: str = "INFO"
    # Token verification: the gateway signs with Ed25519; every part verifies with the public key.
    jwt_public_key: str = ""
    jwt_public_key_file: Path | None = None
    jwt_issuer: str = TOKEN_ISSUER
    jwt_audience: str = TOKEN_AUDIENCE
    # The longest lifetime (`exp - iat`) a token may claim; the gateway issues 15-minute tokens.
    max_token_lifetime_seconds: int = Field(default=15 * 60, ge=60, le=24 * 3600)

    # Background work between services (outbox relays) uses the service's own credential: an API key
    # with role `service` (`python -m gateway create-service-key --name <part>`), exchanged at the gateway.
    gateway_url: str = "http://127.0.0.1:8000"
    service_api_key: str = ""

    # Where /metrics is served ("host:port"), apart from the port people use: an address that only the
    # monitoring network reaches (platform_core/metrics_server.py). Empty: no metrics listener.
    metrics_address: str = ""

    # Background upkeep (platform_core/housekeeping.py): how often the outbox gauges are refreshed, and
    # how long an Idempotency-Key's first answer is kept for a retry (then swept).
    housekeeping_interval_seconds: float = 15.0
    idempotency_window_seconds: int = 24 * 3600

    # The reverse proxies in front of this part (addresses or networks, comma-separated:
    # "172.31.250.0/28"). Only a request from one of these has its X-Forwarded-For believed, so that
    # limits count the real client's address behind the proxy and a client elsewhere cannot choose
    # its own; the right-most address a trusted proxy did not add is the client's. Empty: none.
    trusted_proxies: str = ""

    # Abuse limits of the part's own server (platform_core.serving, platform_core.limits): a request
    # body of at most max_body_bytes, all of it within body_timeout_seconds; a request's headers
    # within header_timeout_seconds; at most max_connections_per_address open connections from one
    # client address (0: no cap), except from the trusted proxies and the addresses or networks in
    # connection_cap_exempt (comma-separated: the web part, say), whose callers are many people.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    body_timeout_seconds: float = Field(default=30.0, ge=0)
    header_timeout_seconds: float = Field(default=10.0, ge=0)
    max_connections_per_address: int = Field(default=0, ge=0)
    connection_cap_exempt: str = ""

    # Each subclass names its own default SQLite file.
    default_sqlite_name: str = "platform.db"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        folder = os.environ.get(SECRETS_DIR_VARIABLE)
        if not folder:
            return init_settings, env_settings, dotenv_settings
        if not Path(folder).is_dir():
            raise ValueError(f"{SECRETS_DIR_VARIABLE} names {folder}, which is not a readable folder")
        return init_settings, env_settings, dotenv_settings, SecretsSettingsSource(settings_cls, secrets_dir=folder)

    @model_validator(mode="after")
    def _fill_defaults(self) -> PartSettings:
        if not self.database_url and self.has_database:
            if self.environment == "production":
                raise ValueError("database_url must be set in production")
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            self.database_url = f"sqlite:///{DATA_DIR / self.default_sqlite_name}"
        if self.environment == "production" and self.database_url.lower().startswith("sqlite"):
            # One file, one writer, no replicas, no managed backups: a council's production data
            # belongs in PostgreSQL (docker-compose.yml makes one database per part).
            setting = f"{self.model_config.get('env_prefix', '')}DATABASE_URL"
            raise ValueError(
                f"production needs PostgreSQL, but {setting} is an SQLite URL; set it to "
                "postgresql://user:password@host:5432/<database> (SQLite is for development and tests)"
            )
        if not self.jwt_public_key and self.jwt_public_key_file:
            self.jwt_public_key = self.jwt_public_key_file.read_text()
        return self

    def guards(self) -> Guards:
        """The limits `python -m <part> serve` applies to its connections (platform_core.serving): the
        trusted proxies and the exempt addresses (addresses or networks) are not capped."""
        from ipaddress import ip_network

        from platform_core.serving import Guards

        listed = f"{self.trusted_proxies},{self.connection_cap_exempt}".split(",")
        return Guards(
            header_timeout_seconds=self.header_timeout_seconds,
            max_connections_per_address=self.max_connections_per_address,
            exempt_networks=tuple(ip_network(a.strip(), strict=False) for a in listed if a.strip()),
        )

    def public_key_pem(self) -> str:
        if not self.jwt_public_key:
            raise RuntimeError(
                "No token public key: set the *_JWT_PUBLIC_KEY or *_JWT_PUBLIC_KEY_FILE setting "
                "(`make run` generates a development key pair in .data/keys)."
            )
        return self.jwt_public_key


S = TypeVar("S", bound=PartSettings)


def settings_or_exit(part: str, get_settings: Callable[[], S]) -> S:
    """The part's settings; if they are not valid, a plain message saying which and why (no traceback)
    and a non-zero exit status, so that a part refuses to start rather than run misconfigured."""
    try:
        return get_settings()
    except ValidationError as exc:
        lines = [f"{part}: the settings are not valid, so it does not start:"]
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "settings"
            lines.append(f"  {where}: {error['msg'].removeprefix('Value error, ')}")
        sys.exit("\n".join(lines))
