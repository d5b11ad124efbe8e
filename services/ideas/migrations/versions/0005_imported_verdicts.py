"""Ideas: verdicts imported from other platforms (by follow-up's federation), for "tried before?".

Revision ID: ideas_0005
Revises: ideas_0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ideas_0005"
down_revision: str | None = "ideas_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "imported_verdicts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Uuid(), nullable=False),
        sa.Column("council_id", sa.Uuid(), nullable=False),
        sa.Column("council_name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("service_area", sa.String(length=120), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("platform", sa.String(length=200), nullable=False),
        sa.Column("entry_url", sa.String(length=500), nullable=False),
        sa.Column("licence_name", sa.String(length=200), nullable=False),
        sa.Column("licence_url", sa.String(length=500), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_imported_verdicts"),
    )
    op.create_index("ix_imported_verdicts_updated_at", "imported_verdicts", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_imported_verdicts_updated_at", table_name="imported_verdicts")
    op.drop_table("imported_verdicts")
