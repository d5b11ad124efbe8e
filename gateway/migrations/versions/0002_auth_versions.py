"""Auth versions: tokens that stop being true are refused at once; no more hard account lockout.

Revision ID: gateway_0002
Revises: gateway_0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0002"
down_revision: str | None = "gateway_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("auth_version", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_column("failed_logins")
        batch.drop_column("locked_until")
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("auth_version", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "auth_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("auth_version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_auth_changes"),
    )
    op.create_index("ix_auth_changes_changed_at", "auth_changes", ["changed_at"])


def downgrade() -> None:
    op.drop_index("ix_auth_changes_changed_at", table_name="auth_changes")
    op.drop_table("auth_changes")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("auth_version")
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_column("auth_version")
