"""dpop: access tokens bound to a DPoP key (RFC 9449 §6), and the DPoP proofs already seen

Revision ID: 0015_dpop
Revises: 0014_activity_bounds
Create Date: 2026-12-07 18:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0015_dpop"
down_revision: str | None = "0014_activity_bounds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("issuer_access_token", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("dpop_jkt", sqlmodel.sql.sqltypes.AutoString(length=43), nullable=True)
        )
    op.create_table(
        "issuer_dpop_proof",
        sa.Column("jti_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("issuer_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuer.id"]),
        sa.PrimaryKeyConstraint("jti_hash"),
    )
    with op.batch_alter_table("issuer_dpop_proof", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_issuer_dpop_proof_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("issuer_dpop_proof", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issuer_dpop_proof_expires_at"))
    op.drop_table("issuer_dpop_proof")
    with op.batch_alter_table("issuer_access_token", schema=None) as batch_op:
        batch_op.drop_column("dpop_jkt")
