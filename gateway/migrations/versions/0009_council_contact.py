"""A council's contact address, for other councils reading its published trials, and a version on each
council so that two admins changing it never silently overwrite each other (ETag/If-Match).

Revision ID: gateway_0009
Revises: gateway_0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0009"
down_revision: str | None = "gateway_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("councils") as batch:
        batch.add_column(sa.Column("contact_email", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("councils") as batch:
        batch.drop_column("version")
        batch.drop_column("contact_email")
