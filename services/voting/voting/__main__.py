"""`python -m voting migrate|downgrade|serve`: run the voting service on its own."""

from voting.settings import ALEMBIC_INI, DEFAULT_PORT, get_settings

from platform_core.cli import service_cli

if __name__ == "__main__":
    service_cli("voting", "voting.main:app", ALEMBIC_INI, get_settings, DEFAULT_PORT)
