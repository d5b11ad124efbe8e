"""Hack-day news by email: each person's choice to receive it, and the inbox of the voting service's events.

Revision ID: gateway_0006
Revises: gateway_0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0006"
down_revision: str | None = "gateway_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("news_mail", sa.Boolean(), nullable=False, server_default=sa.true()))
    # platform_core.inbox.InboxEvent: an event already acted on (its id is the primary key).
    op.create_table(
        "inbox_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_inbox_events"),
    )


def downgrade() -> None:
    op.drop_table("inbox_events")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("news_mail")
