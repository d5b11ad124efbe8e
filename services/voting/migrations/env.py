"""Alembic environment of the voting service."""

from voting.models import metadata
from voting.settings import VERSION_TABLE, get_settings

from platform_core.migrations import run_alembic_env

run_alembic_env(metadata, VERSION_TABLE, get_settings().database_url)
