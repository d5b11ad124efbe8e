"""Helpers for the voting tests: rounds, ballots, problem+json checks and the voting database."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import sqlalchemy as sa

from tests.support.http import ok, problem  # noqa: F401

ROUNDS = "/api/voting/rounds"


def new_round(
    organiser,
    hack_day_id: str,
    method: str = "approval",
    *,
    rules: dict | None = None,
    idea_ids: list[str] | None = None,
    open_it: bool = False,
    **fields: Any,
) -> dict:
    body = {
        "hack_day_id": hack_day_id,
        "title": f"Round {uuid.uuid4().hex[:6]}",
        "method": method,
        "rules": rules or {},
        **fields,
    }
    if idea_ids is not None:
        body["idea_ids"] = idea_ids
    rnd = ok(organiser.post(ROUNDS, json=body), 201)
    if open_it:
        rnd = ok(organiser.post(f"{ROUNDS}/{rnd['id']}/open"))
    return rnd


def cast(voter, rnd: dict, choices: dict, key: str | None = None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return voter.post(f"{ROUNDS}/{rnd['id']}/ballot", json={"choices": choices}, headers=headers)


def ballot_id(receipt: str) -> str:
    """The public half of a receipt: its first four groups, published with the ballot at close."""
    return receipt[:19]


def step(organiser, rnd: dict, action: str, **kw: Any) -> dict:
    return ok(organiser.post(f"{ROUNDS}/{rnd['id']}/{action}", **kw))


def ids_of(rnd: dict) -> list[str]:
    return [c["idea_id"] for c in rnd["candidates"]]


def database(platform, part: str = "voting") -> sa.Engine:
    """A plain synchronous engine on a part's database, to look at (or tamper with) its rows."""
    url = platform.database_url(part)
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def rows(platform, sql: str, **params: Any) -> list[dict]:
    engine = database(platform)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def execute(platform, sql: str, **params: Any) -> int:
    engine = database(platform)
    try:
        with engine.begin() as conn:
            return conn.execute(sa.text(sql), params).rowcount
    finally:
        engine.dispose()


def db_id(platform, value: str) -> str:
    """A UUID as the voting database stores it: 32 hex characters on SQLite, the usual form on PostgreSQL."""
    return value.replace("-", "") if platform.backend == "sqlite" else value
