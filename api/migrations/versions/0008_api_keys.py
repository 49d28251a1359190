"""several named, revocable API keys per organisation; organisations can be disabled

Each issuer's and verifier's one key hash moves into ``issuer_api_key`` / ``verifier_api_key``
as a key named "first key", so every existing key keeps working; the old columns go.
Downgrading keeps each organisation's oldest unrevoked key (one without any gets a hash no key
has, which nothing can use).

Revision ID: 0008_api_keys
Revises: 0007_guidance
Create Date: 2026-12-07 15:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008_api_keys"
down_revision: str | None = "0007_guidance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, key table's owner column, the first key's id made from the owner's unique id)
_OWNERS = (
    ("issuer", "issuer_id", "'ikey_' || id"),
    ("verifier", "verifier_id", "'vkey_' || substr(id, 5)"),  # ids are vrf_ + 32 hex digits
)


def upgrade() -> None:
    for owner, owner_id, first_id in _OWNERS:
        op.create_table(
            f"{owner}_api_key",
            sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
            sa.Column(owner_id, sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
            sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
            sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint([owner_id], [f"{owner}.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("key_hash"),
        )
        op.create_index(
            op.f(f"ix_{owner}_api_key_{owner_id}"), f"{owner}_api_key", [owner_id], unique=False
        )
        # Dropping ``api_key_hash`` drops its unique constraint with it.
        op.execute(
            f"INSERT INTO {owner}_api_key (id, {owner_id}, name, key_hash, created_at) "
            f"SELECT {first_id}, id, 'first key', api_key_hash, created_at FROM {owner}"
        )
        with op.batch_alter_table(owner, schema=None) as batch_op:
            batch_op.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
            batch_op.drop_column("api_key_hash")


def downgrade() -> None:
    for owner, owner_id, _first_id in _OWNERS:
        with op.batch_alter_table(owner, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("api_key_hash", sa.VARCHAR(length=64), nullable=False, server_default="")
            )
        op.execute(
            f"UPDATE {owner} SET api_key_hash = COALESCE((SELECT k.key_hash FROM {owner}_api_key k "
            f"WHERE k.{owner_id} = {owner}.id AND k.revoked_at IS NULL "
            f"ORDER BY k.created_at, k.id LIMIT 1), 'none-' || id)"
        )
        with op.batch_alter_table(owner, schema=None) as batch_op:
            batch_op.create_unique_constraint(f"{owner}_api_key_hash_key", ["api_key_hash"])
            batch_op.drop_column("disabled_at")
        op.drop_index(op.f(f"ix_{owner}_api_key_{owner_id}"), table_name=f"{owner}_api_key")
        op.drop_table(f"{owner}_api_key")
