"""Casting a ballot: the hot path, kept to a few statements of core SQL and no exclusive lock.

A first ballot (the common case) in a round this process has cached is written with others in a
batch (first_cast.py: on PostgreSQL one autocommitted statement, on SQLite one transaction); when
that finds the voter has a ballot already (a replacement, or a retry), or a round edited since it
was cached, it writes nothing and the cast continues here, with the steps below in the request's
transaction.

1. the round row FOR KEY SHARE: casts never wait for each other, but closing or editing the round
   (FOR UPDATE) waits for casts in flight, and casts wait for it; phase, window and the version of
   the rules the ballot was checked against are read under it;
2. the sealed retry row (a retry with the same Idempotency-Key waits here for the first, then
   replays its answer);
3. the voter row (INSERT .. ON CONFLICT DO NOTHING; one per voter per round by a unique
   constraint; a replacement locks it, so one voter's racing ballots queue here);
4. the ballot row, and its events for the audit chain (chained after commit, see audit.py).
"""

from __future__ import annotations

import hmac
import json
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_core.auth import Principal
from platform_core.problems import Problem
from voting import audit, secrecy
from voting.models import Ballot, BallotRetry, BallotVoter, Round, utcnow
from voting.schemas import COUNTING_KEYS
from voting.tally import validate_choices

ROUNDS = Round.__table__
VOTERS = BallotVoter.__table__
BALLOTS = Ballot.__table__
RETRIES = BallotRetry.__table__
VOTING_ROLES = ("staff", "organiser", "manager")
# What in a ballot names ideas, per method: the ideas a voter "votes for".
BALLOT_KEY = {"dot_voting": "dots", "approval": "approve", "ranked": "ranking", "score": "scores"}


@dataclass(frozen=True)
class RoundConfig:
    """What a cast needs to know about a round. Once frozen it never changes, so it is cached."""

    id: uuid.UUID
    council_id: uuid.UUID
    method: str
    counting_rules: dict
    candidates: list[str]
    authors: dict[str, frozenset[str]]
    voter_ids: frozenset[str] | None
    exclude_own_ideas: bool
    secret: bool
    version: int


_CACHE: OrderedDict[uuid.UUID, RoundConfig] = OrderedDict()
CACHE_SIZE = 256


def _config(row: Any) -> RoundConfig:
    rules = row.rules
    return RoundConfig(
        id=row.id,
        council_id=row.council_id,
        method=row.method,
        counting_rules={k: rules[k] for k in COUNTING_KEYS[row.method]},
        candidates=[c["idea_id"] for c in row.candidates],
        authors={c["idea_id"]: frozenset(c["author_ids"]) for c in row.candidates},
        voter_ids=frozenset(rules["voter_ids"]) if rules.get("voter_ids") is not None else None,
        exclude_own_ideas=rules["exclude_own_ideas"],
        secret=rules["secret"],
        version=row.version,
    )


async def load_config(session: AsyncSession, round_id: uuid.UUID) -> RoundConfig | None:
    row = (
        await session.execute(
            select(
                ROUNDS.c.id,
                ROUNDS.c.council_id,
                ROUNDS.c.method,
                ROUNDS.c.rules,
                ROUNDS.c.candidates,
                ROUNDS.c.version,
            ).where(ROUNDS.c.id == round_id)
        )
    ).one_or_none()
    if row is None:
        _CACHE.pop(round_id, None)
        return None
    config = _config(row)
    # Safe to keep: every cast compares the version under its lock and reloads if it moved.
    _CACHE[round_id] = config
    _CACHE.move_to_end(round_id)
    if len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return config


def cached_config(round_id: uuid.UUID) -> RoundConfig | None:
    cached = _CACHE.get(round_id)
    if cached is not None:
        _CACHE.move_to_end(round_id)
    return cached


async def round_config(session: AsyncSession, round_id: uuid.UUID) -> RoundConfig | None:
    return cached_config(round_id) or await load_config(session, round_id)


def check_voter(config: RoundConfig, voter: Principal) -> None:
    """May this person vote in this round? (The caller has already checked the council.)"""
    if voter.kind != "person" or not voter.has(*VOTING_ROLES):
        raise Problem(403, "Only people of the council (staff, organisers, managers) can vote.")
    if config.voter_ids is not None and str(voter.person_id) not in config.voter_ids:
        raise Problem(403, "You are not on this round's list of voters.")


