"""Trials, metrics, measurements, checkpoints, verdicts, the library, outbox and inbox.

Revision ID: followup_0002
Revises: followup_0001
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "followup_0002"
down_revision: str | None = "followup_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _trial_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["trial_id"], ["trials.id"], name=f"fk_{table}_trial_id_trials", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "trials",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("idea_id", sa.Uuid(), nullable=False),
        sa.Column("council_id", sa.Uuid(), nullable=False),
        sa.Column("council_name", sa.String(length=200), nullable=False),
        sa.Column("hack_day_id", sa.Uuid(), nullable=True),
        sa.Column("hack_day_on", sa.Date(), nullable=True),
        sa.Column("idea_title", sa.String(length=300), nullable=False),
        sa.Column("service_area", sa.String(length=120), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=True),
        sa.Column("round_rank", sa.Integer(), nullable=True),
        sa.Column("owner", sa.JSON(), nullable=True),
        sa.Column("sponsor", sa.JSON(), nullable=True),
        sa.Column("team", sa.JSON(), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_end", sa.Date(), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("checkpoint_schedule", sa.JSON(), nullable=False),
        sa.Column("trial_cost_pounds", sa.Float(), nullable=False),
        sa.Column("internal_notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("started_at", TZ, nullable=True),
        sa.Column("evaluating_at", TZ, nullable=True),
        sa.Column("ended_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_trials"),
        sa.UniqueConstraint("idea_id", name="uq_trials_idea_id"),
    )
    op.create_index("ix_trials_council_id", "trials", ["council_id"])
    op.create_index("ix_trials_status", "trials", ["status"])

    op.create_table(
        "metrics",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("trial_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("baseline_value", sa.Float(), nullable=True),
        sa.Column("baseline_period_start", sa.Date(), nullable=True),
        sa.Column("baseline_period_end", sa.Date(), nullable=True),
        sa.Column("baseline_method", sa.Text(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=True),
        sa.Column("annual_volume", sa.Float(), nullable=True),
        sa.Column("hourly_cost_pounds", sa.Float(), nullable=True),
        sa.Column("cashable", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metrics"),
        sa.UniqueConstraint("trial_id", "name", name="uq_metrics_trial_id_name"),
        _trial_fk("metrics"),
    )
    op.create_index("ix_metrics_trial_id", "metrics", ["trial_id"])

    op.create_table(
        "measurements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("trial_id", sa.Uuid(), nullable=False),
        sa.Column("metric_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("corrects_id", sa.Uuid(), nullable=True),
        sa.Column("original_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_measurements"),
        sa.UniqueConstraint("metric_id", "sequence", name="uq_measurements_metric_id_sequence"),
        _trial_fk("measurements"),
        sa.ForeignKeyConstraint(
            ["metric_id"], ["metrics.id"], name="fk_measurements_metric_id_metrics", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["measurements.id"], name="fk_measurements_corrects_id_measurements"
        ),
    )
    op.create_index("ix_measurements_trial_id", "measurements", ["trial_id"])
    op.create_index("ix_measurements_metric_id", "measurements", ["metric_id"])

    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("trial_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=10), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reviewed_at", TZ, nullable=True),
        sa.Column("reviewed_by", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_checkpoints"),
        sa.UniqueConstraint("trial_id", "label", name="uq_checkpoints_trial_id_label"),
        _trial_fk("checkpoints"),
    )
    op.create_index("ix_checkpoints_trial_id", "checkpoints", ["trial_id"])
    op.create_index("ix_checkpoints_due_on", "checkpoints", ["due_on"])

    op.create_table(
        "verdicts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("trial_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("lessons", sa.JSON(), nullable=False),
        sa.Column("design", sa.String(length=30), nullable=True),
        sa.Column("verification", sa.JSON(), nullable=True),
        sa.Column("replications", sa.JSON(), nullable=False),
        sa.Column("evidence_level", sa.Integer(), nullable=False),
        sa.Column("gain", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=False),
        sa.Column("decided_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_verdicts"),
        sa.UniqueConstraint("trial_id", name="uq_verdicts_trial_id"),
        _trial_fk("verdicts"),
    )

    op.create_table(
        "library_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("trial_id", sa.Uuid(), nullable=False),
        sa.Column("idea_id", sa.Uuid(), nullable=False),
        sa.Column("council_id", sa.Uuid(), nullable=False),
        sa.Column("council_name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("service_area", sa.String(length=120), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("evidence_level", sa.Integer(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("published_by", sa.Uuid(), nullable=False),
        sa.Column("published_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_library_entries"),
        sa.UniqueConstraint("trial_id", name="uq_library_entries_trial_id"),
        _trial_fk("library_entries"),
    )
    for column in ("idea_id", "council_id", "service_area", "outcome", "evidence_level", "published_at"):
        op.create_index(f"ix_library_entries_{column}", "library_entries", [column])

    op.create_table(
        "outbox_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("delivered_at", TZ, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_events"),
    )

    op.create_table(
        "inbox_events",
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("trial_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_inbox_events"),
    )


def downgrade() -> None:
    op.drop_table("inbox_events")
    op.drop_table("outbox_events")
    for column in ("idea_id", "council_id", "service_area", "outcome", "evidence_level", "published_at"):
        op.drop_index(f"ix_library_entries_{column}", table_name="library_entries")
    op.drop_table("library_entries")
    op.drop_table("verdicts")
    op.drop_index("ix_checkpoints_due_on", table_name="checkpoints")
    op.drop_index("ix_checkpoints_trial_id", table_name="checkpoints")
    op.drop_table("checkpoints")
    op.drop_index("ix_measurements_metric_id", table_name="measurements")
    op.drop_index("ix_measurements_trial_id", table_name="measurements")
    op.drop_table("measurements")
    op.drop_index("ix_metrics_trial_id", table_name="metrics")
    op.drop_table("metrics")
    op.drop_index("ix_trials_status", table_name="trials")
    op.drop_index("ix_trials_council_id", table_name="trials")
    op.drop_table("trials")
