"""Status entries: random unused indices in lists opened as needed; revoke, suspend, reinstate.

draft-ietf-oauth-status-list §4 (2-bit lists: 0 valid, 1 invalid (revoked), 2 suspended), §13
(privacy: unpredictable indices, herd privacy of at least 131,072 entries per list) and W3C
Bitstring Status List §2 (the same entries back the revocation and suspension lists of
``vc+jwt`` credentials).

Allocation (:func:`reserve_status_slots`) is one short transaction: claim capacity on an open
list with one conditional ``UPDATE`` (or open a new list), then insert randomly chosen indices
with ``ON CONFLICT DO NOTHING RETURNING``, retrying the ones taken. The primary key
``(list_id, idx)`` of ``issuer_status_entry`` is what makes indices unique under concurrency;
indices are inserted in ascending order so that concurrent reservations cannot deadlock. A list
is filled to :data:`LIST_CAPACITY` (three quarters) so that a random pick stays likely to be free.
An index whose credential was never issued (an interrupted issuance) stays reserved: indices are
never reused.

Status changes lock the list row first (an ``UPDATE`` of its version), then update the packed
statuses and the register row in the same transaction, so the published list and the register
always agree. Revoked is final.
"""

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import DateTime, bindparam, text, update
from sqlmodel import Session, col, select

from credentials.clock import require_aware
from credentials.status_list import StatusList, StatusType
from issuers.errors import IssuedCredentialNotFound, StatusChangeRefused
from issuers.register import RegisterEntry, register_entry
from issuers.state_version import bump_state_version
from issuers.status_history import StatusNote, check_note, record_status_change
from issuers.tables import Issuer, IssuerCredential, IssuerStatusList

LIST_SIZE: Final = 131_072
"""Entries per list: the W3C minimum, and ample herd privacy for the IETF list (§13.3)."""
LIST_CAPACITY: Final = 98_304
"""Entries handed out per list before a new one is opened (75 %)."""
BITS: Final = 2

ListKind = Literal["ietf", "w3c"]
CredentialStatus = Literal["valid", "revoked", "suspended"]
STATUS_VALUES: Final[dict[str, int]] = {
    "valid": StatusType.VALID,
    "revoked": StatusType.INVALID,
    "suspended": StatusType.SUSPENDED,
}
_MAX_ROUNDS = 200


@dataclass(frozen=True)
class StatusSlot:
    """A reserved status entry: the list and the index in it."""

    list_id: str
    idx: int
    kind: ListKind


@dataclass(frozen=True)
class StatusListState:
    """A list as stored: its packed 2-bit statuses (lsb0) and the version of the last change."""

    id: str
    issuer_id: str
    kind: ListKind
    size: int
    version: int
    statuses: bytes = b""

    def as_status_list(self) -> StatusList:
        """The list as an IETF :class:`~credentials.status_list.StatusList` value."""
        return StatusList(BITS, self.size, self.statuses)


def reserve_status_slots(
    session: Session, *, issuer_id: str, kind: ListKind, count: int, now: datetime
) -> tuple[StatusSlot, ...]:
    """Reserve ``count`` random unused indices in one of the issuer's lists of ``kind``; commits.

    draft-ietf-oauth-status-list §13.2 (unpredictable, unique indices). Raises ``ValueError``
    for a count beyond a list's capacity and ``RuntimeError`` if free indices keep colliding.
    """
    now = require_aware(now)
    if count <= 0:
        return ()
    if count > LIST_CAPACITY:
        raise ValueError("cannot reserve more entries than a list holds")
    list_id = _claim_capacity(session, issuer_id=issuer_id, kind=kind, count=count, now=now)
    picked = _insert_random_entries(session, list_id=list_id, count=count, now=now)
    session.commit()
    secrets.SystemRandom().shuffle(picked)
    return tuple(StatusSlot(list_id, idx, kind) for idx in picked)


def _claim_capacity(
    session: Session, *, issuer_id: str, kind: ListKind, count: int, now: datetime
) -> str:
    claimed = _claim_on_open_list(session, issuer_id=issuer_id, kind=kind, count=count)
    if claimed is not None:
        return claimed
    # No open list: lock the issuer so that concurrent reservations open one list, not one each,
    # then look again (a list another transaction just opened is visible now).
    session.exec(select(Issuer.id).where(col(Issuer.id) == issuer_id).with_for_update()).one()
    claimed = _claim_on_open_list(session, issuer_id=issuer_id, kind=kind, count=count)
    if claimed is not None:
        return claimed
    created = IssuerStatusList(
        id=secrets.token_hex(12),
        issuer_id=issuer_id,
        kind=kind,
        size=LIST_SIZE,
        capacity=LIST_CAPACITY,
        allocated=count,
        version=0,
        statuses=StatusList.empty(bits=BITS, size=LIST_SIZE).packed,
        created_at=now,
    )
    session.add(created)
    session.flush()
    return created.id


def _claim_on_open_list(
    session: Session, *, issuer_id: str, kind: ListKind, count: int
) -> str | None:
    table = IssuerStatusList
    open_list = (
        select(table.id)
        .where(col(table.issuer_id) == issuer_id, col(table.kind) == kind)
        .where(col(table.allocated) + count <= col(table.capacity))
        .order_by(col(table.created_at))
        .limit(1)
        .scalar_subquery()
    )
    # One statement that writes first: it takes the row lock (PostgreSQL) or the write lock
    # (SQLite) before anything is read for the decision, and rechecks the capacity after it.
    claimed = session.exec(
        update(table)
        .where(col(table.id) == open_list)
        .where(col(table.allocated) + count <= col(table.capacity))
        .values(allocated=col(table.allocated) + count)
        .returning(col(table.id))
    ).scalar()
    return claimed if isinstance(claimed, str) else None


