"""`python -m ideas migrate|downgrade|serve`: run the ideas service on its own."""

from ideas.settings import ALEMBIC_INI, DEFAULT_PORT, get_settings
from platform_core.cli import service_cli

if __name__ == "__main__":
    service_cli("ideas", "ideas.main:app", ALEMBIC_INI, get_settings, DEFAULT_PORT)
