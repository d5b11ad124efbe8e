"""The tamper-evident audit chain of a round, and its verification.

Each entry's hash is HMAC-SHA256(audit_key, prev_hash + canonical JSON of the entry), where the
entry is {round_id, seq, event, at, data}. The first entry's prev_hash is "". While the round is
open a cast records only its ballot's commitment (`ballot.cast`; a replacement also
`ballot.withdrawn` with the old one's), which says nothing without the voter's receipt; closing
records each counted ballot (`ballot.counted`: ballot id and a hash of its choices, in ballot-id
order), so editing a stored ballot is caught. verification.py checks all of it.

Round events are appended in the transaction that makes them, under the round row's lock. Ballot
events are not: a cast commits its events to `audit_pending` without taking any exclusive lock (so
hundreds of voters can cast at once), and `chain_pending` appends them to the chain in batches, in
the order it finds them committed (a replacement always after the ballot it replaces), under the
lock (NO KEY UPDATE: it does not block casts). Closing the round chains whatever is still pending
before it counts.

Lock modes on a round row (PostgreSQL; SQLite serialises every writer anyway):
- a cast: FOR KEY SHARE (and its foreign keys take the same): casts never wait for each other;
- chaining: FOR NO KEY UPDATE: one chainer at a time, never waits for casts;
- open, edit, close, publish: FOR UPDATE: waits for casts in flight, and new casts wait for it, so
  a round never closes while a ballot is half-written and rules never change under a ballot.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_core.clock import utcnow
from platform_core.db import table_of
from voting.models import AuditEntry, AuditPending, Ballot, Round
from voting.vocabulary import COUNTING_KEYS

GENESIS = ""
AUDIT = table_of(AuditEntry)
ROUNDS = table_of(Round)
BALLOTS = table_of(Ballot)
PENDING = table_of(AuditPending)


def canonical(value: Any) -> str:
    """The one JSON spelling of a value that gets hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def ballot_hash(ballot_id: str, choices_text: str) -> str:
    """What a `ballot.counted` entry records: anyone with the published ballots can recompute it."""
    return sha256(ballot_id + ":" + canonical(json.loads(choices_text)))


def at_text(at: datetime | None) -> str | None:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if at else None


def entry_hash(
    key: str, prev_hash: str, round_id: uuid.UUID, seq: int, event: str, at: datetime | None, data: dict
) -> str:
    return entry_hash_of_text(key, prev_hash, round_id, seq, event, at, canonical(data))


def entry_hash_of_text(
    key: str, prev_hash: str, round_id: uuid.UUID, seq: int, event: str, at: datetime | None, data_text: str
) -> str:
    """`entry_hash` from the entry's data already in canonical JSON (as it is stored): the entry's
    canonical JSON spelt out in its sorted key order (at, data, event, round_id, seq), each scalar
    written by `canonical`, so it is the same text as `canonical(entry)` without encoding the data twice
    (tests/voting/test_voting_audit.py compares the two)."""
    text = (
        f'{{"at":{canonical(at_text(at))},"data":{data_text},"event":{canonical(event)},'
        f'"round_id":{canonical(str(round_id))},"seq":{canonical(seq)}}}'
    )
    return hmac.digest(key.encode(), (prev_hash + text).encode(), "sha256").hex()


def now_to_second() -> datetime:
    return utcnow().replace(microsecond=0)


@dataclass
class Tail:
    """The round's phase, window, version and chain tail, read under a lock on its row."""

    phase: str
    opens_at: datetime | None
    closes_at: datetime | None
    frozen: bool
    seq: int
    head: str
    version: int = 0


def _lock_statement(**lock: bool) -> Any:
    # Built once: a cast runs this on every ballot, and building a statement costs more than sending it.
    return (
        select(
            ROUNDS.c.phase,
            ROUNDS.c.opens_at,
            ROUNDS.c.closes_at,
            ROUNDS.c.frozen,
            ROUNDS.c.audit_seq,
            ROUNDS.c.audit_head,
            ROUNDS.c.version,
        )
        .where(ROUNDS.c.id == bindparam("round_id"))
        .with_for_update(**lock)  # type: ignore[arg-type]  # read= and key_share= only
    )


_LOCKS = {"cast": _lock_statement(read=True, key_share=True), "chain": _lock_statement(key_share=True)}
_ADD_PENDING = insert(PENDING)


async def lock_round(session: AsyncSession, round_id: uuid.UUID, *, mode: str) -> Tail | None:
    """Lock the round row until the transaction ends and read it; None if there is no such round.

    mode "cast" (FOR KEY SHARE) or "chain" (FOR NO KEY UPDATE); see the module docstring.
    """
    conn = await session.connection()
    row = (await conn.execute(_LOCKS[mode], {"round_id": round_id})).first()
    if row is None:
        return None
    return Tail(row.phase, row.opens_at, row.closes_at, row.frozen, row.audit_seq, row.audit_head, row.version)


def pending_text(events: list[tuple[str, dict]]) -> str:
    """How a cast's ballot events are stored in `audit_pending.events`."""
    return canonical([[event, data] for event, data in events])


async def add_pending(session: AsyncSession, round_id: uuid.UUID, events: list[tuple[str, dict]]) -> None:
    """A cast's ballot events, to be chained once committed (they carry no time)."""
    conn = await session.connection()
    await conn.execute(_ADD_PENDING, {"round_id": round_id, "events": pending_text(events)})


