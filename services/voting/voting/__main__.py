"""`python -m voting migrate|downgrade|serve`, and `python -m voting verify-audit ROUND_ID`."""

import argparse
import asyncio
import sys
import uuid

from platform_core.cli import service_cli
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


def verify_audit_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m voting verify-audit",
        description="Verify a round's audit chain and ballots; exit 1 if broken.",
    )
    parser.add_argument("round_id", type=uuid.UUID)
    return asyncio.run(_verify(parser.parse_args(argv).round_id))


if __name__ == "__main__":
    if sys.argv[1:2] == ["verify-audit"]:
        sys.exit(verify_audit_cli(sys.argv[2:]))
    service_cli("voting", "voting.main:app", ALEMBIC_INI, get_settings, DEFAULT_PORT)
