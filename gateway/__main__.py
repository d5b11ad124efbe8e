"""`python -m gateway migrate|downgrade|serve [--workers N]|create-admin|create-service-key`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Mapping
from typing import Any

from gateway.settings import ALEMBIC_INI, DEFAULT_PORT, get_settings
from platform_core.cli import Command, run
from platform_core.db import make_engine, make_sessionmaker
from platform_core.migrations import upgrade


async def _create_admin(email: str, name: str, password: str) -> None:
    from gateway.domain import identity

    engine = make_engine(get_settings().database_url)
    async with make_sessionmaker(engine)() as session:
        await identity.create_person(
            session, email=email, name=name, council_id=None, roles=["admin"], password=password
        )
        await session.commit()
    await engine.dispose()


async def _create_service_keys(names: list[str]) -> list[str]:
    from gateway.domain import identity

    engine = make_engine(get_settings().database_url)
    async with make_sessionmaker(engine)() as session:
        keys = [await identity.create_service_key(session, name=name) for name in names]
        await session.commit()
    await engine.dispose()
    return keys


def create_admin(args: argparse.Namespace, url: str) -> int:
    upgrade(ALEMBIC_INI, url)
    password = os.environ.get("GATEWAY_NEW_ADMIN_PASSWORD") or getpass.getpass("Password (12+ characters): ")
    if len(password) < 12:
        print("The password must be at least 12 characters.", file=sys.stderr)
        return 1
    asyncio.run(_create_admin(args.email, args.name, password))
    print(f"Created admin {args.email}.")
    return 0


def create_service_key(args: argparse.Namespace, url: str) -> int:
    from gateway.domain.identity import SERVICE_NAMES

    unknown = sorted(set(args.name) - set(SERVICE_NAMES))
    if unknown:
        known = ", ".join(SERVICE_NAMES)
        print(f"--name must name a service of the platform ({known}), not {', '.join(unknown)}.", file=sys.stderr)
        return 2
    upgrade(ALEMBIC_INI, url)
    for name, key in zip(args.name, asyncio.run(_create_service_keys(args.name)), strict=True):
        print(name, key)
    return 0


def add_commands(sub: Any) -> Mapping[str, Command]:
    admin = sub.add_parser(
        "create-admin", help="create an admin (password read from the terminal or GATEWAY_NEW_ADMIN_PASSWORD)"
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator")
    skey = sub.add_parser(
        "create-service-key", help="create a service credential (role service) per --name; prints 'name key' lines"
    )
    skey.add_argument("--name", required=True, action="append")
    return {"create-admin": create_admin, "create-service-key": create_service_key}


if __name__ == "__main__":
    run(
        part="gateway",
        app_path="gateway.main:app",
        alembic_ini=ALEMBIC_INI,
        get_settings=get_settings,
        port=DEFAULT_PORT,
        add_commands=add_commands,
    )
