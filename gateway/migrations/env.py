"""Alembic environment of the gateway."""

from gateway.models import metadata
from gateway.settings import VERSION_TABLE, get_settings
from platform_core.migrations import run_alembic_env

run_alembic_env(metadata, VERSION_TABLE, get_settings().database_url)
