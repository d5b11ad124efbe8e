"""Tables of the followup service (API schemas live in schemas.py).

An idea is held by its id plus a small snapshot (title, council, service area), never a foreign
key: ideas live in another service's database.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from platform_core.db import UTCDateTime, attach, new_metadata
from platform_core.idempotency import IdempotentRequest
from platform_core.inbox import InboxEvent
from platform_core.outbox import OutboxEvent

# The service's own tables, apart from every other part's (all parts' models import in one process).
metadata = new_metadata()
attach(metadata, IdempotentRequest, OutboxEvent, InboxEvent)


class FollowupTable(SQLModel, registry=registry(metadata=metadata)):
    """Base of the follow-up service's tables (not a table itself)."""


def _when(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable))


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


def _text(default: str = "") -> Any:
    return Field(default=default, sa_column=Column(Text, nullable=False))


class Trial(FollowupTable, table=True):
    __tablename__ = "trials"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # One trial per idea: a repeated "selected" message finds this row instead of making another.
    idea_id: uuid.UUID = Field(unique=True)
    council_id: uuid.UUID = Field(index=True)
    council_name: str = Field(max_length=200)
    hack_day_id: uuid.UUID | None = None
    hack_day_on: date | None = None
    idea_title: str = Field(max_length=300)
    service_area: str = Field(default="", max_length=120)
    origin: str = Field(default="manager", max_length=20)
    round_id: uuid.UUID | None = None
    round_rank: int | None = None

    owner: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    sponsor: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    team: list = _json(list)
    hypothesis: str = _text()
    scope: str = _text()
    planned_start: date | None = None
    planned_end: date | None = None
    review_date: date | None = None
    checkpoint_schedule: list = _json(list)
    trial_cost_pounds: float = 0.0
    internal_notes: str = _text()
    kind_of_change: str = Field(default="", max_length=40)
    # The partners named from the council's map: a snapshot {id, name, kind} of each.
    partners: list = _json(list)

    status: str = Field(default="planned", max_length=20, index=True)
    version: int = 1
    created_by: uuid.UUID | None = None
    created_at: datetime | None = _when(nullable=False)
    updated_at: datetime | None = _when(nullable=False)
    started_at: datetime | None = _when()
    evaluating_at: datetime | None = _when()
    ended_at: datetime | None = _when()


class Metric(FollowupTable, table=True):
    __tablename__ = "metrics"
    __table_args__ = (UniqueConstraint("trial_id", "name"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    trial_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("trials.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(max_length=200)
    unit: str = Field(max_length=40)
    direction: str = Field(max_length=20)
    baseline_value: float | None = None
    baseline_period_start: date | None = None
    baseline_period_end: date | None = None
    baseline_method: str = _text()
    target_value: float | None = None
    annual_volume: float | None = None
    hourly_cost_pounds: float | None = None
    cashable: bool = False
    version: int = 1
    created_at: datetime | None = _when(nullable=False)


class Measurement(FollowupTable, table=True):
    """Append-only: a correction is a new row naming the one it corrects; nothing is updated."""

    __tablename__ = "measurements"
    __table_args__ = (UniqueConstraint("metric_id", "sequence"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    trial_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("trials.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    metric_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("metrics.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    # Order of recording within the metric; the unique pair makes two racing writers conflict.
    sequence: int
    value: float
    period_start: date
    period_end: date
    method: str = _text()
    source: str = _text()
    note: str = _text()
    corrects_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("measurements.id"), nullable=True)
    )
    # The first entry of a correction chain: the effective series keeps the latest entry per original.
    original_id: uuid.UUID
    recorded_by: uuid.UUID
    recorded_at: datetime | None = _when(nullable=False)


class Checkpoint(FollowupTable, table=True):
    __tablename__ = "checkpoints"
    __table_args__ = (UniqueConstraint("trial_id", "label"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    trial_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("trials.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    label: str = Field(max_length=10)
    due_on: date = Field(index=True)
    reviewed_at: datetime | None = _when()
    reviewed_by: uuid.UUID | None = None
    note: str = _text()


class Verdict(FollowupTable, table=True):
    """The verdict, with its gain and evidence level computed once when it is given (then frozen)."""

    __tablename__ = "verdicts"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    trial_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("trials.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    outcome: str = Field(max_length=20)
    summary: str = _text()
    reasons: list = _json(list)
    lessons: dict = _json(dict)
    design: str | None = Field(default=None, max_length=30)
    verification: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    replications: list = _json(list)
    evidence_level: int
    gain: dict = _json(dict)
    decided_by: uuid.UUID
    decided_at: datetime | None = _when(nullable=False)


class LibrarySubscription(FollowupTable, table=True):
    """Another platform's library that an admin subscribed to: its federation feed and how the last
    import went (followup/federation.py reads it on a schedule and on demand, unless it is paused:
    `active` false)."""

    __tablename__ = "library_subscriptions"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    feed_url: str = Field(max_length=500, unique=True)
    active: bool = True
    version: int = 1
    created_by: uuid.UUID
    created_at: datetime | None = _when(nullable=False)
    # Per page offset (as a string): {"etag", "next_offset"} of the copy imported, so that an
    # unchanged page is a 304 that costs the origin and us nothing.
    pages: dict = _json(dict)
    last_attempt_at: datetime | None = _when()
    last_success_at: datetime | None = _when()
    last_error: str = _text()
    last_counts: dict = _json(dict)
    # A lease: one import of a source at a time, whichever replica or request starts it.
    running_until: datetime | None = _when()
    # Removed by an admin: no longer listed or imported; what it brought stays in the library, marked
    # (record.source.removed_at). Subscribing to the same feed again brings the row back.
    removed_at: datetime | None = _when()


class LibraryEntry(FollowupTable, table=True):
    """A published verdict: the record other councils read, frozen when it was published; a
    correction makes a new version of it and a withdrawal takes it out of every read.

    An entry imported from another platform has no trial here: it names its subscription and the
    entry's id at its origin (unique together, so a re-import updates it instead of adding another).
    """

    __tablename__ = "library_entries"
    __table_args__ = (UniqueConstraint("subscription_id", "origin_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    trial_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(Uuid, ForeignKey("trials.id", ondelete="CASCADE"), nullable=True, unique=True),
    )
    idea_id: uuid.UUID = Field(index=True)
    council_id: uuid.UUID = Field(index=True)
    council_name: str = Field(max_length=200)
    title: str = Field(max_length=300)
    service_area: str = Field(default="", max_length=120, index=True)
    outcome: str = Field(max_length=20, index=True)
    evidence_level: int = Field(index=True)
    search_text: str = _text()
    record: dict = _json(dict)
    published_by: uuid.UUID | None = None
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=False, index=True))
    version: int = 1
    updated_at: datetime | None = _when()
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))
    withdrawn_reason: str = _text()
    subscription_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(Uuid, ForeignKey("library_subscriptions.id"), nullable=True, index=True),
    )
    origin_id: uuid.UUID | None = None
    origin_version: int | None = None


class Partner(FollowupTable, table=True):
    """An organisation on a council's map of partners, looked after by its collaboration champions."""

    __tablename__ = "partners"
    __table_args__ = (UniqueConstraint("council_id", "name"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    council_id: uuid.UUID = Field(index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    note: str = _text()
    version: int = 1
    created_at: datetime | None = _when(nullable=False)
    updated_at: datetime | None = _when(nullable=False)
