"""staff accounts: the organisations' people, their roles, invitations and browser sessions

Revision ID: 0009_staff
Revises: 0008_api_keys
Create Date: 2026-12-07 15:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009_staff"
down_revision: str | None = "0008_api_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "staff_account",
        sa.Column("id", _text(40), nullable=False),
        sa.Column("username", _text(64), nullable=False),
        sa.Column("name", _text(200), nullable=False),
        sa.Column("password_hash", _text(512), nullable=False),
        sa.Column("platform_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "staff_invite",
        sa.Column("id", _text(40), nullable=False),
        sa.Column("token_hash", _text(64), nullable=False),
        sa.Column("organisation", _text(64), nullable=False),
        sa.Column("role", _text(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_staff_invite_organisation"), "staff_invite", ["organisation"], unique=False
    )
    op.create_table(
        "staff_membership",
        sa.Column("account_id", _text(40), nullable=False),
        sa.Column("organisation", _text(64), nullable=False),
        sa.Column("role", _text(20), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["staff_account.id"]),
        sa.PrimaryKeyConstraint("account_id", "organisation", "role"),
    )
    op.create_table(
        "staff_session",
        sa.Column("token_hash", _text(64), nullable=False),
        sa.Column("account_id", _text(40), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["staff_account.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_staff_session_account_id"), "staff_session", ["account_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_session_account_id"), table_name="staff_session")
    op.drop_table("staff_session")
    op.drop_table("staff_membership")
    op.drop_index(op.f("ix_staff_invite_organisation"), table_name="staff_invite")
    op.drop_table("staff_invite")
    op.drop_table("staff_account")
