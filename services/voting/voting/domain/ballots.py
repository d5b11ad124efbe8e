"""Casting a ballot: one entry point (`BallotBox.cast`), a few statements of core SQL, no exclusive lock.

A first ballot (the common case) in a round this process has cached is written with others in a
batch (ballot_batches.py: on PostgreSQL one autocommitted statement, on SQLite one transaction);
when that finds the voter has a ballot already (a replacement, or a retry), or a round edited since
it was cached, it writes nothing and the cast continues here, in a transaction of its own:

1. the round row FOR KEY SHARE: casts never wait for each other, but closing or editing the round
   (FOR UPDATE) waits for casts in flight, and casts wait for it; phase, window and the version of
   the rules the ballot was checked against are read under it;
2. the sealed retry row (a retry with the same Idempotency-Key waits here for the first, then
   replays its answer);
3. the voter row holding the sealed ballot (INSERT .. ON CONFLICT DO NOTHING; one per voter per
   round by a unique constraint; a replacement locks it, so one voter's racing ballots queue here,
   and overwrites the seal: the replaced ballot is gone);
4. the ballot's commitment for the audit chain (chained after commit, see audit.py).

Nothing is written to `ballots` while the round is open: closing it unseals the box (`count_the_box`).
See receipts.py and docs/voting.md, "Secrecy".
"""

from __future__ import annotations

import json
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_core.auth import Principal
from platform_core.clock import utcnow
from platform_core.db import table_of
from platform_core.problems import Problem
from voting.domain import audit, receipts
from voting.models import Ballot, BallotRetry, BallotVoter, Round
from voting.tally import validate_choices
from voting.tally.validation import BALLOT_KEY
from voting.vocabulary import COUNTING_KEYS

ROUNDS = table_of(Round)
VOTERS = table_of(BallotVoter)
BALLOTS = table_of(Ballot)
RETRIES = table_of(BallotRetry)
VOTING_ROLES = ("staff", "organiser", "manager")


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


_CONFIG = select(
    ROUNDS.c.id, ROUNDS.c.council_id, ROUNDS.c.method, ROUNDS.c.rules, ROUNDS.c.candidates, ROUNDS.c.version
)


class RoundConfigs:
    """The rules of recently cast-in rounds, so that a first ballot is checked without a query.

    Safe to keep: every write compares the round's version under its lock and reloads if it moved.
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._cache: OrderedDict[uuid.UUID, RoundConfig] = OrderedDict()

    def cached(self, round_id: uuid.UUID) -> RoundConfig | None:
        found = self._cache.get(round_id)
        if found is not None:
            self._cache.move_to_end(round_id)
        return found

    async def load(self, session: AsyncSession, round_id: uuid.UUID) -> RoundConfig | None:
        row = (await session.execute(_CONFIG.where(ROUNDS.c.id == round_id))).one_or_none()
        if row is None:
            self._cache.pop(round_id, None)
            return None
        config = self._cache[round_id] = _config(row)
        self._cache.move_to_end(round_id)
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return config

    async def get(self, session: AsyncSession, round_id: uuid.UUID) -> RoundConfig | None:
        return self.cached(round_id) or await self.load(session, round_id)


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


# The cast's statements, built once per dialect at import (building one costs more than sending it).
_STATEMENTS: dict[str, dict[str, Any]] = {
    name: {
        "retry": _insert_ignoring_conflict(name, RETRIES, ["id"], RETRIES.c.id),
        "voter": _insert_ignoring_conflict(name, VOTERS, ["round_id", "voter_id"], VOTERS.c.id),
    }
    for name in ("postgresql", "sqlite")
}


@dataclass
class CastAnswer:
    """What a cast answers: its status, its JSON body, and whether it replays an earlier answer."""

    status_code: int
    body: dict
    replayed: bool


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
    parameters (voter, sealed ballot), which in a secret round must not reach a log line."""
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "-"
    return RuntimeError(f"ballot write failed: {type(orig).__name__} (SQLSTATE {code})")


def sanitised(exc: DBAPIError) -> Exception:
    if exc.connection_invalidated or type(exc).__name__ in ("OperationalError", "InterfaceError"):
        return database_unavailable()
    return write_failed(exc.orig or exc)


@dataclass
class PreparedBallot:
    """One cast's rows and answer, made before anything is written."""

    receipt: receipts.Receipt
    body: dict
    fingerprint: str
    retry_id: str | None
    sealed: str | None
    voter_row: dict
    cast_event: tuple[str, dict]


