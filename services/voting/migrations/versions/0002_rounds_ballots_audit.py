"""Rounds, voters, ballots, sealed ballot retries, the audit chain (and its pending ballot events), the outbox.

Revision ID: voting_0002
Revises: voting_0001
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "voting_0002"
down_revision: str | None = "voting_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rounds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("council_id", sa.Uuid(), nullable=False),
        sa.Column("hack_day_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("phase", sa.String(length=12), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("selected_count", sa.Integer(), nullable=False),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("audit_seq", sa.Integer(), nullable=False),
        sa.Column("audit_head", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rounds"),
    )
    op.create_index("ix_rounds_council_id", "rounds", ["council_id"])
    op.create_index("ix_rounds_hack_day_id", "rounds", ["hack_day_id"])

    # Who has voted: no choices, no receipt, no time.
    op.create_table(
        "ballot_voters",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("voter_id", sa.Uuid(), nullable=False),
        sa.Column("receipt_mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ballot_voters"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name="fk_ballot_voters_round_id_rounds"),
        sa.UniqueConstraint("round_id", "voter_id", name="uq_ballot_voters_round_id_voter_id"),
    )

    # What was voted: keyed by the receipt only.
    op.create_table(
        "ballots",
        sa.Column("receipt", sa.String(length=40), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("replaced_by", sa.String(length=40), nullable=True),
        sa.Column("voter_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("receipt", name="pk_ballots"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name="fk_ballots_round_id_rounds"),
    )
    op.create_index("ix_ballots_round_id", "ballots", ["round_id"])

    op.create_table(
        "ballot_retries",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ballot_retries"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name="fk_ballot_retries_round_id_rounds"),
    )
    op.create_index("ix_ballot_retries_round_id", "ballot_retries", ["round_id"])

    op.create_table(
        "audit_entries",
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("round_id", "seq", name="pk_audit_entries"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name="fk_audit_entries_round_id_rounds"),
    )

    # Ballot events waiting to be chained (a cast does not take the chain's lock).
    op.create_table(
        "audit_pending",
        sa.Column("n", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("events", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("n", name="pk_audit_pending"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name="fk_audit_pending_round_id_rounds"),
    )
    op.create_index("ix_audit_pending_round_id", "audit_pending", ["round_id"])

    # platform_core.outbox: events for other services, written in the producer's transaction.
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("destination", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_events"),
    )
    op.create_index("ix_outbox_events_event_id", "outbox_events", ["event_id"])
    op.create_index("ix_outbox_events_pending", "outbox_events", ["delivered_at", "next_attempt_at"])
    # platform_core.inbox.InboxEvent: voting consumes no events (voting_0003 drops it).
    op.create_table(
        "inbox_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_inbox_events"),
    )


def downgrade() -> None:
    op.drop_table("inbox_events")
    op.drop_index("ix_outbox_events_pending", table_name="outbox_events")
    op.drop_index("ix_outbox_events_event_id", table_name="outbox_events")
    op.drop_table("outbox_events")
    op.drop_index("ix_audit_pending_round_id", table_name="audit_pending")
    op.drop_table("audit_pending")
    op.drop_table("audit_entries")
    op.drop_index("ix_ballot_retries_round_id", table_name="ballot_retries")
    op.drop_table("ballot_retries")
    op.drop_index("ix_ballots_round_id", table_name="ballots")
    op.drop_table("ballots")
    op.drop_table("ballot_voters")
    op.drop_index("ix_rounds_hack_day_id", table_name="rounds")
    op.drop_index("ix_rounds_council_id", table_name="rounds")
    op.drop_table("rounds")
