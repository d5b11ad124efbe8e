"""Federation: an admin removes a subscription; its row stays (removed_at), so that what it imported is
kept, marked as from a removed source, and subscribing to the feed again brings it back.

Revision ID: followup_0008
Revises: followup_0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "followup_0008"
down_revision: str | None = "followup_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("library_subscriptions") as batch:
        batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("library_subscriptions") as batch:
        batch.drop_column("removed_at")
