"""Tables of the voting service. API schemas live in schemas.py.

Secrecy shapes these tables: while a round is open, "who has voted" (`ballot_voters`) holds each
voter's current ballot only sealed; "what was voted" (`ballots`) is written when the round closes,
all at once, with no id, time or order shared with the voter rows. See docs/voting.md, "Secrecy".
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from platform_core.clock import utcnow
from platform_core.db import UTCDateTime, attach, new_metadata
from platform_core.idempotency import IdempotentRequest
from platform_core.outbox import OutboxEvent

metadata = new_metadata()
attach(metadata, IdempotentRequest, OutboxEvent)


class VotingTable(SQLModel, registry=registry(metadata=metadata)):
    """Base of the voting service's tables (its own metadata, its own migrations)."""


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
    """Who has voted in a round, and (until the round closes) their current ballot, sealed.

    No choices in the clear, no receipt, no time. Closing the round erases every seal.
    """

    __tablename__ = "ballot_voters"
    __table_args__ = (UniqueConstraint("round_id", "voter_id", name="uq_ballot_voters_round_id_voter_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    round_id: uuid.UUID = Field(foreign_key="rounds.id")
    voter_id: uuid.UUID
    # receipts.seal_ballot({ballot_id, secret, choices}) while the round is open; NULL once closed.
    sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Ballot(VotingTable, table=True):
    """A counted ballot, written when its round closes: the ballot id (the public half of the
    voter's receipt) and the choices. No voter (except in open rounds), no time."""

    __tablename__ = "ballots"

    ballot_id: str = Field(primary_key=True, max_length=40)
    round_id: uuid.UUID = Field(foreign_key="rounds.id", index=True)
    # Canonical JSON text, exactly as hashed into the audit chain.
    choices: str = Field(sa_column=Column(Text, nullable=False))
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
