"""request answers kept sealed, so that staff can verify an answer again later

A request's presentations, as they arrived, with the audience they were verified for, sealed
under the KEK beside the sealed outcome. Requests answered before this revision keep no answer.

Revision ID: 0011_request_answers
Revises: 0010_response_mode
Create Date: 2026-12-07 17:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_request_answers"
down_revision: str | None = "0010_response_mode"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("verifier_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_answer", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("verifier_request", schema=None) as batch_op:
        batch_op.drop_column("sealed_answer")
