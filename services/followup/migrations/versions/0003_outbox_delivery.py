"""The outbox takes the platform's shape: one row per destination, with retry bookkeeping.

Revision ID: followup_0003
Revises: followup_0002
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "followup_0003"
down_revision: str | None = "followup_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("outbox_events") as batch:
        batch.add_column(sa.Column("event_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("destination", sa.String(length=100), nullable=False, server_default="ideas"))
        batch.add_column(sa.Column("next_attempt_at", TZ, nullable=True))
        batch.add_column(sa.Column("last_error", sa.String(length=500), nullable=True))
        batch.alter_column("topic", type_=sa.String(length=100), existing_type=sa.String(length=80),
                           existing_nullable=False)
    # Rows written before this revision announced one event each, to the ideas service.
    op.execute("UPDATE outbox_events SET event_id = id, next_attempt_at = created_at")
    with op.batch_alter_table("outbox_events") as batch:
        batch.alter_column("event_id", existing_type=sa.Uuid(), nullable=False)
        batch.alter_column("next_attempt_at", existing_type=TZ, nullable=False)
        batch.alter_column("destination", existing_type=sa.String(length=100), server_default=None)
        batch.create_index("ix_outbox_events_event_id", ["event_id"])
        batch.create_index("ix_outbox_events_pending", ["delivered_at", "next_attempt_at"])


def downgrade() -> None:
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_index("ix_outbox_events_pending")
        batch.drop_index("ix_outbox_events_event_id")
        batch.alter_column("topic", type_=sa.String(length=80), existing_type=sa.String(length=100),
                           existing_nullable=False)
        batch.drop_column("last_error")
        batch.drop_column("next_attempt_at")
        batch.drop_column("destination")
        batch.drop_column("event_id")
