"""A version on each council's single sign-on settings, so that two admins changing them never silently
overwrite each other (ETag on read, If-Match on change: platform_core/etag.py).

Revision ID: gateway_0010
Revises: gateway_0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0010"
down_revision: str | None = "gateway_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("council_sign_ons") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("council_sign_ons") as batch:
        batch.drop_column("version")
