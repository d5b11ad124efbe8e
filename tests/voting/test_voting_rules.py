"""The rule "the round takes ballots now" is stated once: the PostgreSQL batch statement's SQL and
the Python check (SQLite's batch writer and every other cast) agree, on every phase and at both
edges of the window."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta

import pytest
from voting.domain.ballots import OPEN_FOR_BALLOTS_SQL, ballots_refused

from tools.platform_runner import POSTGRES_ADMIN_URL, postgres_reachable

NOW = datetime(2027, 3, 4, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
MICRO = timedelta(microseconds=1)
EDGES = [None, NOW - SECOND, NOW - MICRO, NOW, NOW + MICRO, NOW + SECOND]
CASES = [
    (phase, opens_at, closes_at)
    for phase in ("draft", "open", "closed", "published")
    for opens_at in EDGES
    for closes_at in EDGES
]


def test_the_rule_in_python_takes_ballots_only_when_open_and_inside_the_window():
    assert ballots_refused("open", None, None, NOW) is None
    assert ballots_refused("open", NOW, NOW + SECOND, NOW) is None  # opens_at is inside
    assert ballots_refused("open", None, NOW, NOW) == "Voting closed at 2027-03-04T12:00:00Z."  # closes_at is not
    assert ballots_refused("open", NOW + SECOND, None, NOW) == "Voting opens at 2027-03-04T12:00:01Z."
    assert ballots_refused("draft", None, None, NOW) == "The round is not open yet."
    assert ballots_refused("closed", None, None, NOW) == "The round is closed; ballots are no longer accepted."


async def _sql_answers() -> list[bool]:
    import asyncpg

    conn = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        rows = await conn.fetch(
            "SELECT r.i, " + OPEN_FOR_BALLOTS_SQL + " AS open_now"
            " FROM unnest($1::integer[], $3::text[], $4::timestamptz[], $5::timestamptz[])"
            " AS r(i, phase, opens_at, closes_at) ORDER BY r.i",
            list(range(len(CASES))),
            NOW,
            [c[0] for c in CASES],
            [c[1] for c in CASES],
            [c[2] for c in CASES],
        )
    finally:
        await conn.close()
    return [row["open_now"] for row in rows]


def test_the_batch_statement_and_the_python_rule_agree_on_postgresql():
    why = postgres_reachable()
    if why is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {why}")
        pytest.skip(f"PostgreSQL is not reachable: {why}")
    in_sql = asyncio.run(_sql_answers())
    in_python = [ballots_refused(*case, NOW) is None for case in CASES]
    disagree = [case for case, a, b in zip(CASES, in_sql, in_python, strict=True) if a != b]
    assert disagree == []
    assert sum(in_python) == 12  # open, and the window holds NOW: not a rule that refuses everything
