"""`python -m followup migrate|downgrade|serve`: run the followup service on its own."""

from followup.settings import ALEMBIC_INI, DEFAULT_PORT, get_settings
from platform_core.cli import run

if __name__ == "__main__":
    run(
        part="followup",
        app_path="followup.main:app",
        alembic_ini=ALEMBIC_INI,
        get_settings=get_settings,
        port=DEFAULT_PORT,
    )
