"""The issuer's register of what it issued: no claims, only what status management needs.

Each row: id, type, format, status entry (list and index), a SHA-256 digest of the credential
as issued, the signing ``kid`` and the times; not the holder's key (:mod:`issuers.tables`).
Listing is newest first with an opaque cursor (keyset pagination over ``(issued_at, id)``).
"""

import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlmodel import Session, and_, col, or_, select

from credentials.clock import as_utc, as_utc_or_none
from credentials.encoding import b64url_decode, b64url_encode
from credentials.errors import MalformedInput
from issuers.errors import IssuedCredentialNotFound, PageInvalid
from issuers.tables import IssuerCredential

MAX_PAGE: Final = 200


@dataclass(frozen=True)
class RegisterEntry:
    """One issued credential as the register knows it."""

    id: str
    type: str
    vct: str
    format: str
    status: str
    status_list_id: str
    status_index: int
    digest: str
    kid: str
    issued_at: datetime
    expires_at: datetime | None
    status_changed_at: datetime | None


@dataclass(frozen=True)
class RegisterPage:
    """A page of the register and the cursor of the next page (``None`` at the end)."""

    items: tuple[RegisterEntry, ...]
    next_cursor: str | None


def register_entry(row: IssuerCredential) -> RegisterEntry:
    """The register entry of a row."""
    return RegisterEntry(
        id=row.id,
        type=row.type_slug,
        vct=row.vct,
        format=row.format,
        status=row.status,
        status_list_id=row.list_id,
        status_index=row.idx,
        digest=row.digest,
        kid=row.kid,
        issued_at=as_utc(row.issued_at),
        expires_at=as_utc_or_none(row.expires_at),
        status_changed_at=as_utc_or_none(row.status_changed_at),
    )


def get_issued_credential(session: Session, *, issuer_id: str, credential_id: str) -> RegisterEntry:
    """The register entry ``credential_id`` of this issuer.

    Raises :class:`IssuedCredentialNotFound`, also for a credential of another issuer.
    """
    row = session.exec(
        select(IssuerCredential).where(
            col(IssuerCredential.id) == credential_id, col(IssuerCredential.issuer_id) == issuer_id
        )
    ).first()
    if row is None:
        raise IssuedCredentialNotFound("no credential of this issuer has this id")
    return register_entry(row)


def list_issued_credentials(
    session: Session,
    *,
    issuer_id: str,
    type: str | None = None,
    status: str | None = None,
    issued_after: datetime | None = None,
    issued_before: datetime | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> RegisterPage:
    """The issuer's register, newest first, filtered by type, status and issuance time.

    ``issued_after`` is inclusive, ``issued_before`` exclusive. Raises :class:`PageInvalid`
    for a malformed cursor or a limit outside 1..200.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise PageInvalid(f"limit must be 1 to {MAX_PAGE}")
    table = IssuerCredential
    query = select(table).where(col(table.issuer_id) == issuer_id)
    if type is not None:
        query = query.where(col(table.type_slug) == type)
    if status is not None:
        query = query.where(col(table.status) == status)
    if issued_after is not None:
        query = query.where(col(table.issued_at) >= issued_after)
    if issued_before is not None:
        query = query.where(col(table.issued_at) < issued_before)
    if cursor is not None:
        at, last_id = _decode_cursor(cursor)
        query = query.where(
            or_(
                col(table.issued_at) < at,
                and_(col(table.issued_at) == at, col(table.id) < last_id),
            )
        )
    query = query.order_by(col(table.issued_at).desc(), col(table.id).desc()).limit(limit + 1)
    rows = session.exec(query).all()
    items = tuple(register_entry(row) for row in rows[:limit])
    next_cursor = _encode_cursor(items[-1]) if len(rows) > limit else None
    return RegisterPage(items=items, next_cursor=next_cursor)


def _encode_cursor(entry: RegisterEntry) -> str:
    return b64url_encode(f"{entry.issued_at.isoformat()}|{entry.id}".encode())


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, _, last_id = b64url_decode(cursor, what="cursor").decode("ascii").partition("|")
        return as_utc(datetime.fromisoformat(at)), last_id
    except (MalformedInput, ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise PageInvalid("the cursor is not valid") from None
