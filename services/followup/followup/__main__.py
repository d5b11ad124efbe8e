"""`python -m followup migrate|downgrade|serve`: run the followup service on its own."""

from followup.settings import ALEMBIC_INI, DEFAULT_PORT, get_settings
from platform_core.cli import service_cli

if __name__ == "__main__":
    service_cli("followup", "followup.main:app", ALEMBIC_INI, get_settings, DEFAULT_PORT)
