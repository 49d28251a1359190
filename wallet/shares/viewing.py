"""Opening a share by its link and counting its views (issue 5, "Share with consent").

The API's share-view route (``GET /v1/shares/{token}``) calls :func:`open_share`, hands the
presentations, audience and nonce to the verification gate, and calls :func:`record_share_view`
for each view, which goes into the person's activity log with the viewer and the time. The
presentations are the ones made when the person consented, so their KB-JWT ``iat`` is the share's
creation time: the gate checks freshness of share views against ``created_at``, not 5 minutes.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from credentials.clock import as_utc, require_aware
from wallet.activity import ActivityKind, append_activity
from wallet.errors import ShareExpired, ShareNotFound, ShareViewsExhausted, ShareWithdrawn
from wallet.shares.rules import active_clauses, share_content, share_status
from wallet.tables import WalletShare
from wallet.vault import open_vault

MAX_VIEWER_CHARS = 200


@dataclass(frozen=True)
class OpenedShare:
    """What the share-view route hands to the verification gate."""

    share_id: str
    audience: str
    nonce: str
    presentations: tuple[str, ...]
    purpose: str
    created_at: datetime
    expires_at: datetime


def _raise_gone(row: WalletShare, now: datetime) -> None:
    status = share_status(row, now=now)
    if status == "withdrawn":
        raise ShareWithdrawn("The person has withdrawn this share.")
    if status == "expired":
        raise ShareExpired("This share has expired.")
    if status == "used_up":
        raise ShareViewsExhausted("This share has been viewed as often as the person allowed.")


def _by_token(session: Session, token: str) -> WalletShare:
    if not token or len(token) > 128:
        raise ShareNotFound("There is no share at this link.")
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    row = session.exec(select(WalletShare).where(col(WalletShare.token_hash) == digest)).first()
    if row is None:
        raise ShareNotFound("There is no share at this link.")
    return row


def open_share(session: Session, *, token: str, kek: bytes, now: datetime) -> OpenedShare:
    """The presentations of a live share, with the audience and nonce their KB-JWTs carry.

    Raises :class:`ShareNotFound` (404) for an unknown token, and :class:`ShareWithdrawn`,
    :class:`ShareExpired` or :class:`ShareViewsExhausted` (410) for a share that has ended.
    """
    now = require_aware(now)
    row = _by_token(session, token)
    _raise_gone(row, now)
    vault = open_vault(session, holder_id=row.holder_id, kek=kek)
    content = share_content(vault, row)
    return OpenedShare(
        share_id=row.id,
        audience=content["audience"],
        nonce=content["nonce"],
        presentations=tuple(item["presentation"] for item in content["items"]),
        purpose=content["purpose"],
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
    )


def record_share_view(
    session: Session, *, share_id: str, viewer: str, kek: bytes, now: datetime
) -> int:
    """Count one view of a live share and log it (viewer and time) for the person; the count.

    The count is taken atomically, so a share with ``max_views`` is never viewed more often.
    Raises :class:`ShareNotFound` (404) and the 410 errors of :func:`open_share`.
    """
    now = require_aware(now)
    row = session.get(WalletShare, share_id)
    if row is None:
        raise ShareNotFound("There is no such share.")
    counted = session.execute(
        update(WalletShare)
        .where(col(WalletShare.id) == share_id, *active_clauses(now))
        .values(view_count=col(WalletShare.view_count) + 1)
        .execution_options(synchronize_session="fetch")
    )
    if counted.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        session.refresh(row)
        _raise_gone(row, now)
        raise ShareExpired("This share is no longer available.")
    session.refresh(row)
    vault = open_vault(session, holder_id=row.holder_id, kek=kek)
    append_activity(
        session,
        vault=vault,
        kind=ActivityKind.SHARE_VIEWED,
        details={"share_id": share_id, "viewer": viewer[:MAX_VIEWER_CHARS], "view": row.view_count},
        kek=kek,
        now=now,
    )
    session.commit()
    return row.view_count
