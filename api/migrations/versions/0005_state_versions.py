"""state versions: one row each for the issuers' state and the trust registry

A verification keeps what it reads on every request (trust entries, this instance's issuers and
status lists) while these versions are unchanged; every change a verifier must see writes a new
one (issuers.state_version, verifiers.state_version). No row yet reads as "no change yet".

Revision ID: 0005_state_versions
Revises: 0004_offers
Create Date: 2026-12-07 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005_state_versions"
down_revision: str | None = "0004_offers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issuer_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "verifier_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("verifier_state")
    op.drop_table("issuer_state")
