"""privacy: no holder key thumbprint in the issuer register, idempotency keys only as keyed hashes

The thumbprint column is dropped with its values (nothing uses it; kept, it would join wallets to
their credentials' types, issuers and revocations in a copy of the database). Idempotency
records are replay caches kept 24 hours; the existing ones hold the keys in plain text and
cannot be re-keyed without the KEK, so they are deleted: a retry of a request made before the
upgrade is then treated as a new request.

Revision ID: 0003_privacy
Revises: 0002_login_throttle
Create Date: 2026-12-07 14:44:58.869258
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003_privacy"
down_revision: str | None = "0002_login_throttle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("issuer_credential", schema=None) as batch_op:
        batch_op.drop_column("holder_thumbprint")

    op.execute("DELETE FROM issuer_idempotency")
    with op.batch_alter_table("issuer_idempotency", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        )
        batch_op.drop_constraint(batch_op.f("uq_issuer_idempotency_key"), type_="unique")
        batch_op.create_unique_constraint(
            "uq_issuer_idempotency_key_hash", ["issuer_id", "key_hash"]
        )
        batch_op.drop_column("key")


def downgrade() -> None:
    op.execute("DELETE FROM issuer_idempotency")
    with op.batch_alter_table("issuer_idempotency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.VARCHAR(length=255), nullable=False))
        batch_op.drop_constraint("uq_issuer_idempotency_key_hash", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_issuer_idempotency_key"), ["issuer_id", "key"]
        )
        batch_op.drop_column("key_hash")

    # The thumbprints are gone; rows issued meanwhile get an empty one.
    with op.batch_alter_table("issuer_credential", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("holder_thumbprint", sa.VARCHAR(length=64), nullable=False, server_default="")
        )
