"""Secret ballots: the sealed ballot box in the voter rows, counted ballots written at close, no replaced ballots kept; the unused inbox dropped.

Voter rows keep their current ballot sealed (`sealed`) instead of a keyed hash of their receipt;
`ballots` holds only counted ballots, keyed by ballot id, written when the round closes. Replaced
ballots of rounds counted before this revision are deleted (they were never published, and kept
they could be read back). A round that is open with ballots cannot be converted (its voters and
ballots are deliberately unlinkable), so the upgrade refuses to run until such rounds are closed.

Revision ID: voting_0003
Revises: voting_0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "voting_0003"
down_revision: str | None = "voting_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    conn = op.get_bind()
    open_with_ballots = conn.execute(
        sa.text(
            "SELECT count(*) FROM rounds WHERE phase = 'open' "
            "AND EXISTS (SELECT 1 FROM ballot_voters v WHERE v.round_id = rounds.id)"
        )
    ).scalar_one()
    if open_with_ballots:
        raise RuntimeError(
            f"{open_with_ballots} voting round(s) are open with ballots cast: close them with the running "
            "version, then upgrade (their ballots cannot be moved into the sealed ballot box)."
        )
    with op.batch_alter_table("ballot_voters") as batch:
        batch.drop_column("receipt_mac")
        batch.add_column(sa.Column("sealed", sa.Text(), nullable=True))
    conn.execute(sa.text("DELETE FROM ballots WHERE state <> 'counted'"))
    with op.batch_alter_table("ballots") as batch:
        batch.drop_column("state")
        batch.drop_column("replaced_by")
        batch.alter_column("receipt", new_column_name="ballot_id", existing_type=sa.String(length=40))
    # Voting consumes no events: the inbox table was never used.
    op.drop_table("inbox_events")


def downgrade() -> None:
    # The schema only: sealed ballots of open rounds and deleted replaced ballots do not come back.
    op.create_table(
        "inbox_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_inbox_events"),
    )
    with op.batch_alter_table("ballots") as batch:
        batch.alter_column("ballot_id", new_column_name="receipt", existing_type=sa.String(length=40))
        batch.add_column(sa.Column("state", sa.String(length=10), nullable=False, server_default="counted"))
        batch.add_column(sa.Column("replaced_by", sa.String(length=40), nullable=True))
    with op.batch_alter_table("ballot_voters") as batch:
        batch.drop_column("sealed")
        batch.add_column(sa.Column("receipt_mac", sa.String(length=64), nullable=False, server_default=""))
