"""Verifying a round: the audit chain's links, and every ballot against what the chain recorded.

- The chain: every entry's HMAC and link to the one before, and the round's recorded head.
- While the round is open: every voter's sealed ballot opens, its commitment was recorded by a
  `ballot.cast` entry (or is pending) and not withdrawn since, and as many commitments stand as there
  are voters.
- Once closed: every stored ballot has its `ballot.counted` entry with the same hash (and no entry
  lacks its ballot), as many were counted as commitments stand, and the stored result is the one
  the chain recorded (`result_hash`).
- Rounds counted before the sealed ballot box (their entries are `ballot.accepted` /
  `ballot.replaced`) are checked as they were recorded: each accepted ballot that was not replaced is
  stored with its hash; replaced ones are no longer kept.

The first broken entry (lowest sequence number) is reported; a ballot the chain never recorded is
reported without a sequence number, after any broken entry.
"""

from __future__ import annotations

import hmac
import json
import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_core.db import table_of
from voting.domain import receipts
from voting.domain.audit import AUDIT, BALLOTS, GENESIS, PENDING, ROUNDS, ballot_hash, canonical, entry_hash, sha256
from voting.models import BallotVoter

VOTERS = table_of(BallotVoter)


@dataclass
class Broken:
    seq: int | None
    event: str | None
    reason: str
    ballot_id: str | None = None


@dataclass
class Verification:
    ok: bool
    entries_checked: int
    ballots_checked: int
    ballots_pending: int
    head: str
    first_broken: Broken | None


