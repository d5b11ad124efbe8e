"""Settings of the voting service (environment variables prefixed VOTING_)."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import SettingsConfigDict

from platform_core.settings import PartSettings

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
VERSION_TABLE = "alembic_version_voting"
DEFAULT_PORT = 8002


class VotingSettings(PartSettings):
    model_config = SettingsConfigDict(env_prefix="VOTING_", extra="ignore")
    default_sqlite_name: str = "voting.db"


@lru_cache
def get_settings() -> VotingSettings:
    return VotingSettings()