def prepare(
    ballot_secret: str, config: RoundConfig, voter: Principal, choices: dict, idempotency_key: str | None
) -> PreparedBallot:
    choices_text = audit.canonical(choices)
    receipt = receipts.new_receipt()
    body = {
        "round_id": str(config.id),
        "receipt": receipt.text,
        "ballot_id": receipt.ballot_id,
        "status": "counted",
        "replaces": None,
        "choices": choices,
    }
    fingerprint = audit.sha256(choices_text)
    rid = sealed = None
    if idempotency_key is not None:
        rid = receipts.retry_id(ballot_secret, config.id, voter.person_id, idempotency_key)
        sealed = receipts.seal(
            ballot_secret, config.id, voter.person_id, idempotency_key, {"fingerprint": fingerprint, "body": body}
        )
    box = receipts.box_key(ballot_secret, config.id)
    in_box = {"ballot_id": receipt.ballot_id, "secret": receipt.secret, "choices": choices_text}
    return PreparedBallot(
        receipt=receipt,
        body=body,
        fingerprint=fingerprint,
        retry_id=rid,
        sealed=sealed,
        voter_row={
            "id": uuid.uuid4(),
            "round_id": config.id,
            "voter_id": voter.person_id,
            "sealed": receipts.seal_ballot(box, config.id, voter.person_id, in_box),
        },
        cast_event=(
            "ballot.cast",
            {"commitment": receipts.commitment(receipt.secret or "", receipt.ballot_id, choices_text)},
        ),
    )


async def cast_in_session(
    session: AsyncSession,
    *,
    configs: RoundConfigs,
    ballot_secret: str,
    config: RoundConfig,
    voter: Principal,
    choices: dict,
    idempotency_key: str | None,
) -> CastAnswer:
    """A cast in the caller's transaction (which the caller commits): see the module's steps."""
    check_voter(config, voter)
    check_choices(config, voter, choices)
    conn = await session.connection()
    sql = _STATEMENTS[conn.dialect.name]
    tail = await audit.lock_round(session, config.id, mode="cast")
    if tail is None:
        raise _no_round()
    refuse_unless_open(tail.phase, tail.opens_at, tail.closes_at, utcnow())
    if tail.version != config.version:
        # The round was edited since this process cached it: check the ballot against what holds now
        # (stable while we hold the lock).
        reloaded = await configs.load(session, config.id)
        if reloaded is None:
            raise _no_round()
        config = reloaded
        check_voter(config, voter)
        check_choices(config, voter, choices)
    b = prepare(ballot_secret, config, voter, choices, idempotency_key)
    if b.retry_id is not None:
        stored = (
            await conn.execute(sql["retry"], {"id": b.retry_id, "round_id": config.id, "sealed": b.sealed})
        ).first()
        if stored is None:
            assert idempotency_key is not None  # a retry id is made only from a key
            return await _replay(session, ballot_secret, config, voter, idempotency_key, b.retry_id, b.fingerprint)
    if (await conn.execute(sql["voter"], b.voter_row)).first() is not None:
        await audit.add_pending(session, config.id, [b.cast_event])
        return CastAnswer(201, b.body, replayed=False)
    return await _replacing(session, ballot_secret, config, voter, b, idempotency_key)


async def _replacing(
    session: AsyncSession,
    ballot_secret: str,
    config: RoundConfig,
    voter: Principal,
    b: PreparedBallot,
    idempotency_key: str | None,
) -> CastAnswer:
    """The voter has a ballot already and the round is locked: this one replaces it.

    The voter row is locked first, so a voter's racing ballots replace one another in turn. The old
    ballot's seal is overwritten (nothing keeps it) and the chain records that its commitment is
    withdrawn: an opaque hash, which links nothing to the published ballots.
    """
    where = (VOTERS.c.round_id == config.id) & (VOTERS.c.voter_id == voter.person_id)
    sealed = (await session.execute(select(VOTERS.c.sealed).where(where).with_for_update())).scalar_one()
    box = receipts.box_key(ballot_secret, config.id)
    old = receipts.unseal_ballot(box, config.id, voter.person_id, sealed) if sealed else None
    if old is None:
        # Only if VOTING_BALLOT_SECRET changed during the round (or rows were edited by hand):
        # refuse rather than count two ballots for one voter, or lose track of the first.
        raise Problem(
            409,
            "Your earlier ballot in this round could not be opened, so it cannot be replaced; it still counts.",
        )
    await session.execute(update(VOTERS).where(where).values(sealed=b.voter_row["sealed"]))
    b.body["replaces"] = receipts.Receipt(old["ballot_id"], old["secret"]).text
    if b.retry_id is not None and idempotency_key is not None:
        resealed = receipts.seal(
            ballot_secret, config.id, voter.person_id, idempotency_key, {"fingerprint": b.fingerprint, "body": b.body}
        )
        await session.execute(update(RETRIES).where(RETRIES.c.id == b.retry_id).values(sealed=resealed))
    withdrawn = (
        "ballot.withdrawn",
        {"commitment": receipts.commitment(old["secret"], old["ballot_id"], old["choices"])},
    )
    await audit.add_pending(session, config.id, [withdrawn, b.cast_event])
    return CastAnswer(201, b.body, replayed=False)


