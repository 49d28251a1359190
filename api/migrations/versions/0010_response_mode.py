"""response mode: a presentation request asks for a plain (direct_post) or an encrypted
(direct_post.jwt) OpenID4VP response

Revision ID: 0010_response_mode
Revises: 0009_staff
Create Date: 2026-12-07 17:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010_response_mode"
down_revision: str | None = "0009_staff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("verifier_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "response_mode",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                server_default="direct_post",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("verifier_request", schema=None) as batch_op:
        batch_op.drop_column("response_mode")
