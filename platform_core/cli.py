"""The small command line every service shares: migrate, downgrade, serve."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from platform_core.db import is_sqlite
from platform_core.migrations import downgrade, upgrade
from platform_core.settings import PartSettings


def service_cli(
    part: str, app_path: str, alembic_ini: Path, get_settings: Callable[[], PartSettings], port: int
) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {part}", description=f"The {part} service.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the database to the latest migration")
    down = sub.add_parser("downgrade", help="downgrade the database (default: to base)")
    down.add_argument("revision", nargs="?", default="base")
    serve = sub.add_parser("serve", help="migrate, then serve on HOST:PORT")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=port)
    serve.add_argument("--no-migrate", action="store_true")
    # More than one worker process: each has its own event loop, connection pool and caches, and
    # uvicorn shares the listening socket between them. Default 1; `<PART>_WORKERS` sets it too.
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get(f"{part.upper()}_WORKERS", "1")),
        help=f"worker processes (default: ${part.upper()}_WORKERS, else 1)",
    )
    args = parser.parse_args()
    url = get_settings().database_url
    if args.command == "migrate":
        upgrade(alembic_ini, url)
    elif args.command == "downgrade":
        downgrade(alembic_ini, url, args.revision)
    else:
        if not args.no_migrate:
            upgrade(alembic_ini, url)
        import uvicorn

        if args.workers > 1 and is_sqlite(url):
            # Not refused (it works), but said: the workers would only queue for SQLite's one write lock.
            print(
                f"{part}: {args.workers} workers on SQLite add contention for its single write lock, not "
                "throughput (benchmarks/README.md, Ballots); use PostgreSQL to scale out.",
                file=sys.stderr,
            )
        uvicorn.run(
            app_path,
            host=args.host,
            port=args.port,
            log_config=None,
            access_log=False,
            proxy_headers=False,
            server_header=False,
            workers=max(1, args.workers),
        )
