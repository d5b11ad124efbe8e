"""Settings of the ideas service (environment variables prefixed IDEAS_)."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import SettingsConfigDict

from platform_core.settings import PartSettings

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
VERSION_TABLE = "alembic_version_ideas"
DEFAULT_PORT = 8001


class IdeasSettings(PartSettings):
    model_config = SettingsConfigDict(env_prefix="IDEAS_", extra="ignore")
    default_sqlite_name: str = "ideas.db"


@lru_cache
def get_settings() -> IdeasSettings:
    return IdeasSettings()
