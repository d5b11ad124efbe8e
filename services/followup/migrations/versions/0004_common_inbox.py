"""The inbox takes the platform's one shape (platform_core.inbox): event ids as UUIDs, with a topic.

The old rows are not carried over: a repeated message that finds no inbox row still finds the idea's
trial (one trial per idea), so it changes nothing.

Revision ID: followup_0004
Revises: followup_0003
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "followup_0004"
down_revision: str | None = "followup_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.drop_table("inbox_events")
    op.create_table(
        "inbox_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_inbox_events"),
    )


def downgrade() -> None:
    op.drop_table("inbox_events")
    op.create_table(
        "inbox_events",
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("trial_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_inbox_events"),
    )
