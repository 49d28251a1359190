"""The status history of an issued credential: each revocation, suspension and reinstatement.

A change is recorded in the transaction that makes it (:func:`record_status_change`, called by
:func:`issuers.status.change_credential_status`), so the history and the published list always
agree. Who asked and why are what staff wrote, possibly about the person, so they are kept
sealed under the KEK (AES-256-GCM, ``sealing.aead``) with associated data
``issuer-status-change|<credential id>|<change id>``: a copy of the database reads only the
statuses and their times.
"""

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlmodel import Session, col, select

from credentials.clock import as_utc
from issuers.errors import IssuedCredentialNotFound
from issuers.tables import IssuerCredential, IssuerStatusChange
from sealing.aead import open_sealed, seal

MAX_REASON_LENGTH: Final = 500
MAX_HISTORY: Final = 200


@dataclass(frozen=True)
class StatusNote:
    """Why a status changed and who changed it (a staff member's name; ``None``: the API)."""

    reason: str
    changed_by: str | None


@dataclass(frozen=True)
class StatusChange:
    """One entry of a credential's status history."""

    status: str
    changed_at: datetime
    reason: str | None
    changed_by: str | None


def _context(credential_id: str, change_id: str) -> bytes:
    return f"issuer-status-change|{credential_id}|{change_id}".encode()


def check_note(note: StatusNote | None, *, kek: bytes | None) -> None:
    """Raise ``ValueError`` for a note without the KEK that seals it or a reason over 500
    characters."""
    if note is None:
        return
    if kek is None:
        raise ValueError("a status note is sealed: give the KEK")
    if len(note.reason) > MAX_REASON_LENGTH:
        raise ValueError("a reason has at most 500 characters")


def record_status_change(
    session: Session,
    *,
    credential_id: str,
    status: str,
    note: StatusNote | None,
    kek: bytes | None,
    now: datetime,
) -> None:
    """Add one history entry in the caller's transaction (no commit).

    Raises ``ValueError`` for a note without the KEK that seals it or a reason over 500
    characters.
    """
    check_note(note, kek=kek)
    change_id = secrets.token_hex(16)
    sealed = None
    if note is not None and kek is not None:
        plain = json.dumps({"reason": note.reason, "by": note.changed_by}).encode("utf-8")
        sealed = seal(
            kek,
            plain,
            context=_context(credential_id, change_id),
            nonce=secrets.token_bytes(12),
        )
    session.add(
        IssuerStatusChange(
            id=change_id,
            credential_id=credential_id,
            status=status,
            changed_at=now,
            sealed_note=sealed,
        )
    )


def status_history(
    session: Session, *, issuer_id: str, credential_id: str, kek: bytes
) -> tuple[StatusChange, ...]:
    """The credential's status changes, oldest first (at most 200).

    Raises :class:`IssuedCredentialNotFound`, also for a credential of another issuer.
    """
    owner = session.exec(
        select(IssuerCredential.issuer_id).where(col(IssuerCredential.id) == credential_id)
    ).first()
    if owner is None or owner != issuer_id:
        raise IssuedCredentialNotFound("no credential of this issuer has this id")
    rows = session.exec(
        select(IssuerStatusChange)
        .where(col(IssuerStatusChange.credential_id) == credential_id)
        .order_by(col(IssuerStatusChange.changed_at), col(IssuerStatusChange.id))
        .limit(MAX_HISTORY)
    ).all()
    return tuple(_change(row, kek) for row in rows)


def _change(row: IssuerStatusChange, kek: bytes) -> StatusChange:
    reason: str | None = None
    changed_by: str | None = None
    if row.sealed_note is not None:
        opened = open_sealed(kek, row.sealed_note, context=_context(row.credential_id, row.id))
        note = json.loads(opened)
        reason = note.get("reason") or None
        changed_by = note.get("by")
    return StatusChange(
        status=row.status,
        changed_at=as_utc(row.changed_at),
        reason=reason,
        changed_by=changed_by,
    )
