"""Settings of the voting service (environment variables prefixed VOTING_)."""

from functools import lru_cache
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from platform_core.settings import PartSettings

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
VERSION_TABLE = "alembic_version_voting"
DEFAULT_PORT = 8002

# Development-only secrets: refused in production, so a deployment cannot run on a known key.
DEV_AUDIT_KEY = "development-only-audit-key-do-not-use-in-production"
DEV_BALLOT_SECRET = "development-only-ballot-secret-do-not-use-in-production"
MIN_SECRET_LENGTH = 32


class VotingSettings(PartSettings):
    model_config = SettingsConfigDict(env_prefix="VOTING_", extra="ignore")
    default_sqlite_name: str = "voting.db"

    # Where the other parts listen (the harness and docker-compose set these).
    ideas_url: str = "http://127.0.0.1:8001"
    followup_url: str = "http://127.0.0.1:8003"
    gateway_url: str = "http://127.0.0.1:8000"
    ideas_connect_timeout_seconds: float = 1.0
    ideas_read_timeout_seconds: float = 5.0

    # Keys the audit chain's entries (HMAC-SHA256). Whoever holds it can re-forge the chain, so it
    # lives only in the service's environment, never in the database.
    audit_key: str = DEV_AUDIT_KEY
    # Keys the voter rows' hash of their current receipt and the sealed idempotency records of
    # ballots (see docs/voting.md, "Secrecy").
    ballot_secret: str = DEV_BALLOT_SECRET

    @model_validator(mode="after")
    def _no_known_secrets_in_production(self) -> "VotingSettings":
        if self.environment == "production":
            for name, value, dev in (
                ("audit_key", self.audit_key, DEV_AUDIT_KEY),
                ("ballot_secret", self.ballot_secret, DEV_BALLOT_SECRET),
            ):
                if value == dev or len(value) < MIN_SECRET_LENGTH:
                    raise ValueError(
                        f"VOTING_{name.upper()} must be set to a secret of at least "
                        f"{MIN_SECRET_LENGTH} characters in production"
                    )
        if self.audit_key == self.ballot_secret:
            raise ValueError("VOTING_AUDIT_KEY and VOTING_BALLOT_SECRET must differ")
        return self


@lru_cache
def get_settings() -> VotingSettings:
    return VotingSettings()
