"""Each council's map of partners, and the partners a trial names (a snapshot of each).

Revision ID: followup_0006
Revises: followup_0005
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "followup_0006"
down_revision: str | None = "followup_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("council_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_partners"),
        sa.UniqueConstraint("council_id", "name", name="uq_partners_council_id_name"),
    )
    op.create_index("ix_partners_council_id", "partners", ["council_id"])
    with op.batch_alter_table("trials") as batch:
        batch.add_column(sa.Column("partners", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("trials") as batch:
        batch.drop_column("partners")
    op.drop_index("ix_partners_council_id", table_name="partners")
    op.drop_table("partners")
