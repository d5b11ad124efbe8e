"""Settings of the followup service (environment variables prefixed FOLLOWUP_)."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import SettingsConfigDict

from platform_core.settings import PartSettings

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
VERSION_TABLE = "alembic_version_followup"
DEFAULT_PORT = 8003


class FollowupSettings(PartSettings):
    model_config = SettingsConfigDict(env_prefix="FOLLOWUP_", extra="ignore")
    default_sqlite_name: str = "followup.db"

    # Other parts, reached over HTTP with the caller's token (never by importing their code).
    ideas_url: str = "http://127.0.0.1:8001"
    voting_url: str = "http://127.0.0.1:8002"
    followup_url: str = "http://127.0.0.1:8003"
    # The public address of the platform: links in the library feed and export point there.
    gateway_url: str = "http://127.0.0.1:8000"
    # Seconds to wait for the ideas service before answering 503.
    ideas_timeout_seconds: float = 5.0
    # A running or evaluating trial with no measurement for this many days is listed as stale.
    stale_after_days: int = 42


@lru_cache
def get_settings() -> FollowupSettings:
    return FollowupSettings()
