"""Settings of the followup service (environment variables prefixed FOLLOWUP_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from platform_core.settings import PartSettings

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
VERSION_TABLE = "alembic_version_followup"
DEFAULT_PORT = 8003


class Settings(PartSettings):
    model_config = SettingsConfigDict(env_prefix="FOLLOWUP_", extra="ignore")
    default_sqlite_name: str = "followup.db"

    # The ideas service, reached over HTTP with the caller's token (never by importing its code).
    ideas_url: str = "http://127.0.0.1:8001"
    # Seconds to wait for the ideas service before answering 503.
    ideas_timeout_seconds: float = 5.0
    # The address the public reaches the platform at: links in published library records, the feeds
    # and the export point there. Not `gateway_url` (inherited), which is where this service fetches
    # its own credential and may be an address inside the stack (compose's http://gateway:8000).
    public_base_url: str = "http://127.0.0.1:8000"
    # A running or evaluating trial with no measurement for this many days is listed as stale.
    stale_after_days: int = 42
    # Federation (docs/federation.md): how often every subscribed library is imported (0: only on
    # demand), and how long to wait for another platform's answer.
    federation_interval_seconds: float = 900.0
    federation_timeout_seconds: float = 10.0
    # The daily digest of trial reviews due or overdue, mailed by the gateway to each council's managers
    # (followup/review_digest.py): made at the first check at or after this hour (UTC) each day; checked
    # this often (0: no digest).
    review_digest_hour: int = Field(default=7, ge=0, le=23)
    review_digest_check_seconds: float = Field(default=600.0, ge=0)


@lru_cache
def get_settings() -> Settings:
    return Settings()
