"""A verifier's presentation requests, newest first, a page at a time (no claims).

Keyset pagination over ``(created_at, id)`` with an opaque cursor, as the issuers' register.
A summary holds the purpose, when it was made and until when it is open, and its status
(``pending``, ``verified``, ``rejected``, ``expired``), never the answer itself.
"""

import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlmodel import Session, and_, col, or_, select

from credentials.clock import as_utc, require_aware
from credentials.encoding import b64url_decode, b64url_encode
from credentials.errors import MalformedInput
from verifiers.errors import RequestPageInvalid
from verifiers.presentation_requests import RequestStatus, status_of
from verifiers.tables import VerifierRequest

MAX_PAGE: Final = 100


@dataclass(frozen=True)
class RequestSummary:
    """One request in the history: what was asked and why, and how it ended."""

    id: str
    status: RequestStatus
    purpose: str
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class RequestPage:
    """A page of the history and the cursor of the next page (``None`` at the end)."""

    items: tuple[RequestSummary, ...]
    next_cursor: str | None


def list_requests(
    session: Session, *, verifier_id: str, limit: int, cursor: str | None, now: datetime
) -> RequestPage:
    """The verifier's requests, newest first.

    Raises :class:`RequestPageInvalid` (400) for a malformed cursor or a limit outside
    1..:data:`MAX_PAGE`.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise RequestPageInvalid(f"limit must be 1 to {MAX_PAGE}")
    now = require_aware(now)
    table = VerifierRequest
    query = select(table).where(col(table.verifier_id) == verifier_id)
    if cursor is not None:
        at, last_id = _decode_cursor(cursor)
        query = query.where(
            or_(
                col(table.created_at) < at,
                and_(col(table.created_at) == at, col(table.id) < last_id),
            )
        )
    query = query.order_by(col(table.created_at).desc(), col(table.id).desc()).limit(limit + 1)
    rows = session.exec(query).all()
    items = tuple(
        RequestSummary(
            id=row.id,
            status=status_of(row, now),
            purpose=row.purpose,
            created_at=as_utc(row.created_at),
            expires_at=as_utc(row.expires_at),
            answered_at=as_utc(row.answered_at) if row.answered_at else None,
        )
        for row in rows[:limit]
    )
    next_cursor = _encode_cursor(items[-1]) if len(rows) > limit else None
    return RequestPage(items=items, next_cursor=next_cursor)


def _encode_cursor(summary: RequestSummary) -> str:
    return b64url_encode(f"{summary.created_at.isoformat()}|{summary.id}".encode())


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, _, last_id = b64url_decode(cursor, what="cursor").decode("ascii").partition("|")
        return as_utc(datetime.fromisoformat(at)), last_id
    except (MalformedInput, ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise RequestPageInvalid("the cursor is not valid") from None
