"""status history: every revocation, suspension and reinstatement of an issued credential,
and the register's sealed summary of whom each credential is about

Revision ID: 0013_status_history
Revises: 0012_batches
Create Date: 2026-12-07 17:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0013_status_history"
down_revision: str | None = "0012_batches"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("issuer_credential", sa.Column("sealed_subject", sa.LargeBinary(), nullable=True))
    op.create_table(
        "issuer_status_change",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("credential_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sealed_note", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["credential_id"], ["issuer_credential.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_issuer_status_change_credential",
        "issuer_status_change",
        ["credential_id", "changed_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_issuer_status_change_credential", table_name="issuer_status_change")
    op.drop_table("issuer_status_change")
    with op.batch_alter_table("issuer_credential") as batch:
        batch.drop_column("sealed_subject")
