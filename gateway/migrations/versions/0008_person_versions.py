"""A version on each person, so that two admins changing the same person's roles never silently
overwrite each other (ETag on read, If-Match on change: platform_core/etag.py).

Revision ID: gateway_0008
Revises: gateway_0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0008"
down_revision: str | None = "gateway_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("version")