async def chain_pending(
    session: AsyncSession, key: str, round_id: uuid.UUID, tail: Tail, *, write_round: bool = True
) -> tuple[int, bool]:
    """Append the round's pending ballot events to its chain; the caller holds the round's lock.

    The first ballot events ever chained are preceded by "round.rules_frozen" (the round is frozen
    from its first ballot on; this records it). Returns (ballot casts chained, whether it froze).
    """
    pending = (
        await session.execute(
            select(PENDING.c.n, PENDING.c.events).where(PENDING.c.round_id == round_id).order_by(PENDING.c.n)
        )
    ).all()
    if not pending:
        return 0, False
    events: list[tuple[str, datetime | None, dict]] = []
    froze = not tail.frozen
    if froze:
        cfg = (
            await session.execute(
                select(ROUNDS.c.method, ROUNDS.c.rules, ROUNDS.c.candidates).where(ROUNDS.c.id == round_id)
            )
        ).one()
        counting = {k: v for k, v in cfg.rules.items() if k in COUNTING_KEYS[cfg.method]}
        events.append(
            (
                "round.rules_frozen",
                now_to_second(),
                {"method": cfg.method, "rules": counting, "candidates": [c["idea_id"] for c in cfg.candidates]},
            )
        )
    for row in pending:
        events.extend((event, None, data) for event, data in json.loads(row.events))
    changes = {"frozen": True} if froze and write_round else {}
    await append(session, key, round_id, tail, events, write_round=write_round, **changes)
    # Exactly the rows read: a cast that took a lower n but committed after our read is still
    # pending, and must stay so for the next pass.
    await session.execute(delete(PENDING).where(PENDING.c.n.in_([row.n for row in pending])))
    if froze:
        tail.frozen = True
    return len(pending), froze


_ANY_PENDING = select(PENDING.c.n).where(PENDING.c.round_id == bindparam("round_id")).limit(1)


async def chain_round(session: AsyncSession, key: str, round_id: uuid.UUID) -> int:
    """Take the chaining lock and chain what is pending (a pass of its own, or before reading the log)."""
    conn = await session.connection()
    if (await conn.execute(_ANY_PENDING, {"round_id": round_id})).first() is None:
        return 0  # another pass got there first: no lock, nothing to write
    tail = await lock_round(session, round_id, mode="chain")
    if tail is None:
        return 0
    chained, _ = await chain_pending(session, key, round_id, tail)
    return chained


async def append(
    session: AsyncSession,
    key: str,
    round_id: uuid.UUID,
    tail: Tail,
    events: list[tuple[str, datetime | None, dict]],
    *,
    write_round: bool = True,
    **round_changes: Any,
) -> str:
    """Append events after `tail` (read under the lock) and move `tail`; returns the new head.

    With write_round the round row's head is updated here (core SQL, the ballot path); without it
    the caller sets it on its ORM object from `tail`.
    """
    rows = []
    seq, head = tail.seq, tail.head
    for event, at, data in events:
        seq += 1
        data_text = canonical(data)
        new_head = entry_hash_of_text(key, head, round_id, seq, event, at, data_text)
        rows.append(
            {
                "round_id": round_id,
                "seq": seq,
                "event": event,
                "at": at,
                "data": data_text,
                "prev_hash": head,
                "entry_hash": new_head,
            }
        )
        head = new_head
    await session.execute(insert(AUDIT), rows)
    if write_round:
        await session.execute(
            update(ROUNDS).where(ROUNDS.c.id == round_id).values(audit_seq=seq, audit_head=head, **round_changes)
        )
    tail.seq, tail.head = seq, head
    return head


async def entries_of_ballot(
    session: AsyncSession, round_id: uuid.UUID, receipt: Any, choices_text: str
) -> dict[str, int | bool | None]:
    """Where a counted ballot is in the chain: its `ballot.counted` entry, and, if the receipt holds
    its secret, the `ballot.cast` entry that committed to it when it was cast (and whether that
    commitment was later withdrawn, which would mean the count does not match what was cast).

    Entries are stored as canonical JSON, so each is found by its exact text, in the database (one
    query, no JSON read back): a receipt check costs the same however many ballots the round has."""
    from voting.domain import receipts

    counted = canonical({"ballot_id": receipt.ballot_id, "ballot_hash": ballot_hash(receipt.ballot_id, choices_text)})
    wanted = [counted]
    committed = None
    if receipt.secret is not None:
        committed = canonical({"commitment": receipts.commitment(receipt.secret, receipt.ballot_id, choices_text)})
        wanted.append(committed)
    rows = (
        await session.execute(
            select(AUDIT.c.seq, AUDIT.c.event, AUDIT.c.data).where(
                AUDIT.c.round_id == round_id, col(AUDIT.c.data).in_(wanted)
            )
        )
    ).all()
    found: dict[str, int | bool | None] = {"counted_entry": None, "cast_entry": None, "withdrawn": False}
    for row in rows:
        if row.event == "ballot.counted" and row.data == counted:
            found["counted_entry"] = row.seq
        elif row.event == "ballot.cast" and row.data == committed:
            found["cast_entry"] = row.seq
        elif row.event == "ballot.withdrawn" and row.data == committed:
            found["withdrawn"] = True
    return found


async def entries(session: AsyncSession, round_id: uuid.UUID, *, limit: int, offset: int) -> list[AuditEntry]:
    """A page of the round's chain, in order."""
    found = await session.execute(
        select(AuditEntry).where(col(AuditEntry.round_id) == round_id).order_by(AUDIT.c.seq).limit(limit).offset(offset)
    )
    return list(found.scalars().all())


async def chain_if_open(session: AsyncSession, key: str, rnd: Round) -> None:
    """An open round's log may lag its last ballots by a moment: chain them before showing it."""
    if rnd.phase == "open":
        await chain_round(session, key, rnd.id)
        await session.refresh(rnd)
