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


@lru_cache
def get_settings() -> FollowupSettings:
    return FollowupSettings()
