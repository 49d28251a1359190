"""activity bounds: how many of a share's views and a grant's reads the activity log accounts for

Revision ID: 0014_activity_bounds
Revises: 0013_status_history
Create Date: 2026-12-07 17:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_activity_bounds"
down_revision: str | None = "0013_status_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("wallet_share", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("logged_views", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("last_logged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("unlogged_since", sa.DateTime(timezone=True), nullable=True))
    # Until now every view had its own entry: the log accounts for all of them.
    op.execute("UPDATE wallet_share SET logged_views = view_count")
    with op.batch_alter_table("wallet_grant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("read_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("logged_reads", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("last_logged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("unlogged_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("wallet_grant", schema=None) as batch_op:
        batch_op.drop_column("unlogged_since")
        batch_op.drop_column("last_logged_at")
        batch_op.drop_column("logged_reads")
        batch_op.drop_column("read_count")
    with op.batch_alter_table("wallet_share", schema=None) as batch_op:
        batch_op.drop_column("unlogged_since")
        batch_op.drop_column("last_logged_at")
        batch_op.drop_column("logged_views")
