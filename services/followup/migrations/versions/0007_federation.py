"""Federation: other platforms' libraries an admin subscribes to, and the entries imported from them;
a published entry can be corrected (its version) or withdrawn, and importers follow both.

Revision ID: followup_0007
Revises: followup_0006
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "followup_0007"
down_revision: str | None = "followup_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "library_subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("feed_url", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("pages", sa.JSON(), nullable=False),
        sa.Column("last_attempt_at", TZ, nullable=True),
        sa.Column("last_success_at", TZ, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("last_counts", sa.JSON(), nullable=False),
        sa.Column("running_until", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_library_subscriptions"),
        sa.UniqueConstraint("feed_url", name="uq_library_subscriptions_feed_url"),
    )
    with op.batch_alter_table("library_entries") as batch:
        batch.alter_column("trial_id", existing_type=sa.Uuid(), nullable=True)
        batch.alter_column("published_by", existing_type=sa.Uuid(), nullable=True)
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")))
        batch.add_column(sa.Column("updated_at", TZ, nullable=True))
        batch.add_column(sa.Column("withdrawn_at", TZ, nullable=True))
        batch.add_column(sa.Column("withdrawn_reason", sa.Text(), nullable=False, server_default=sa.text("''")))
        batch.add_column(sa.Column("subscription_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("origin_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("origin_version", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_library_entries_subscription_id_library_subscriptions",
            "library_subscriptions",
            ["subscription_id"],
            ["id"],
        )
        batch.create_unique_constraint(
            "uq_library_entries_subscription_id_origin_id", ["subscription_id", "origin_id"]
        )
        batch.create_index("ix_library_entries_subscription_id", ["subscription_id"])
        batch.create_index("ix_library_entries_withdrawn_at", ["withdrawn_at"])


def downgrade() -> None:
    op.execute("DELETE FROM library_entries WHERE subscription_id IS NOT NULL")
    with op.batch_alter_table("library_entries") as batch:
        batch.drop_index("ix_library_entries_withdrawn_at")
        batch.drop_index("ix_library_entries_subscription_id")
        batch.drop_constraint("uq_library_entries_subscription_id_origin_id", type_="unique")
        batch.drop_constraint("fk_library_entries_subscription_id_library_subscriptions", type_="foreignkey")
        for column in (
            "origin_version",
            "origin_id",
            "subscription_id",
            "withdrawn_reason",
            "withdrawn_at",
            "updated_at",
            "version",
        ):
            batch.drop_column(column)
        batch.alter_column("published_by", existing_type=sa.Uuid(), nullable=False)
        batch.alter_column("trial_id", existing_type=sa.Uuid(), nullable=False)
    op.drop_table("library_subscriptions")
