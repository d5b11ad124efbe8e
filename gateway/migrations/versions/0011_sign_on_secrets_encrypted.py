"""Councils' single sign-on client secrets encrypted at rest (Fernet, GATEWAY_SIGN_ON_SECRET_KEYS): the
plain `client_secret` column becomes `client_secret_encrypted`, and every existing secret is encrypted
on the way (gateway/domain/sign_on_secrets.py). Downgrading decrypts them back.

Revision ID: gateway_0011
Revises: gateway_0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gateway.domain import sign_on_secrets
from gateway.settings import get_settings

revision: str = "gateway_0011"
down_revision: str | None = "gateway_0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = sa.table(
    "council_sign_ons",
    sa.column("council_id", sa.Uuid()),
    sa.column("client_secret", sa.String()),
    sa.column("client_secret_encrypted", sa.Text()),
)


def _rewrite(source: str, target: str, change) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(TABLE.c.council_id, TABLE.c[source])).all()
    if not rows:
        return  # nothing to encrypt: no key needed (a new installation migrating before it is configured)
    keys = get_settings().sign_on_keys()
    for council_id, value in rows:
        bind.execute(
            TABLE.update().where(TABLE.c.council_id == council_id).values({target: change(value, keys=keys)})
        )


def upgrade() -> None:
    with op.batch_alter_table("council_sign_ons") as batch:
        batch.add_column(sa.Column("client_secret_encrypted", sa.Text(), nullable=True))
    _rewrite("client_secret", "client_secret_encrypted", sign_on_secrets.seal)
    with op.batch_alter_table("council_sign_ons") as batch:
        batch.alter_column("client_secret_encrypted", existing_type=sa.Text(), nullable=False)
        batch.drop_column("client_secret")


def downgrade() -> None:
    with op.batch_alter_table("council_sign_ons") as batch:
        batch.add_column(sa.Column("client_secret", sa.String(length=1000), nullable=True))
    _rewrite("client_secret_encrypted", "client_secret", sign_on_secrets.unseal)
    with op.batch_alter_table("council_sign_ons") as batch:
        batch.alter_column("client_secret", existing_type=sa.String(length=1000), nullable=False)
        batch.drop_column("client_secret_encrypted")
