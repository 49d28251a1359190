"""spreadsheet batches: checked rows waiting to be issued as offers, and their results

Revision ID: 0012_batches
Revises: 0011_request_answers
Create Date: 2026-12-07 17:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0012_batches"
down_revision: str | None = "0011_request_answers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "issuer_batch",
        sa.Column("id", _text(40), nullable=False),
        sa.Column("issuer_id", _text(40), nullable=False),
        sa.Column("owner", _text(40), nullable=False),
        sa.Column("type_slug", _text(64), nullable=False),
        sa.Column("state", _text(16), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_good", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("sealed_rows", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_results", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuer.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("issuer_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issuer_batch_issuer_id"), ["issuer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_issuer_batch_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("issuer_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issuer_batch_expires_at"))
        batch_op.drop_index(batch_op.f("ix_issuer_batch_issuer_id"))
    op.drop_table("issuer_batch")
