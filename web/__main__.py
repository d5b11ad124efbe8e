"""`python -m web serve [--port 8004] [--workers N]`: the pages (no database, so nothing to migrate)."""

from platform_core.cli import run
from web.settings import DEFAULT_PORT, get_settings

if __name__ == "__main__":
    run(part="web", app_path="web.main:app", alembic_ini=None, get_settings=get_settings, port=DEFAULT_PORT)
