"""Settings of the ideas service (environment variables prefixed IDEAS_)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from platform_core.settings import PartSettings

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
VERSION_TABLE = "alembic_version_ideas"
DEFAULT_PORT = 8001


class IdeasSettings(PartSettings):
    model_config = SettingsConfigDict(env_prefix="IDEAS_", extra="ignore")
    default_sqlite_name: str = "ideas.db"

    # Told (with this part's service credential) before a co-author joins an idea: clients/voting.py.
    voting_url: str = "http://127.0.0.1:8002"
    # Follow-up, asked whether a trial's outcome is really published before an idea opens to every
    # council (clients/followup.py), with this service's own credential (gateway_url, service_api_key).
    followup_url: str = "http://127.0.0.1:8003"

    # How often the similar-idea index catches up with changes made by other replicas.
    index_refresh_seconds: float = Field(default=5.0, gt=0, le=3600)


@lru_cache
def get_settings() -> IdeasSettings:
    return IdeasSettings()
