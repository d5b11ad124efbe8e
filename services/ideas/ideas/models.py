"""Tables of the ideas service (the API schemas are in schemas.py)."""

from __future__ import annotations

import uuid
from datetime import date as calendar_date
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from platform_core.clock import utcnow
from platform_core.db import UTCDateTime, attach, new_metadata
from platform_core.idempotency import IdempotentRequest
from platform_core.inbox import InboxEvent

# This part's own tables, apart from every other part's (all parts' models import into one process).
metadata = new_metadata()


class IdeasTable(SQLModel, registry=registry(metadata=metadata)):
    """Base of the ideas service's tables."""


# The common tables this part keeps, defined once in platform_core.
attach(metadata, IdempotentRequest, InboxEvent)


def _ts() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


def _ts_or_none() -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class HackDay(IdeasTable, table=True):
    """A council's hack day: ideas are submitted while it is open and frozen once voting starts."""

    __tablename__ = "hack_days"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    council_id: uuid.UUID = Field(index=True)
    council_name: str = Field(max_length=200)  # snapshot from the organiser's token
    name: str = Field(max_length=200)
    date: calendar_date
    themes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    phase: str = Field(default="draft", max_length=10)
    version: int = 1
    created_by: uuid.UUID
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Idea(IdeasTable, table=True):
    __tablename__ = "ideas"
    __table_args__ = (
        Index("ix_ideas_council_id_created_at", "council_id", "created_at"),
        # The similar-idea index's catch-up every few seconds reads the ideas changed since the last one.
        Index("ix_ideas_updated_at", "updated_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    hack_day_id: uuid.UUID = Field(foreign_key="hack_days.id", index=True)
    council_id: uuid.UUID
    council_name: str = Field(max_length=200)
    title: str = Field(max_length=200)
    problem: str = Field(max_length=5000)
    proposal: str = Field(max_length=5000)
    # Written by the authors to be shared: other councils read it (and are matched on it) before the
    # outcome is published, while the problem and proposal stay within the council.
    public_summary: str | None = Field(default=None, max_length=500)
    benefit_amount: float | None = None
    benefit_unit: str | None = Field(default=None, max_length=20)
    benefit_for: str | None = Field(default=None, max_length=10)
    benefit_note: str | None = Field(default=None, max_length=1000)
    service_area: str = Field(max_length=40, index=True)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    partners: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="submitted", max_length=20, index=True)
    # What hide/duplicate put aside, so that undoing them restores the idea exactly.
    status_before_moderation: str | None = Field(default=None, max_length=20)
    hidden_reason: str | None = Field(default=None, max_length=500)
    hidden_by: uuid.UUID | None = None
    hidden_at: datetime | None = _ts_or_none()
    duplicate_of_id: uuid.UUID | None = Field(default=None, foreign_key="ideas.id", index=True)
    duplicate_marked_by: uuid.UUID | None = None
    shortlisted_by: uuid.UUID | None = None
    shortlisted_at: datetime | None = _ts_or_none()
    withdrawn_at: datetime | None = _ts_or_none()
    selected_round_id: uuid.UUID | None = None
    selected_rank: int | None = None
    selected_at: datetime | None = _ts_or_none()
    outcome_published_at: datetime | None = _ts_or_none()
    outcome_verdict: str | None = Field(default=None, max_length=20)
    outcome_trial_id: uuid.UUID | None = None
    version: int = 1
    created_by: uuid.UUID
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class IdeaAuthor(IdeasTable, table=True):
    """A member of an idea's team. The lead author is there from the start; a co-author is invited
    by the lead author and joins by accepting with their own sign-in, which proves their council."""

    __tablename__ = "idea_authors"

    idea_id: uuid.UUID = Field(foreign_key="ideas.id", primary_key=True, ondelete="CASCADE")
    person_id: uuid.UUID = Field(primary_key=True, index=True)
    role: str = Field(max_length=10)  # "author" | "co_author"
    name: str = Field(default="", max_length=200)  # snapshot from the person's own token
    invited_at: datetime = _ts()
    joined_at: datetime | None = _ts_or_none()  # None while an invitation is pending


class IdeaTag(IdeasTable, table=True):
    """One row per (idea, tag), so that lists can filter by tag with an index on both databases."""

    __tablename__ = "idea_tags"

    idea_id: uuid.UUID = Field(foreign_key="ideas.id", primary_key=True, ondelete="CASCADE")
    tag: str = Field(max_length=40, primary_key=True, index=True)


class Comment(IdeasTable, table=True):
    __tablename__ = "comments"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    idea_id: uuid.UUID = Field(foreign_key="ideas.id", index=True, ondelete="CASCADE")
    council_id: uuid.UUID
    author_id: uuid.UUID
    author_name: str = Field(default="", max_length=200)
    body: str = Field(max_length=2000)
    created_at: datetime = _ts()
    hidden_at: datetime | None = _ts_or_none()
    hidden_by: uuid.UUID | None = None
    hidden_reason: str | None = Field(default=None, max_length=500)


class ImportedVerdict(IdeasTable, table=True):
    """A verdict another platform published, imported into follow-up's library by federation: it has
    no idea here, but "tried before?" finds it beside this platform's own published outcomes. Kept
    in step by follow-up's events (one per version of the library entry); a withdrawn one stays as
    a tombstone, so that a late delivery of an older version cannot bring it back."""

    __tablename__ = "imported_verdicts"

    id: uuid.UUID = Field(primary_key=True)  # the entry's id in follow-up's library here
    version: int  # the library entry's version here
    idea_id: uuid.UUID  # the idea's id on its own platform
    council_id: uuid.UUID
    council_name: str = Field(max_length=200)
    title: str = Field(max_length=300)
    hypothesis: str = Field(default="", sa_column=Column(Text, nullable=False))
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    service_area: str = Field(default="", max_length=120)
    outcome: str = Field(default="", max_length=20)
    platform: str = Field(max_length=200)  # the other platform, as follow-up's admin named it
    entry_url: str = Field(max_length=500)  # the record on its own platform
    licence_name: str = Field(max_length=200)
    licence_url: str = Field(max_length=500)
    published_at: datetime | None = _ts_or_none()
    withdrawn_at: datetime | None = _ts_or_none()
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))
