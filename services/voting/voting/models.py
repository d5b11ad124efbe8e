"""Tables of the voting service. API schemas live in schemas.py.

Secrecy shapes these tables: "who has voted" (`ballot_voters`) and "what was voted" (`ballots`)
share no id, no timestamp and no foreign key to each other; see docs/voting.md, "Secrecy".
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from platform_core.db import UTCDateTime, attach, new_metadata
from platform_core.idempotency import IdempotentRequest
from platform_core.inbox import InboxEvent
from platform_core.outbox import OutboxEvent

# This part's own tables, apart from every other part's (all parts' models import into one process).
metadata = new_metadata()


class VotingTable(SQLModel, registry=registry(metadata=metadata)):
    """Base of the voting service's tables."""


# The common tables this part keeps, defined once in platform_core.
attach(metadata, IdempotentRequest, InboxEvent, OutboxEvent)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _when(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable))


class Round(VotingTable, table=True):
    """A vote over a snapshot of one hack day's ideas: method, rules, window and phase."""

    __tablename__ = "rounds"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    council_id: uuid.UUID = Field(index=True)
    hack_day_id: uuid.UUID = Field(index=True)
    title: str = Field(max_length=200)
    method: str = Field(max_length=20)
    # Normalised rules: the method's own (passed to the count) plus eligibility and secrecy.
    rules: dict = Field(sa_column=Column(JSON, nullable=False))
    # Snapshot taken from the ideas service: [{idea_id, title, author_ids}].
    candidates: list = Field(sa_column=Column(JSON, nullable=False))
    phase: str = Field(default="draft", max_length=12)
    opens_at: datetime | None = _when()
    closes_at: datetime | None = _when()
    selected_count: int = 3
    # Set by the first ballot: method, candidates and rules may no longer change.
    frozen: bool = False
    result: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # The audit chain's tail; updated under this row's lock, which serialises the chain.
    audit_seq: int = 0
    audit_head: str = Field(default="", max_length=64)
    created_by: uuid.UUID
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    opened_at: datetime | None = _when()
    closed_at: datetime | None = _when()
    published_at: datetime | None = _when()
    version: int = 1


class BallotVoter(VotingTable, table=True):
    """Who has voted in a round. No choices, no receipt, no time; only a keyed hash of the
    current receipt, so the server can find the voter's ballot again when they replace it."""

    __tablename__ = "ballot_voters"
    __table_args__ = (UniqueConstraint("round_id", "voter_id", name="uq_ballot_voters_round_id_voter_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    round_id: uuid.UUID = Field(foreign_key="rounds.id")
    voter_id: uuid.UUID
    receipt_mac: str = Field(max_length=64)


class Ballot(VotingTable, table=True):
    """What was voted: the receipt is the only key. No voter (except in open rounds), no time."""

    __tablename__ = "ballots"

    receipt: str = Field(primary_key=True, max_length=40)
    round_id: uuid.UUID = Field(foreign_key="rounds.id", index=True)
    # Canonical JSON text, exactly as hashed into the audit chain.
    choices: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default="counted", max_length=10)
    replaced_by: str | None = Field(default=None, max_length=40)
    # Only in open (non-secret) rounds, where who voted for what is meant to be visible.
    voter_id: uuid.UUID | None = None


class BallotRetry(VotingTable, table=True):
    """A cast's first answer, sealed so that only a retry carrying the same Idempotency-Key (from
    the same voter) can open it: the id and the encryption key both derive from that key."""

    __tablename__ = "ballot_retries"

    id: str = Field(primary_key=True, max_length=64)
    round_id: uuid.UUID = Field(foreign_key="rounds.id", index=True)
    sealed: str = Field(sa_column=Column(Text, nullable=False))


class AuditEntry(VotingTable, table=True):
    """One link of a round's tamper-evident chain: entry_hash = HMAC(key, prev_hash + canonical entry)."""

    __tablename__ = "audit_entries"

    round_id: uuid.UUID = Field(foreign_key="rounds.id", primary_key=True)
    seq: int = Field(primary_key=True)
    event: str = Field(max_length=40)
    # Ballot events carry no time (secrecy); round events carry the second they happened.
    at: datetime | None = _when()
    data: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    entry_hash: str = Field(max_length=64)


class AuditPending(VotingTable, table=True):
    """Ballot events committed by casts and not yet appended to the chain (see audit.py).

    `n` only orders them for chaining; rows are deleted once chained.
    """

    __tablename__ = "audit_pending"

    n: int | None = Field(default=None, primary_key=True)
    round_id: uuid.UUID = Field(foreign_key="rounds.id", index=True)
    events: str = Field(sa_column=Column(Text, nullable=False))
