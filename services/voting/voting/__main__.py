"""`python -m voting migrate|downgrade|serve [--workers N]|verify-audit ROUND_ID` (platform_core.cli)."""

import argparse
import asyncio
import sys
import uuid
from collections.abc import Mapping
from typing import Any

from platform_core.cli import Command, run
from platform_core.db import make_engine, make_sessionmaker
from voting.settings import ALEMBIC_INI, DEFAULT_PORT, get_settings


async def _verify(round_id: uuid.UUID) -> int:
    from voting.domain import verification

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            try:
                v = await verification.verify(
                    session, audit_key=settings.audit_key, ballot_secret=settings.ballot_secret, round_id=round_id
                )
            except Exception as exc:
                print(f"cannot verify round {round_id}: {type(exc).__name__}", file=sys.stderr)
                return 2
    finally:
        await engine.dispose()
    print(f"round {round_id}: {v.entries_checked} entries, {v.ballots_checked} ballots, head {v.head}")
    if v.ballots_pending:
        print(f"{v.ballots_pending} ballot(s) of the open round are not chained yet (checked once chained)")
    if v.ok:
        print("OK: the audit chain and every ballot verify")
        return 0
    b = v.first_broken
    assert b is not None  # not ok: something is broken
    where = f"entry {b.seq} ({b.event})" if b.seq is not None else "a ballot outside the chain"
    print(f"BROKEN at {where}{f', ballot {b.ballot_id}' if b.ballot_id else ''}: {b.reason}")
    return 1


def verify_audit(args: argparse.Namespace, url: str) -> int:
    """`verify-audit ROUND_ID`: exit 0 good, 1 broken, 2 cannot verify."""
    return asyncio.run(_verify(args.round_id))


def add_commands(sub: Any) -> Mapping[str, Command]:
    verify = sub.add_parser("verify-audit", help="verify a round's audit chain and ballots; exit 1 if broken")
    verify.add_argument("round_id", type=uuid.UUID)
    return {"verify-audit": verify_audit}


if __name__ == "__main__":
    run(
        part="voting",
        app_path="voting.main:app",
        alembic_ini=ALEMBIC_INI,
        get_settings=get_settings,
        port=DEFAULT_PORT,
        add_commands=add_commands,
    )
