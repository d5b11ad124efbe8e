"""Single sign-on: each council's OpenID Connect provider, the identities it vouched for, started sign-ins.

Revision ID: gateway_0005
Revises: gateway_0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0005"
down_revision: str | None = "gateway_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "council_sign_ons",
        sa.Column("council_id", sa.Uuid(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=500), nullable=False),
        sa.Column("client_secret", sa.String(length=1000), nullable=False),
        sa.Column("email_domains", sa.JSON(), nullable=False),
        sa.Column("email_claim", sa.String(length=100), nullable=False),
        sa.Column("name_claim", sa.String(length=100), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["council_id"], ["councils.id"], name="fk_council_sign_ons_council_id_councils"),
        sa.PrimaryKeyConstraint("council_id", name="pk_council_sign_ons"),
    )
    op.create_table(
        "sign_on_identities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_sign_on_identities_person_id_people"),
        sa.PrimaryKeyConstraint("id", name="pk_sign_on_identities"),
        sa.UniqueConstraint("issuer", "subject", name="uq_sign_on_identities_issuer_subject"),
    )
    op.create_index("ix_sign_on_identities_person_id", "sign_on_identities", ["person_id"])
    op.create_table(
        "sign_on_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("council_id", sa.Uuid(), nullable=False),
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("code_verifier", sa.String(length=200), nullable=False),
        sa.Column("redirect_uri", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["council_id"], ["councils.id"], name="fk_sign_on_attempts_council_id_councils"),
        sa.PrimaryKeyConstraint("id", name="pk_sign_on_attempts"),
        sa.UniqueConstraint("state_hash", name="uq_sign_on_attempts_state_hash"),
    )
    op.create_index("ix_sign_on_attempts_expires_at", "sign_on_attempts", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_on_attempts_expires_at", table_name="sign_on_attempts")
    op.drop_table("sign_on_attempts")
    op.drop_index("ix_sign_on_identities_person_id", table_name="sign_on_identities")
    op.drop_table("sign_on_identities")
    op.drop_table("council_sign_ons")
