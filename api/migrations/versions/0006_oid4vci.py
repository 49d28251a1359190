"""OpenID4VCI pre-authorized code grant: offer columns, access tokens, nonces

Revision ID: 0006_oid4vci
Revises: 0005_state_versions
Create Date: 2026-12-07 15:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = "0006_oid4vci"
down_revision: str | None = "0005_state_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("issuer_offer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ref_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "pre_authorized_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
            )
        )
        batch_op.add_column(sa.Column("sealed_pre_authorized", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("tx_code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("tx_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("pre_authorized_used_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_unique_constraint("uq_issuer_offer_ref_hash", ["ref_hash"])
        batch_op.create_unique_constraint(
            "uq_issuer_offer_pre_authorized_hash", ["pre_authorized_hash"]
        )
    op.create_table(
        "issuer_access_token",
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("offer_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("issuer_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("sealed_request", sa.LargeBinary(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuer.id"]),
        sa.ForeignKeyConstraint(["offer_id"], ["issuer_offer.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("issuer_access_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_issuer_access_token_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_issuer_access_token_offer_id"), ["offer_id"], unique=False
        )
    op.create_table(
        "issuer_nonce",
        sa.Column("nonce_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("issuer_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuer.id"]),
        sa.PrimaryKeyConstraint("nonce_hash"),
    )
    with op.batch_alter_table("issuer_nonce", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issuer_nonce_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("issuer_nonce", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issuer_nonce_expires_at"))
    op.drop_table("issuer_nonce")
    with op.batch_alter_table("issuer_access_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issuer_access_token_offer_id"))
        batch_op.drop_index(batch_op.f("ix_issuer_access_token_expires_at"))
    op.drop_table("issuer_access_token")
    with op.batch_alter_table("issuer_offer", schema=None) as batch_op:
        batch_op.drop_constraint("uq_issuer_offer_pre_authorized_hash", type_="unique")
        batch_op.drop_constraint("uq_issuer_offer_ref_hash", type_="unique")
        batch_op.drop_column("pre_authorized_used_at")
        batch_op.drop_column("tx_attempts")
        batch_op.drop_column("tx_code_hash")
        batch_op.drop_column("sealed_pre_authorized")
        batch_op.drop_column("pre_authorized_hash")
        batch_op.drop_column("ref_hash")
