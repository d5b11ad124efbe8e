"""Hack days, ideas, their teams and tags, comments, and the platform's inbox and outbox tables.

Revision ID: ideas_0002
Revises: ideas_0001
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ideas_0002"
down_revision: str | None = "ideas_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "hack_days",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("council_id", sa.Uuid(), nullable=False),
        sa.Column("council_name", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("phase", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_hack_days"),
        sa.CheckConstraint("phase IN ('draft', 'open', 'voting', 'closed')", name="ck_hack_days_phase"),
    )
    op.create_index("ix_hack_days_council_id", "hack_days", ["council_id"])

    op.create_table(
        "ideas",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("hack_day_id", sa.Uuid(), nullable=False),
        sa.Column("council_id", sa.Uuid(), nullable=False),
        sa.Column("council_name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("problem", sa.String(length=5000), nullable=False),
        sa.Column("proposal", sa.String(length=5000), nullable=False),
        sa.Column("benefit_amount", sa.Float(), nullable=True),
        sa.Column("benefit_unit", sa.String(length=20), nullable=True),
        sa.Column("benefit_for", sa.String(length=10), nullable=True),
        sa.Column("benefit_note", sa.String(length=1000), nullable=True),
        sa.Column("service_area", sa.String(length=40), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_before_moderation", sa.String(length=20), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=True),
        sa.Column("hidden_by", sa.Uuid(), nullable=True),
        _ts("hidden_at", nullable=True),
        sa.Column("duplicate_of_id", sa.Uuid(), nullable=True),
        sa.Column("duplicate_marked_by", sa.Uuid(), nullable=True),
        sa.Column("shortlisted_by", sa.Uuid(), nullable=True),
        _ts("shortlisted_at", nullable=True),
        _ts("withdrawn_at", nullable=True),
        sa.Column("selected_round_id", sa.Uuid(), nullable=True),
        sa.Column("selected_rank", sa.Integer(), nullable=True),
        _ts("selected_at", nullable=True),
        _ts("outcome_published_at", nullable=True),
        sa.Column("outcome_verdict", sa.String(length=20), nullable=True),
        sa.Column("outcome_trial_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_ideas"),
        sa.ForeignKeyConstraint(["hack_day_id"], ["hack_days.id"], name="fk_ideas_hack_day_id_hack_days"),
        sa.ForeignKeyConstraint(["duplicate_of_id"], ["ideas.id"], name="fk_ideas_duplicate_of_id_ideas"),
        sa.CheckConstraint(
            "status IN ('submitted', 'shortlisted', 'selected', 'withdrawn', 'hidden', 'duplicate')",
            name="ck_ideas_status",
        ),
        sa.CheckConstraint("duplicate_of_id IS NULL OR duplicate_of_id <> id", name="ck_ideas_not_own_duplicate"),
    )
    op.create_index("ix_ideas_hack_day_id", "ideas", ["hack_day_id"])
    op.create_index("ix_ideas_status", "ideas", ["status"])
    op.create_index("ix_ideas_service_area", "ideas", ["service_area"])
    op.create_index("ix_ideas_duplicate_of_id", "ideas", ["duplicate_of_id"])
    op.create_index("ix_ideas_council_id_created_at", "ideas", ["council_id", "created_at"])

    op.create_table(
        "idea_authors",
        sa.Column("idea_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        _ts("invited_at"),
        _ts("joined_at", nullable=True),
        sa.PrimaryKeyConstraint("idea_id", "person_id", name="pk_idea_authors"),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name="fk_idea_authors_idea_id_ideas", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_idea_authors_person_id", "idea_authors", ["person_id"])

    op.create_table(
        "idea_tags",
        sa.Column("idea_id", sa.Uuid(), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("idea_id", "tag", name="pk_idea_tags"),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], name="fk_idea_tags_idea_id_ideas", ondelete="CASCADE"),
    )
    op.create_index("ix_idea_tags_tag", "idea_tags", ["tag"])

    op.create_table(
        "comments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("idea_id", sa.Uuid(), nullable=False),
        sa.Column("council_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=2000), nullable=False),
        _ts("created_at"),
        _ts("hidden_at", nullable=True),
        sa.Column("hidden_by", sa.Uuid(), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_comments"),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], name="fk_comments_idea_id_ideas", ondelete="CASCADE"),
    )
    op.create_index("ix_comments_idea_id", "comments", ["idea_id"])

    # platform_core.outbox.OutboxEvent: made while every part's models shared one metadata; the ideas
    # service sends no events, and ideas_0004 drops it.
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("destination", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        _ts("created_at"),
        _ts("next_attempt_at"),
        _ts("delivered_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_events"),
    )
    op.create_index("ix_outbox_events_event_id", "outbox_events", ["event_id"])
    op.create_index("ix_outbox_events_pending", "outbox_events", ["delivered_at", "next_attempt_at"])

    # platform_core.inbox.InboxEvent: ids of events from other services already applied.
    op.create_table(
        "inbox_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        _ts("received_at"),
        sa.PrimaryKeyConstraint("event_id", name="pk_inbox_events"),
    )


def downgrade() -> None:
    op.drop_table("inbox_events")
    op.drop_index("ix_outbox_events_pending", table_name="outbox_events")
    op.drop_index("ix_outbox_events_event_id", table_name="outbox_events")
    op.drop_table("outbox_events")
    op.drop_index("ix_comments_idea_id", table_name="comments")
    op.drop_table("comments")
    op.drop_index("ix_idea_tags_tag", table_name="idea_tags")
    op.drop_table("idea_tags")
    op.drop_index("ix_idea_authors_person_id", table_name="idea_authors")
    op.drop_table("idea_authors")
    op.drop_index("ix_ideas_council_id_created_at", table_name="ideas")
    op.drop_index("ix_ideas_duplicate_of_id", table_name="ideas")
    op.drop_index("ix_ideas_service_area", table_name="ideas")
    op.drop_index("ix_ideas_status", table_name="ideas")
    op.drop_index("ix_ideas_hack_day_id", table_name="ideas")
    op.drop_table("ideas")
    op.drop_index("ix_hack_days_council_id", table_name="hack_days")
    op.drop_table("hack_days")
