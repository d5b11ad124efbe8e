"""`python -m gateway migrate|downgrade|serve|create-admin|create-service-key`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from gateway.settings import ALEMBIC_INI, DEFAULT_PORT, get_settings
from platform_core.db import make_engine, make_sessionmaker
from platform_core.migrations import downgrade, upgrade


async def _create_admin(email: str, name: str, password: str) -> None:
    from gateway import identity

    engine = make_engine(get_settings().database_url)
    async with make_sessionmaker(engine)() as session:
        await identity.create_person(
            session, email=email, name=name, council_id=None, roles=["admin"], password=password
        )
        await session.commit()
    await engine.dispose()


async def _create_service_keys(names: list[str]) -> list[str]:
    from gateway import identity

    engine = make_engine(get_settings().database_url)
    async with make_sessionmaker(engine)() as session:
        keys = [await identity.create_service_key(session, name=name) for name in names]
        await session.commit()
    await engine.dispose()
    return keys


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway", description="The gateway.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the gateway's database to the latest migration")
    down = sub.add_parser("downgrade", help="downgrade the database (default: to base)")
    down.add_argument("revision", nargs="?", default="base")
    serve = sub.add_parser("serve", help="migrate, then serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--no-migrate", action="store_true")
    admin = sub.add_parser(
        "create-admin", help="create an admin (password read from the terminal or GATEWAY_NEW_ADMIN_PASSWORD)"
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator")
    skey = sub.add_parser(
        "create-service-key", help="create a service credential (role service) per --name; prints 'name key' lines"
    )
    skey.add_argument("--name", required=True, action="append")
    args = parser.parse_args()
    url = get_settings().database_url
    if args.command == "migrate":
        upgrade(ALEMBIC_INI, url)
    elif args.command == "downgrade":
        downgrade(ALEMBIC_INI, url, args.revision)
    elif args.command == "create-admin":
        import os

        upgrade(ALEMBIC_INI, url)
        password = os.environ.get("GATEWAY_NEW_ADMIN_PASSWORD") or getpass.getpass("Password (12+ characters): ")
        if len(password) < 12:
            sys.exit("The password must be at least 12 characters.")
        asyncio.run(_create_admin(args.email, args.name, password))
        print(f"Created admin {args.email}.")
    elif args.command == "create-service-key":
        upgrade(ALEMBIC_INI, url)
        for name, key in zip(args.name, asyncio.run(_create_service_keys(args.name)), strict=True):
            print(name, key)
    else:
        if not args.no_migrate:
            upgrade(ALEMBIC_INI, url)
        import uvicorn

        uvicorn.run(
            "gateway.main:app",
            host=args.host,
            port=args.port,
            log_config=None,
            access_log=False,
            proxy_headers=False,
            server_header=False,
        )


if __name__ == "__main__":
    main()
