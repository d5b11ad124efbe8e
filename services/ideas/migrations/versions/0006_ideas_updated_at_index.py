"""Ideas: an index on ideas.updated_at, for the similar-idea index's catch-up.

Every few seconds each replica of the ideas service reads the ideas changed since its last catch-up
(`updated_at >= ...`); without an index that is a scan of the whole table (100,000 ideas) each time.

Revision ID: ideas_0006
Revises: ideas_0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "ideas_0006"
down_revision: str | None = "ideas_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_ideas_updated_at", "ideas", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_ideas_updated_at", table_name="ideas")
