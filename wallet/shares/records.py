"""A person's shares after they are made: list, read, withdraw (issue 5, "Share with consent").

Withdrawal takes effect at once: from the moment it is committed,
:func:`wallet.shares.viewing.open_share` answers 410 for the share. Deleting a credential
withdraws every live share that presents it.
"""

import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from credentials.clock import as_utc, require_aware
from credentials.encoding import b64url_decode, b64url_encode
from credentials.errors import MalformedInput
from wallet.activity import ActivityKind, append_activity
from wallet.claims import ClaimPointer
from wallet.errors import PageInvalid, ShareNotFound
from wallet.shares.rules import (
    AudienceKind,
    audience_kind,
    share_content,
    share_status,
    who_can_open,
)
from wallet.tables import WalletShare
from wallet.vault import Vault, open_vault


@dataclass(frozen=True)
class SharedItem:
    credential_id: str
    claims: tuple[ClaimPointer, ...]


@dataclass(frozen=True)
class ShareSummary:
    """A share as its owner sees it."""

    id: str
    status: Literal["active", "withdrawn", "expired", "used_up"]
    audience: str
    audience_kind: AudienceKind
    opens_for: str
    purpose: str
    created_at: datetime
    expires_at: datetime
    withdrawn_at: datetime | None
    max_views: int | None
    view_count: int
    unlisted_views: int
    """Views counted but not yet in the activity log (:mod:`wallet.shares.viewing`)."""
    unlisted_since: datetime | None
    items: tuple[SharedItem, ...]


def _summary(vault: Vault, row: WalletShare, now: datetime, base_url: str) -> ShareSummary:
    content = share_content(vault, row)
    return ShareSummary(
        id=row.id,
        status=share_status(row, now=now),
        audience=content["audience"],
        audience_kind=audience_kind(content["audience"], base_url=base_url),
        opens_for=who_can_open(content["audience"], base_url=base_url),
        purpose=content["purpose"],
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        withdrawn_at=as_utc(row.withdrawn_at) if row.withdrawn_at else None,
        max_views=row.max_views,
        view_count=row.view_count,
        unlisted_views=row.view_count - row.logged_views,
        unlisted_since=as_utc(row.unlogged_since) if row.unlogged_since else None,
        items=tuple(
            SharedItem(item["credential_id"], tuple(tuple(p) for p in item["claims"]))
            for item in content["items"]
        ),
    )


def list_shares(
    session: Session, *, holder_id: str, kek: bytes, base_url: str, now: datetime
) -> tuple[ShareSummary, ...]:
    """Every share of the holder, newest first, with its status and view count."""
    now = require_aware(now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    rows = session.exec(
        select(WalletShare)
        .where(col(WalletShare.holder_id) == holder_id)
        .order_by(col(WalletShare.created_at).desc(), col(WalletShare.id))
    )
    return tuple(_summary(vault, row, now, base_url) for row in rows)


def list_shares_page(
    session: Session,
    *,
    holder_id: str,
    kek: bytes,
    base_url: str,
    now: datetime,
    limit: int,
    cursor: str | None,
) -> tuple[ShareSummary, ...]:
    """At most ``limit`` shares of the holder, newest first, after ``cursor`` (a
    :func:`share_cursor`). Raises :class:`PageInvalid` (400) for a malformed cursor."""
    now = require_aware(now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    table = WalletShare
    query = select(table).where(col(table.holder_id) == holder_id)
    if cursor is not None:
        at, last_id = _decode_cursor(cursor)
        query = query.where(
            or_(
                col(table.created_at) < at,
                and_(col(table.created_at) == at, col(table.id) > last_id),
            )
        )
    rows = session.exec(query.order_by(col(table.created_at).desc(), col(table.id)).limit(limit))
    return tuple(_summary(vault, row, now, base_url) for row in rows)


def share_cursor(share: ShareSummary) -> str:
    """Where the next page of :func:`list_shares_page` starts: after ``share``."""
    return b64url_encode(f"{share.created_at.isoformat()}|{share.id}".encode())


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, _, last_id = b64url_decode(cursor, what="cursor").decode("ascii").partition("|")
        return as_utc(datetime.fromisoformat(at)), last_id
    except (MalformedInput, ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise PageInvalid("The cursor is not valid.") from None


def _own_share(session: Session, holder_id: str, share_id: str) -> WalletShare:
    row = session.get(WalletShare, share_id)
    if row is None or row.holder_id != holder_id:
        raise ShareNotFound(f"No share {share_id!r} in your wallet.")
    return row


def get_share(
    session: Session, *, holder_id: str, share_id: str, kek: bytes, base_url: str, now: datetime
) -> ShareSummary:
    """One share of the holder. Raises :class:`ShareNotFound` (404, also for another's share)."""
    now = require_aware(now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    return _summary(vault, _own_share(session, holder_id, share_id), now, base_url)


def _withdraw(session: Session, vault: Vault, row: WalletShare, kek: bytes, now: datetime) -> None:
    row.withdrawn_at = now
    session.add(row)
    append_activity(
        session,
        vault=vault,
        kind=ActivityKind.SHARE_WITHDRAWN,
        details={"share_id": row.id},
        kek=kek,
        now=now,
    )


def withdraw_share(
    session: Session, *, holder_id: str, share_id: str, kek: bytes, base_url: str, now: datetime
) -> ShareSummary:
    """Withdraw a share at once (idempotent). Raises :class:`ShareNotFound` (404)."""
    now = require_aware(now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    row = _own_share(session, holder_id, share_id)
    if row.withdrawn_at is None:
        _withdraw(session, vault, row, kek, now)
        session.commit()
    return _summary(vault, row, now, base_url)


def withdraw_shares_of_credential(
    session: Session, *, vault: Vault, credential_id: str, kek: bytes, now: datetime
) -> tuple[str, ...]:
    """Withdraw the holder's live shares presenting ``credential_id`` (the caller commits)."""
    rows = session.exec(
        select(WalletShare).where(
            col(WalletShare.holder_id) == vault.holder_id, col(WalletShare.withdrawn_at).is_(None)
        )
    )
    withdrawn = []
    for row in list(rows):
        items = share_content(vault, row)["items"]
        if any(item["credential_id"] == credential_id for item in items):
            _withdraw(session, vault, row, kek, now)
            withdrawn.append(row.id)
    return tuple(withdrawn)