def voted_for(method: str, choices: dict) -> list[str]:
    """The ideas a (valid) ballot gives anything to: dots, an approval, a rank or a score."""
    picked = choices[BALLOT_KEY[method]]
    return list(picked)


def check_choices(config: RoundConfig, voter: Principal, choices: dict) -> None:
    errors = validate_choices(config.method, config.candidates, config.counting_rules, choices)
    if errors:
        raise Problem(
            422,
            "The ballot does not fit this round: " + "; ".join(f"{e['field']} {e['message']}" for e in errors[:5]),
            errors=errors,
        )
    if config.exclude_own_ideas:
        me = str(voter.person_id)
        key = BALLOT_KEY[config.method]
        own = [i for i in voted_for(config.method, choices) if me in config.authors.get(str(i), ())]
        if own:
            raise Problem(
                422,
                "You cannot vote for an idea you authored or co-authored; leave it out.",
                errors=[{"field": f"choices.{key}.{i}", "message": "is your own idea"} for i in own],
            )


def _insert_ignoring_conflict(dialect_name: str, table: Any, conflict: list[str], returning: Any) -> Any:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=conflict).returning(returning)


# The cast's statements, built once per dialect (building one costs more than sending it).
_STATEMENTS: dict[str, dict[str, Any]] = {}


def _statements(dialect_name: str) -> dict[str, Any]:
    if dialect_name not in _STATEMENTS:
        _STATEMENTS[dialect_name] = {
            "retry": _insert_ignoring_conflict(dialect_name, RETRIES, ["id"], RETRIES.c.id),
            "voter": _insert_ignoring_conflict(dialect_name, VOTERS, ["round_id", "voter_id"], VOTERS.c.id),
            "ballot": insert(BALLOTS),
        }
    return _STATEMENTS[dialect_name]


@dataclass
class CastAnswer:
    status_code: int
    body: dict
    replayed: bool


async def cast(
    session: AsyncSession,
    *,
    ballot_secret: str,
    config: RoundConfig,
    voter: Principal,
    choices: dict,
    idempotency_key: str | None,
    replaces: str | None = None,
) -> CastAnswer:
    check_voter(config, voter)
    check_choices(config, voter, choices)
    try:
        return await _write(session, ballot_secret, config, voter, choices, idempotency_key, replaces)
    except DBAPIError as exc:
        raise sanitised(exc) from None


def database_unavailable() -> Problem:
    # A retry with the same Idempotency-Key is always safe: if this ballot was saved after all, the
    # retry gets its receipt back rather than casting again.
    return Problem(
        503,
        "The database is not reachable just now; your ballot may not have been saved. "
        "Send it again with the same Idempotency-Key.",
        headers={"Retry-After": "2"},
    )


def write_failed(orig: BaseException) -> RuntimeError:
    """A failed write's kind and SQLSTATE only: the driver's message carries the statement's
    parameters (voter, receipt, choices), which in a secret round must not reach a log line."""
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "-"
    return RuntimeError(f"ballot write failed: {type(orig).__name__} (SQLSTATE {code})")


def sanitised(exc: DBAPIError) -> Exception:
    if exc.connection_invalidated or type(exc).__name__ in ("OperationalError", "InterfaceError"):
        return database_unavailable()
    return write_failed(exc.orig)


@dataclass
class PreparedBallot:
    """One cast's rows and answer, made before anything is written."""

    receipt: str
    body: dict
    fingerprint: str
    retry_id: str | None
    sealed: str | None
    ballot: dict
    voter_row: dict
    accepted: tuple[str, dict]


def prepare(
    ballot_secret: str, config: RoundConfig, voter: Principal, choices: dict, idempotency_key: str | None
) -> PreparedBallot:
    choices_text = audit.canonical(choices)
    receipt = secrecy.new_receipt()
    body = {"round_id": str(config.id), "receipt": receipt, "status": "counted", "replaces": None, "choices": choices}
    fingerprint = audit.sha256(choices_text)
    rid = sealed = None
    if idempotency_key is not None:
        rid = secrecy.retry_id(ballot_secret, config.id, voter.person_id, idempotency_key)
        sealed = secrecy.seal(
            ballot_secret, config.id, voter.person_id, idempotency_key, {"fingerprint": fingerprint, "body": body}
        )
    mac = secrecy.receipt_mac(ballot_secret, config.id, receipt)
    return PreparedBallot(
        receipt=receipt,
        body=body,
        fingerprint=fingerprint,
        retry_id=rid,
        sealed=sealed,
        ballot={
            "receipt": receipt,
            "round_id": config.id,
            "choices": choices_text,
            "state": "counted",
            "replaced_by": None,
            "voter_id": None if config.secret else voter.person_id,
        },
        voter_row={"id": uuid.uuid4(), "round_id": config.id, "voter_id": voter.person_id, "receipt_mac": mac},
        accepted=("ballot.accepted", {"receipt": receipt, "ballot_hash": audit.ballot_hash(receipt, choices_text)}),
    )


