"""The command line every part shares, the gateway included: `serve [--workers N]`, `migrate`,
`downgrade`, plus whatever sub-commands a part adds (`python -m gateway create-admin`, ...)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from platform_core import metrics_server
from platform_core.db import is_sqlite
from platform_core.migrations import downgrade, upgrade
from platform_core.settings import PartSettings, settings_or_exit

# A part's extra sub-command: given the parsed arguments and the database URL, it does its work and
# returns the process's exit status (None for 0).
Command = Callable[[argparse.Namespace, str], int | None]
# Adds a part's extra sub-parsers and says which function runs each.
AddCommands = Callable[[Any], Mapping[str, Command]]


def run(
    *,
    part: str,
    app_path: str,
    alembic_ini: Path | None,
    get_settings: Callable[[], PartSettings],
    port: int,
    add_commands: AddCommands | None = None,
    argv: list[str] | None = None,
) -> None:
    """Parse the command line and do what it says (the body of every part's `__main__`).

    `alembic_ini` None: a part without a database (web/), which has nothing to migrate and only serves."""
    parser = argparse.ArgumentParser(prog=f"python -m {part}", description=f"The {part} part of the platform.")
    sub = parser.add_subparsers(dest="command", required=True)
    if alembic_ini is not None:
        sub.add_parser("migrate", help="upgrade the database to the latest migration")
        down = sub.add_parser("downgrade", help="downgrade the database (default: to base)")
        down.add_argument("revision", nargs="?", default="base")
    serve = sub.add_parser("serve", help="migrate, then serve on HOST:PORT")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get(f"{part.upper()}_PORT", str(port))),
        help=f"the port (default: ${part.upper()}_PORT, else {port})",
    )
    serve.add_argument("--no-migrate", action="store_true")
    # More than one worker process: each has its own event loop, connection pool and caches, and
    # uvicorn shares the listening socket between them. Default 1; `<PART>_WORKERS` sets it too.
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get(f"{part.upper()}_WORKERS", "1")),
        help=f"worker processes (default: ${part.upper()}_WORKERS, else 1)",
    )
    extra = dict(add_commands(sub)) if add_commands else {}
    args = parser.parse_args(argv)
    settings = settings_or_exit(part, get_settings)
    url = settings.database_url
    if args.command == "migrate" and alembic_ini is not None:
        upgrade(alembic_ini, url)
    elif args.command == "downgrade" and alembic_ini is not None:
        downgrade(alembic_ini, url, args.revision)
    elif args.command in extra:
        sys.exit(extra[args.command](args, url) or 0)
    else:
        if alembic_ini is not None and not args.no_migrate:
            upgrade(alembic_ini, url)
        if settings.metrics_address:
            if args.workers > 1:
                metrics_server.enable_for_workers()
            metrics_server.start(settings.metrics_address, workers=args.workers)
        _serve(part, app_path, url, args.host, args.port, args.workers, settings)


def _serve(part: str, app_path: str, url: str, host: str, port: int, workers: int, settings: PartSettings) -> None:
    from platform_core import serving

    if workers > 1 and url and is_sqlite(url):
        # Not refused (it works), but said: the workers would only queue for SQLite's one write lock.
        print(
            f"{part}: {workers} workers on SQLite add contention for its single write lock, not "
            "throughput (benchmarks/README.md, Ballots); use PostgreSQL to scale out.",
            file=sys.stderr,
        )
    serving.serve(
        app_path,
        host=host,
        port=port,
        workers=workers,
        guards=settings.guards(),
        trusted_proxies=settings.trusted_proxies,
    )


def service_cli(
    part: str, app_path: str, alembic_ini: Path, get_settings: Callable[[], PartSettings], port: int
) -> None:
    """The older spelling of `run` (kept while the services move to it)."""
    run(part=part, app_path=app_path, alembic_ini=alembic_ini, get_settings=get_settings, port=port)
