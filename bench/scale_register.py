"""Growing an issuer's register to a million credentials quickly, straight in PostgreSQL.

Issuing a million credentials through the API would take longer than the benchmark may run, so
the register is bulk-loaded with ``INSERT ... SELECT ... FROM generate_series``: status lists of
the service's shape (131,072 entries, 98,304 handed out, then the next list), one reserved
status entry per credential and one register row per credential, as the issuers service writes
them (without claims, which the register never holds). Pickup and idempotency rows, which
expire, are not loaded. ``ANALYZE`` follows, as autovacuum would do on a live database.
"""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, text
from sqlmodel import Session, col, select

from credentials.status_list import StatusList
from issuers.status import BITS, LIST_CAPACITY, LIST_SIZE
from issuers.tables import Issuer, IssuerKey

# Entries first, skipping indices the service already reserved in a list it shares with the
# bench; a register row for each entry actually inserted.
_FILL = text(
    "WITH entries AS ("
    "INSERT INTO issuer_status_entry (list_id, idx, reserved_at) "
    "SELECT :list_id, g, CAST(:issued AS timestamptz) "
    "FROM generate_series(CAST(:start AS integer), CAST(:stop AS integer) - 1) AS g "
    "ON CONFLICT DO NOTHING RETURNING idx) "
    "INSERT INTO issuer_credential (id, issuer_id, type_slug, vct, format, list_id, idx, status, "
    "digest, kid, issued_at, expires_at, status_changed_at) "
    "SELECT 'bch_' || substr(md5(:list_id || idx::text), 1, 32), :issuer_id, :type_slug, :vct, "
    "'dc+sd-jwt', :list_id, idx, 'valid', "
    "substr(md5('d' || :list_id || idx::text), 1, 43), :kid, "
    "CAST(:issued AS timestamptz) - idx * interval '1 second', NULL, NULL FROM entries"
)


@dataclass
class BulkRegister:
    """The bench-loaded part of one issuer's register (lists filled in order)."""

    issuer_id: str
    kid: str
    vct: str
    type_slug: str
    lists: list[tuple[str, int]] = field(default_factory=list)
    """Each bench list and the next index the bench will try in it."""
    loaded: int = 0


def bulk_register(engine: Engine, *, slug: str, vct: str, type_slug: str) -> BulkRegister:
    """Start bulk-loading the register of the issuer ``slug``."""
    with Session(engine) as session:
        issuer_id = session.exec(select(Issuer.id).where(col(Issuer.slug) == slug)).one()
        kid = session.exec(
            select(IssuerKey.kid).where(
                col(IssuerKey.issuer_id) == issuer_id, col(IssuerKey.retired_at).is_(None)
            )
        ).one()
    return BulkRegister(issuer_id, kid, vct, type_slug)


def grow(engine: Engine, register: BulkRegister, count: int) -> None:
    """Add ``count`` register rows (and their status entries), opening lists as needed."""
    issued = datetime.now(UTC) - timedelta(days=1)
    with engine.begin() as connection:
        while count > 0:
            room = 0
            if register.lists:
                list_id, next_idx = register.lists[-1]
                allocated = connection.execute(
                    text("SELECT allocated FROM issuer_status_list WHERE id = :id"),
                    {"id": list_id},
                ).scalar_one()
                room = min(LIST_CAPACITY - allocated, LIST_SIZE - next_idx)
            if room <= 0:
                list_id, next_idx = _open_list(connection, register, issued), 0
                room = LIST_CAPACITY
            step = min(count, room)
            inserted = int(
                connection.execute(
                    _FILL,
                    {
                        "list_id": list_id,
                        "issuer_id": register.issuer_id,
                        "type_slug": register.type_slug,
                        "vct": register.vct,
                        "kid": register.kid,
                        "issued": issued,
                        "start": next_idx,
                        "stop": next_idx + step,
                    },
                ).rowcount
            )
            connection.execute(
                text("UPDATE issuer_status_list SET allocated = allocated + :n WHERE id = :id"),
                {"n": inserted, "id": list_id},
            )
            register.lists[-1] = (list_id, next_idx + step)
            register.loaded += inserted
            count -= inserted
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("issuer_status_list", "issuer_status_entry", "issuer_credential"):
            connection.execute(text(f"ANALYZE {table}"))


def _open_list(connection: Connection, register: BulkRegister, issued: datetime) -> str:
    list_id = f"bch{len(register.lists):04d}{secrets.token_hex(6)}"
    connection.execute(
        text(
            "INSERT INTO issuer_status_list (id, issuer_id, kind, size, capacity, allocated, "
            "version, statuses, created_at) VALUES (:id, :issuer_id, 'ietf', :size, :capacity, "
            "0, 0, :statuses, :created)"
        ),
        {
            "id": list_id,
            "issuer_id": register.issuer_id,
            "size": LIST_SIZE,
            "capacity": LIST_CAPACITY,
            "statuses": StatusList.empty(bits=BITS, size=LIST_SIZE).packed,
            # Older than any list the service opens, as a long-running issuer's lists are.
            "created": issued - timedelta(days=365 - len(register.lists)),
        },
    )
    register.lists.append((list_id, 0))
    return list_id


def register_size(engine: Engine) -> int:
    """Rows in the register (bench-loaded and issued through the API)."""
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM issuer_credential")).scalar_one())