async def _write(
    session: AsyncSession,
    ballot_secret: str,
    config: RoundConfig,
    voter: Principal,
    choices: dict,
    idempotency_key: str | None,
    hint: str | None,
) -> CastAnswer:
    conn = await session.connection()
    sql = _statements(conn.dialect.name)
    tail = await audit.lock_round(session, config.id, mode="cast")
    if tail is None:
        raise Problem(404, "There is no round with this id in your council.")
    check_open(tail)
    if tail.version != config.version:
        # The round was edited since this process cached it: check the ballot against what holds now
        # (stable while we hold the lock).
        config = await load_config(session, config.id)
        check_voter(config, voter)
        check_choices(config, voter, choices)
    b = prepare(ballot_secret, config, voter, choices, idempotency_key)
    if b.retry_id is not None:
        stored = (
            await conn.execute(sql["retry"], {"id": b.retry_id, "round_id": config.id, "sealed": b.sealed})
        ).first()
        if stored is None:
            return await _replay(session, ballot_secret, config, voter, idempotency_key, b.retry_id, b.fingerprint)
    if (await conn.execute(sql["voter"], b.voter_row)).first() is not None:
        await conn.execute(sql["ballot"], b.ballot)
        await audit.add_pending(session, config.id, [b.accepted])
        return CastAnswer(201, b.body, replayed=False)
    return await _replacing(session, ballot_secret, config, voter, b, idempotency_key, hint)


async def _replacing(
    session: AsyncSession,
    ballot_secret: str,
    config: RoundConfig,
    voter: Principal,
    b: PreparedBallot,
    idempotency_key: str | None,
    hint: str | None,
) -> CastAnswer:
    """The voter has a ballot already and the round is locked: this one replaces it."""
    conn = await session.connection()
    old_receipt = await _replace(session, ballot_secret, config, voter, b.receipt, b.voter_row["receipt_mac"], hint)
    b.body["replaces"] = old_receipt
    if b.retry_id is not None:
        await session.execute(
            update(RETRIES)
            .where(RETRIES.c.id == b.retry_id)
            .values(
                sealed=secrecy.seal(
                    ballot_secret,
                    config.id,
                    voter.person_id,
                    idempotency_key,
                    {"fingerprint": b.fingerprint, "body": b.body},
                )
            )
        )
    await conn.execute(_statements(conn.dialect.name)["ballot"], b.ballot)
    replaced = ("ballot.replaced", {"receipt": old_receipt, "replaced_by": b.receipt})
    await audit.add_pending(session, config.id, [replaced, b.accepted])
    return CastAnswer(201, b.body, replayed=False)


def check_open(tail: audit.Tail | Any) -> None:
    if tail.phase != "open":
        detail = (
            "The round is not open yet."
            if tail.phase == "draft"
            else f"The round is {tail.phase}; ballots are no longer accepted."
        )
        raise Problem(409, detail)
    now = utcnow()
    if tail.opens_at and now < tail.opens_at:
        raise Problem(409, f"Voting opens at {audit.at_text(tail.opens_at)}.")
    if tail.closes_at and now >= tail.closes_at:
        raise Problem(409, f"Voting closed at {audit.at_text(tail.closes_at)}.")