# THE RULE "the round takes ballots now": open, and inside its window (opens_at <= now < closes_at,
# either end optional). Stated once, in Python below; the PostgreSQL batch statement cannot call
# Python, so it embeds OPEN_FOR_BALLOTS_SQL, and tests/voting/test_voting_rules.py proves on
# PostgreSQL that the two agree on every phase and at both edges of the window.
OPEN_FOR_BALLOTS_SQL = (
    "r.phase = 'open' AND (r.opens_at IS NULL OR r.opens_at <= $2::timestamptz) "
    "AND (r.closes_at IS NULL OR $2::timestamptz < r.closes_at)"
)


def ballots_refused(phase: str, opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> str | None:
    """Why the round takes no ballot at `now`, or None if it takes them (see THE RULE above)."""
    if phase != "open":
        return (
            "The round is not open yet."
            if phase == "draft"
            else f"The round is {phase}; ballots are no longer accepted."
        )
    if opens_at is not None and now < opens_at:
        return f"Voting opens at {audit.at_text(opens_at)}."
    if closes_at is not None and now >= closes_at:
        return f"Voting closed at {audit.at_text(closes_at)}."
    return None


def refuse_unless_open(phase: str, opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> None:
    refused = ballots_refused(phase, opens_at, closes_at, now)
    if refused is not None:
        raise Problem(409, refused)


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
    first = receipts.unseal(ballot_secret, config.id, voter.person_id, key, sealed)
    if first is None:
        raise RuntimeError("a sealed ballot answer could not be opened")
    if first["fingerprint"] != fingerprint:
        raise Problem(
            422,
            "This Idempotency-Key was already used for a different ballot; use a new key.",
            errors=[{"field": "Idempotency-Key", "message": "reused with a different ballot"}],
        )
    return CastAnswer(201, first["body"], replayed=True)


async def _own_sealed(session: AsyncSession, round_id: uuid.UUID, voter_id: uuid.UUID) -> tuple[bool, str | None]:
    """(whether the voter has voted, their sealed ballot if the round is still open)."""
    row = (
        await session.execute(
            select(VOTERS.c.sealed).where(VOTERS.c.round_id == round_id, VOTERS.c.voter_id == voter_id)
        )
    ).first()
    return (row is not None, row.sealed if row is not None else None)


async def my_ballot(session: AsyncSession, config: RoundConfig, voter: Principal, ballot_secret: str) -> dict:
    """Whether the voter has voted, and in an open (non-secret) round their ballot."""
    voted, sealed = await _own_sealed(session, config.id, voter.person_id)
    answer: dict[str, Any] = {"round_id": config.id, "voted": voted, "secret": config.secret}
    if not voted or config.secret:
        return answer
    if sealed:
        mine = receipts.unseal_ballot(receipts.box_key(ballot_secret, config.id), config.id, voter.person_id, sealed)
        if mine is not None:
            answer.update(
                receipt=receipts.Receipt(mine["ballot_id"], mine["secret"]).text, choices=json.loads(mine["choices"])
            )
        return answer
    row = (
        await session.execute(
            select(BALLOTS.c.ballot_id, BALLOTS.c.choices).where(
                BALLOTS.c.round_id == config.id, BALLOTS.c.voter_id == voter.person_id
            )
        )
    ).first()
    if row is not None:
        answer.update(receipt=row.ballot_id, choices=json.loads(row.choices))
    return answer


async def check_receipt(
    session: AsyncSession, *, round_id: uuid.UUID, phase: str, voter: Principal, text: str, ballot_secret: str
) -> dict:
    """Is this receipt's ballot counted? Once the round is closed anyone may ask (the ballots are
    public to the council); while it is open only its voter, of their current ballot."""
    receipt = receipts.read_receipt(text)
    answer: dict[str, Any] = {"round_id": round_id, "receipt": receipt.text, "status": "unknown"}
    if phase in ("draft", "open"):
        voted, sealed = await _own_sealed(session, round_id, voter.person_id)
        mine = (
            receipts.unseal_ballot(receipts.box_key(ballot_secret, round_id), round_id, voter.person_id, sealed)
            if sealed
            else None
        )
        if mine is None:
            return answer
        if mine["ballot_id"] != receipt.ballot_id:
            answer["status"] = "not_counted"
            return answer
        answer.update(status="counted", choices=json.loads(mine["choices"]))
        return answer
    row = (
        await session.execute(
            select(BALLOTS.c.choices).where(BALLOTS.c.ballot_id == receipt.ballot_id, BALLOTS.c.round_id == round_id)
        )
    ).first()
    if row is None:
        answer["status"] = "not_counted"
        return answer
    answer.update(status="counted", choices=json.loads(row.choices))
    answer.update(await audit.entries_of_ballot(session, round_id, receipt, row.choices))
    return answer


async def unseal_all(session: AsyncSession, round_id: uuid.UUID, ballot_secret: str) -> list[dict]:
    """Every voter's current ballot in an open round: {voter_id, ballot_id, secret, choices} (text).

    A seal that does not open (another VOTING_BALLOT_SECRET, or an edited row) raises: a round is
    never counted without one of its ballots.
    """
    box = receipts.box_key(ballot_secret, round_id)
    rows = (
        await session.execute(
            select(VOTERS.c.voter_id, VOTERS.c.sealed).where(
                VOTERS.c.round_id == round_id, VOTERS.c.sealed.is_not(None)
            )
        )
    ).all()
    out = []
    for row in rows:
        ballot = receipts.unseal_ballot(box, round_id, row.voter_id, row.sealed)
        if ballot is None:
            raise Problem(
                409,
                "A sealed ballot of this round cannot be opened (was VOTING_BALLOT_SECRET changed during the "
                "round?); the round cannot be counted until it can.",
            )
        out.append({"voter_id": row.voter_id, **ballot})
    return out


async def count_the_box(
    session: AsyncSession, *, audit_key: str, ballot_secret: str, round_id: uuid.UUID, secret_round: bool, tail: Any
) -> int:
    """At close, under the round's FOR UPDATE lock: unseal every current ballot, write them to
    `ballots` in ballot-id order (random) in this one transaction, chain a `ballot.counted` entry for
    each in the same order, and erase every seal. Returns how many were counted.

    So the counted ballots share no transaction, no order and no time with the voters who cast them.
    """
    box = sorted(await unseal_all(session, round_id, ballot_secret), key=lambda b: b["ballot_id"])
    if box:
        await session.execute(
            insert(BALLOTS),
            [
                {
                    "ballot_id": b["ballot_id"],
                    "round_id": round_id,
                    "choices": b["choices"],
                    "voter_id": None if secret_round else b["voter_id"],
                }
                for b in box
            ],
        )
        counted: list[tuple[str, datetime | None, dict[str, Any]]] = [
            (
                "ballot.counted",
                None,
                {"ballot_id": b["ballot_id"], "ballot_hash": audit.ballot_hash(b["ballot_id"], b["choices"])},
            )
            for b in box
        ]
        await audit.append(session, audit_key, round_id, tail, counted, write_round=False)
    await session.execute(update(VOTERS).where(VOTERS.c.round_id == round_id).values(sealed=None))
    # Retried casts can no longer be answered usefully, and sealed answers are one more thing to keep.
    await session.execute(delete(RETRIES).where(RETRIES.c.round_id == round_id))
    return len(box)


class BallotBox:
    """THE entry point of casting a ballot: checks it and writes it, in a batch when it can.

    A voter's first ballot in a round this process has cached goes to the batch writer
    (ballot_batches.py); anything the batch did not write (a replacement, a retry, a round edited
    since it was cached, a round not cached yet) goes on in a transaction of its own. The ballot
    path owns its transactions, like the batch writer: each is committed before the answer is sent.
    """

    def __init__(self, *, sessionmaker: Any, batches: Any, ballot_secret: str, chainer: Any) -> None:
        self._sessionmaker = sessionmaker
        self._batches = batches
        self._secret = ballot_secret
        self._chainer = chainer
        self.configs = RoundConfigs()

    async def cast(
        self, *, round_id: uuid.UUID, voter: Principal, choices: dict, idempotency_key: str | None
    ) -> CastAnswer:
        """Cast (or replace) the voter's ballot; raises Problem for a ballot or round that refuses it."""
        answer = None
        config = self.configs.cached(round_id)
        if config is not None:
            if not voter.in_council(config.council_id):
                raise _no_round()
            answer = await self._batches.cast(
                ballot_secret=self._secret, config=config, voter=voter, choices=choices, idempotency_key=idempotency_key
            )
        if answer is None:
            async with self._sessionmaker() as session:
                try:
                    config = await self.configs.get(session, round_id)
                    if config is None or not voter.in_council(config.council_id):
                        raise _no_round()
                    answer = await cast_in_session(
                        session,
                        configs=self.configs,
                        ballot_secret=self._secret,
                        config=config,
                        voter=voter,
                        choices=choices,
                        idempotency_key=idempotency_key,
                    )
                    await session.commit()
                except DBAPIError as exc:
                    await session.rollback()
                    raise sanitised(exc) from None
                except BaseException:
                    await session.rollback()
                    raise
        if not answer.replayed:
            self._chainer.soon(round_id)  # committed: chain its events in the background
        return answer

    async def drain(self) -> None:
        """Wait for the batches in flight (at shutdown)."""
        await self._batches.drain()


def _no_round() -> Problem:
    return Problem(404, "There is no round with this id in your council.")