def _insert_random_entries(
    session: Session, *, list_id: str, count: int, now: datetime
) -> list[int]:
    tried: set[int] = set()
    picked: list[int] = []
    for _ in range(_MAX_ROUNDS):
        need = count - len(picked)
        if need == 0:
            return picked
        candidates: set[int] = set()
        while len(candidates) < need:
            candidate = secrets.randbelow(LIST_SIZE)
            if candidate not in tried:
                candidates.add(candidate)
                tried.add(candidate)
        found = session.connection().execute(
            _INSERT_ENTRIES[session.get_bind().dialect.name],
            {"list_id": list_id, "now": now, "candidates": _candidates(session, candidates)},
        )
        picked.extend(int(idx) for idx in found.scalars().all())
    raise RuntimeError("could not find free status indices")


# One round trip per attempt whatever the count: the candidates travel as one array (PostgreSQL)
# or one JSON text (SQLite), inserted in ascending order, conflicts skipped, the winners returned.
_INSERT_ENTRIES = {
    "postgresql": text(
        "INSERT INTO issuer_status_entry (list_id, idx, reserved_at) "
        "SELECT :list_id, candidate, :now "
        "FROM unnest(CAST(:candidates AS integer[])) AS candidate ORDER BY candidate "
        "ON CONFLICT DO NOTHING RETURNING idx"
    ).bindparams(bindparam("now", type_=DateTime(timezone=True))),
    "sqlite": text(
        "INSERT INTO issuer_status_entry (list_id, idx, reserved_at) "
        "SELECT :list_id, value, :now FROM json_each(:candidates) WHERE 1 ORDER BY value "
        "ON CONFLICT DO NOTHING RETURNING idx"
    ).bindparams(bindparam("now", type_=DateTime(timezone=True))),
}


def _candidates(session: Session, candidates: set[int]) -> object:
    ordered = sorted(candidates)
    if session.get_bind().dialect.name == "postgresql":
        return ordered
    return json.dumps(ordered)


def change_credential_status(
    session: Session,
    *,
    issuer_id: str,
    credential_id: str,
    status: CredentialStatus,
    now: datetime,
    note: StatusNote | None = None,
    kek: bytes | None = None,
) -> RegisterEntry:
    """Set a credential's status to valid, revoked or suspended; commits.

    draft-ietf-oauth-status-list §7.1 (VALID, INVALID, SUSPENDED) and W3C Bitstring Status List
    §2.1 (revocation is permanent). Setting the current status again changes nothing. A change
    is added to the credential's history (:mod:`issuers.status_history`) with ``note`` sealed
    under ``kek``. Raises :class:`IssuedCredentialNotFound` (also for another issuer's
    credential) and :class:`StatusChangeRefused` for any change away from revoked.
    """
    now = require_aware(now)
    if status not in STATUS_VALUES:
        raise ValueError("status must be valid, revoked or suspended")
    check_note(note, kek=kek)
    found = session.exec(
        select(IssuerCredential.list_id, IssuerCredential.idx).where(
            col(IssuerCredential.id) == credential_id, col(IssuerCredential.issuer_id) == issuer_id
        )
    ).first()
    if found is None:
        raise IssuedCredentialNotFound("no credential of this issuer has this id")
    list_id, idx = found
    # Lock the list first: every change of an entry of this list is serialised behind it.
    packed, size = session.exec(
        update(IssuerStatusList)
        .where(col(IssuerStatusList.id) == list_id)
        .values(version=col(IssuerStatusList.version) + 1)
        .returning(col(IssuerStatusList.statuses), col(IssuerStatusList.size))
    ).one()
    row = session.exec(
        select(IssuerCredential)
        .where(col(IssuerCredential.id) == credential_id)
        .execution_options(populate_existing=True)
    ).one()
    if row.status == status:
        session.rollback()
        return register_entry(row)
    if row.status == "revoked":
        session.rollback()
        raise StatusChangeRefused("a revoked credential cannot be suspended or reinstated")
    updated = StatusList(BITS, size, packed).with_status(idx, STATUS_VALUES[status])
    session.exec(
        update(IssuerStatusList)
        .where(col(IssuerStatusList.id) == list_id)
        .values(statuses=updated.packed)
    )
    row.status = status
    row.status_changed_at = now
    session.add(row)
    record_status_change(
        session, credential_id=credential_id, status=status, note=note, kek=kek, now=now
    )
    bump_state_version(session)  # the next verification on every worker sees it
    session.commit()
    return register_entry(row)


def read_status_list(session: Session, *, list_id: str, with_statuses: bool) -> StatusListState:
    """A list's kind, version and (when asked) its packed statuses; ``LookupError`` if unknown."""
    table = IssuerStatusList
    found = session.exec(
        select(table.issuer_id, table.kind, table.size, table.version).where(
            col(table.id) == list_id
        )
    ).first()
    if found is None:
        raise LookupError("no such status list")
    issuer_id, kind, size, version = found
    statuses = b""
    if with_statuses:
        statuses = session.exec(select(table.statuses).where(col(table.id) == list_id)).one()
    list_kind: ListKind = "ietf" if kind == "ietf" else "w3c"
    return StatusListState(list_id, issuer_id, list_kind, size, version, statuses)