async def verify(session: AsyncSession, *, audit_key: str, ballot_secret: str, round_id: uuid.UUID) -> Verification:
    """Walk the chain, then check every ballot (sealed or counted) and the result against it."""
    round_row = (
        await session.execute(
            select(ROUNDS.c.phase, ROUNDS.c.audit_seq, ROUNDS.c.audit_head, ROUNDS.c.result).where(
                ROUNDS.c.id == round_id
            )
        )
    ).one()
    entries = (await session.execute(select(AUDIT).where(AUDIT.c.round_id == round_id).order_by(AUDIT.c.seq))).all()
    problems: list[Broken] = []
    cast: Counter[str] = Counter()  # commitment -> how many casts recorded it (chained or pending)
    withdrawn: dict[str, int | None] = {}  # commitment -> seq of its withdrawal (None: pending)
    counted: dict[str, tuple[int, str]] = {}  # ballot id -> (seq of its counted/accepted entry, hash)
    legacy_replaced: set[str] = set()
    closed_seq: int | None = None
    result_hashes: list[tuple[int, str, str]] = []
    head, expected_seq = GENESIS, 1
    for e in entries:
        if e.seq != expected_seq:
            problems.append(Broken(expected_seq, None, f"entry {expected_seq} is missing from the chain"))
            break
        try:
            data = json.loads(e.data)
        except ValueError:
            problems.append(Broken(e.seq, e.event, "the entry's data is not valid JSON: it was edited"))
            break
        if e.prev_hash != head:
            problems.append(Broken(e.seq, e.event, f"prev_hash does not match entry {e.seq - 1}'s hash"))
            break
        if not hmac.compare_digest(e.entry_hash, entry_hash(audit_key, head, round_id, e.seq, e.event, e.at, data)):
            problems.append(Broken(e.seq, e.event, "the entry does not match its hash: it was edited"))
            break
        if e.event == "ballot.cast":
            cast[data["commitment"]] += 1
        elif e.event == "ballot.withdrawn":
            if cast[data["commitment"]] == 0 or data["commitment"] in withdrawn:
                problems.append(Broken(e.seq, e.event, "it withdraws a ballot that was never cast (or twice)"))
            withdrawn[data["commitment"]] = e.seq
        elif e.event in ("ballot.counted", "ballot.accepted"):
            ballot_id = data.get("ballot_id") or data.get("receipt")
            counted[ballot_id] = (e.seq, data["ballot_hash"])
        elif e.event == "ballot.replaced":
            legacy_replaced.add(data["receipt"])
        elif e.event in ("round.closed", "round.published"):
            closed_seq = closed_seq or e.seq
            result_hashes.append((e.seq, e.event, data.get("result_hash", "")))
        head, expected_seq = e.entry_hash, expected_seq + 1
    else:
        if round_row.audit_seq != len(entries) or round_row.audit_head != head:
            last = entries[-1] if entries else None
            problems.append(
                Broken(
                    last.seq if last else None,
                    last.event if last else None,
                    "the round's recorded head is not the last entry's hash: entries were "
                    "removed or the head was edited",
                )
            )

    pending = 0
    for (text,) in (await session.execute(select(PENDING.c.events).where(PENDING.c.round_id == round_id))).all():
        for event, data in json.loads(text):
            if event == "ballot.cast":
                cast[data["commitment"]] += 1
                pending += 1
            elif event == "ballot.withdrawn":
                withdrawn[data["commitment"]] = None
    standing = {c for c, n in cast.items() if n and c not in withdrawn}

    checked = 0
    if round_row.phase in ("draft", "open"):
        checked = await _check_the_box(session, ballot_secret, round_id, standing, problems)
    else:
        ballots = {
            b.ballot_id: b.choices
            for b in (
                await session.execute(
                    select(BALLOTS.c.ballot_id, BALLOTS.c.choices).where(BALLOTS.c.round_id == round_id)
                )
            ).all()
        }
        checked = len(ballots)
        for ballot_id, (seq, recorded) in counted.items():
            if ballot_id in legacy_replaced:
                continue  # a replaced ballot of a round counted before the sealed box: no longer kept
            choices = ballots.get(ballot_id)
            if choices is None:
                problems.append(Broken(seq, "ballot.counted", "the ballot recorded here is missing", ballot_id))
            elif not hmac.compare_digest(ballot_hash(ballot_id, choices), recorded):
                problems.append(Broken(seq, "ballot.counted", "the stored ballot's choices were changed", ballot_id))
        for ballot_id in sorted(set(ballots) - set(counted)):
            problems.append(Broken(None, None, "this ballot was never recorded in the audit chain", ballot_id))
        new_counted = sum(1 for b in counted if b not in legacy_replaced) if cast else None
        if new_counted is not None and new_counted != len(standing):
            problems.append(
                Broken(
                    closed_seq,
                    "round.closed",
                    f"{len(standing)} ballot(s) were cast and not replaced, but {new_counted} were counted",
                )
            )
    for seq, event, recorded in result_hashes:
        if round_row.result is None or sha256(canonical(round_row.result)) != recorded:
            problems.append(Broken(seq, event, "the stored result differs from the one recorded in the chain"))

    problems.sort(key=lambda p: (p.seq is None, p.seq or 0))
    return Verification(
        ok=not problems,
        entries_checked=len(entries),
        ballots_checked=checked,
        ballots_pending=pending,
        head=round_row.audit_head,
        first_broken=problems[0] if problems else None,
    )


async def _check_the_box(
    session: AsyncSession, ballot_secret: str, round_id: uuid.UUID, standing: set[str], problems: list[Broken]
) -> int:
    """An open round: each voter's sealed ballot opens and its commitment stands, one for one."""
    box = receipts.box_key(ballot_secret, round_id)
    rows = (
        await session.execute(select(VOTERS.c.voter_id, VOTERS.c.sealed).where(VOTERS.c.round_id == round_id))
    ).all()
    seen: set[str] = set()
    for row in rows:
        ballot = receipts.unseal_ballot(box, round_id, row.voter_id, row.sealed) if row.sealed else None
        if ballot is None:
            problems.append(Broken(None, None, "a sealed ballot cannot be opened: it was edited or swapped"))
            continue
        commitment = receipts.commitment(ballot["secret"], ballot["ballot_id"], ballot["choices"])
        if commitment not in standing:
            problems.append(Broken(None, None, "a sealed ballot was never recorded in the audit chain"))
        seen.add(commitment)
    if not problems and standing - seen:
        problems.append(
            Broken(None, None, f"{len(standing - seen)} ballot(s) recorded in the chain are missing from the box")
        )
    return len(rows)