async def _replace(
    session: AsyncSession,
    ballot_secret: str,
    config: RoundConfig,
    voter: Principal,
    receipt: str,
    mac: str,
    hint: str | None,
) -> str:
    """Mark the voter's counted ballot replaced by `receipt`; returns its receipt.

    The voter row is locked first, so a voter's racing ballots replace one another in turn.
    In a secret round the current ballot is the one whose receipt's keyed hash is the voter row's:
    the voter's `hint` (their current receipt) is checked against it directly; without one (or a
    wrong one) every counted ballot of the round is tried, which needs no stored link but costs a
    read of the round's receipts.
    """
    current_mac = (
        await session.execute(
            select(VOTERS.c.receipt_mac)
            .where(VOTERS.c.round_id == config.id, VOTERS.c.voter_id == voter.person_id)
            .with_for_update()
        )
    ).scalar_one()
    if config.secret:
        hinted = secrecy.normalise_receipt(hint) if hint else ""
        if hinted and hmac.compare_digest(secrecy.receipt_mac(ballot_secret, config.id, hinted), current_mac):
            tried = [hinted]  # the voter named their ballot and the keyed hash agrees: no scan
        else:
            tried = (
                (
                    await session.execute(
                        select(BALLOTS.c.receipt).where(BALLOTS.c.round_id == config.id, BALLOTS.c.state == "counted")
                    )
                )
                .scalars()
                .all()
            )
        old = next(
            (r for r in tried if hmac.compare_digest(secrecy.receipt_mac(ballot_secret, config.id, r), current_mac)),
            None,
        )
    else:
        old = (
            await session.execute(
                select(BALLOTS.c.receipt).where(
                    BALLOTS.c.round_id == config.id,
                    BALLOTS.c.state == "counted",
                    BALLOTS.c.voter_id == voter.person_id,
                )
            )
        ).scalar_one_or_none()
    marked = 0
    if old is not None:
        marked = (
            await session.execute(
                update(BALLOTS)
                .where(BALLOTS.c.receipt == old, BALLOTS.c.round_id == config.id, BALLOTS.c.state == "counted")
                .values(state="replaced", replaced_by=receipt)
            )
        ).rowcount
    if marked != 1:
        # Only if VOTING_BALLOT_SECRET changed during the round (or rows were edited by hand):
        # refuse rather than count two ballots for one voter.
        raise Problem(
            409,
            "Your earlier ballot in this round could not be matched, so it cannot be replaced; it still counts.",
        )
    await session.execute(
        update(VOTERS)
        .where(VOTERS.c.round_id == config.id, VOTERS.c.voter_id == voter.person_id)
        .values(receipt_mac=mac)
    )
    return old


async def _replay(
    session: AsyncSession,
    ballot_secret: str,
    config: RoundConfig,
    voter: Principal,
    key: str,
    rid: str,
    fingerprint: str,
) -> CastAnswer:
    sealed = (await session.execute(select(RETRIES.c.sealed).where(RETRIES.c.id == rid))).scalar_one()
    first = secrecy.unseal(ballot_secret, config.id, voter.person_id, key, sealed)
    if first is None:
        raise RuntimeError("a sealed ballot answer could not be opened")
    if first["fingerprint"] != fingerprint:
        raise Problem(
            422,
            "This Idempotency-Key was already used for a different ballot; use a new key.",
            errors=[{"field": "Idempotency-Key", "message": "reused with a different ballot"}],
        )
    return CastAnswer(201, first["body"], replayed=True)


async def my_ballot(session: AsyncSession, config: RoundConfig, voter: Principal) -> dict:
    voted = (
        await session.execute(
            select(VOTERS.c.id).where(VOTERS.c.round_id == config.id, VOTERS.c.voter_id == voter.person_id)
        )
    ).first() is not None
    answer: dict[str, Any] = {"round_id": config.id, "voted": voted, "secret": config.secret}
    if voted and not config.secret:
        row = (
            await session.execute(
                select(BALLOTS.c.receipt, BALLOTS.c.choices).where(
                    BALLOTS.c.round_id == config.id,
                    BALLOTS.c.voter_id == voter.person_id,
                    BALLOTS.c.state == "counted",
                )
            )
        ).first()
        if row is not None:
            answer.update(receipt=row.receipt, choices=json.loads(row.choices))
    return answer


async def check_receipt(session: AsyncSession, round_id: uuid.UUID, receipt: str) -> dict:
    """Follow a receipt through its replacements to the ballot that counts."""
    receipt = secrecy.normalise_receipt(receipt)
    answer: dict[str, Any] = {"round_id": round_id, "receipt": receipt, "status": "unknown"}
    current, seen = receipt, set()
    while current and current not in seen:
        seen.add(current)
        row = (
            await session.execute(
                select(BALLOTS.c.state, BALLOTS.c.replaced_by, BALLOTS.c.choices).where(
                    BALLOTS.c.receipt == current, BALLOTS.c.round_id == round_id
                )
            )
        ).first()
        if row is None:
            return answer
        if current == receipt:
            answer["status"] = row.state
        if row.state == "counted":
            answer.update(current_receipt=current, choices=json.loads(row.choices))
            return answer
        current = row.replaced_by
    return answer
