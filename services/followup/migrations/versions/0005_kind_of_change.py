"""A trial's kind of change (the what-works taxonomy), chosen by its managers.

Revision ID: followup_0005
Revises: followup_0004
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "followup_0005"
down_revision: str | None = "followup_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("trials") as batch:
        batch.add_column(sa.Column("kind_of_change", sa.String(length=40), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("trials") as batch:
        batch.drop_column("kind_of_change")
