"""Ideas: a public summary, written by the authors to be shared with other councils.

Revision ID: ideas_0003
Revises: ideas_0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ideas_0003"
down_revision: str | None = "ideas_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ideas") as batch:
        batch.add_column(sa.Column("public_summary", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ideas") as batch:
        batch.drop_column("public_summary")
