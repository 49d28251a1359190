"""Opening a share by its link, presenting it afresh for each view, counting its views.

Issue 5, "Share with consent"; issue 12. The share-view flow (:mod:`api.flows.share_view`)
finds the share by its link (:func:`find_share`: an unknown link is 404 and nothing else is
told), authenticates the viewer the audience requires, and only then asks for a presentation
(:func:`present_share`), which answers 410 for a share that has ended. So a withdrawn share
for a named verifier tells no one but that verifier that it exists.

:func:`present_share` makes each presentation at the time of the view: only the shared
Disclosures and a KB-JWT (RFC 9901 §4.3) for the share's audience, the view's nonce and the
current ``iat``, signed with the holder key the credential is bound to. The verifier checks it
with the normal 5-minute freshness (RFC 9901 §7.3), so no presentation outlives its view.
:func:`record_share_view` counts each view and logs it (viewer and time) for the person.

The log stays bounded however often a link is opened (an "anyone" link opened in a loop must not
grow a person's log and the database without end), and still accounts for every view: the first
:data:`VIEWS_LOGGED_SINGLY` views of a share are one entry each; after that a share gets at most
one entry per :data:`VIEW_LOG_INTERVAL`, which counts every view since the share's previous entry
(``views``, from ``first_viewed_at`` to its own time). Views in between are counted on the share
(``view_count``, shown with the share at once) and enter the log with the share's next entry. So
views add at most ``VIEWS_LOGGED_SINGLY`` plus one entry a day per share, and a share lives at
most a year; the entries stay append-only and hash-chained (:mod:`wallet.activity`), nothing is
rewritten, and the ``views`` of a share's entries add up to its views so far.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from credentials.clock import as_utc, require_aware
from credentials.encoding import JSONValue
from wallet.activity import (
    COUNTED_LOG_INTERVAL,
    LOGGED_SINGLY,
    ActivityKind,
    append_activity,
    counted_entry_due,
)
from wallet.claims import ClaimPointer
from wallet.errors import ShareExpired, ShareNotFound, ShareViewsExhausted, ShareWithdrawn
from wallet.shares.creation import KeyBindingFor, present_items
from wallet.shares.rules import (
    AudienceKind,
    ShareItem,
    active_clauses,
    audience_kind,
    share_content,
    share_status,
)
from wallet.tables import WalletShare
from wallet.vault import open_vault

MAX_VIEWER_CHARS = 200
MAX_NONCE_CHARS = 128
VIEWS_LOGGED_SINGLY = LOGGED_SINGLY
VIEW_LOG_INTERVAL = COUNTED_LOG_INTERVAL


@dataclass(frozen=True)
class FoundShare:
    """A share found by its link, before anyone is told whether it is still live."""

    share_id: str
    audience: str
    audience_kind: AudienceKind
    purpose: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class SharePresentation:
    """A view's presentations: KB-JWTs for ``audience`` and ``nonce``, made at ``issued_at``."""

    share_id: str
    audience: str
    nonce: str
    issued_at: datetime
    presentations: tuple[str, ...]


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


def find_share(session: Session, *, token: str, kek: bytes, base_url: str) -> FoundShare:
    """The share at a link, live or not: who it is for, so the caller can authenticate first.

    Raises :class:`ShareNotFound` (404) for an unknown link; never a 410 (see the module).
    """
    row = _by_token(session, token)
    content = share_content(open_vault(session, holder_id=row.holder_id, kek=kek), row)
    return FoundShare(
        share_id=row.id,
        audience=content["audience"],
        audience_kind=audience_kind(content["audience"], base_url=base_url),
        purpose=content["purpose"],
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
    )


def present_share(
    session: Session, *, share_id: str, nonce: str, kek: bytes, now: datetime
) -> SharePresentation:
    """Present a live share afresh: the shared Disclosures and a KB-JWT for this view.

    The KB-JWT's ``aud`` is the share's own audience (never one the caller picks), its ``nonce``
    the view's and its ``iat`` ``now``. RFC 9901 §4.3, §7.3. Raises :class:`ShareNotFound`
    (404), :class:`ShareWithdrawn`, :class:`ShareExpired` or :class:`ShareViewsExhausted` (410),
    and ``ValueError`` for an empty or oversized nonce (the caller validates it first).
    """
    now = require_aware(now)
    if not 0 < len(nonce) <= MAX_NONCE_CHARS:
        raise ValueError("the nonce must be 1 to 128 characters")
    row = session.get(WalletShare, share_id)
    if row is None:
        raise ShareNotFound("There is no such share.")
    _raise_gone(row, now)
    vault = open_vault(session, holder_id=row.holder_id, kek=kek)
    content = share_content(vault, row)
    items = [_item(item) for item in content["items"]]
    binding = KeyBindingFor(audience=content["audience"], nonce=nonce, kek=kek)
    made = present_items(session, vault, items, binding=binding, now=now)
    return SharePresentation(
        share_id=row.id,
        audience=content["audience"],
        nonce=nonce,
        issued_at=now,
        presentations=tuple(presented.presentation for _, presented in made),
    )


def _item(stored: dict[str, object]) -> ShareItem:
    claims = stored["claims"]
    assert isinstance(claims, list)
    pointers: tuple[ClaimPointer, ...] = tuple(tuple(pointer) for pointer in claims)
    return ShareItem(str(stored["credential_id"]), pointers)


def record_share_view(
    session: Session, *, share_id: str, viewer: str, kek: bytes, now: datetime
) -> int:
    """Count one view of a live share and log it for the person, in the caller's transaction.

    The count is taken atomically, so a share with ``max_views`` is never viewed more often.
    Raises :class:`ShareNotFound` (404) and the 410 errors of :func:`present_share`.
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
        session.refresh(row)
        _raise_gone(row, now)
        raise ShareExpired("This share is no longer available.")
    # The counting UPDATE holds the share's row until commit, so concurrent views of one share
    # take turns from here on (SQLite: one writer at a time).
    session.refresh(row)
    _log_view(session, row, viewer=viewer[:MAX_VIEWER_CHARS], kek=kek, now=now)
    return row.view_count


def _log_view(
    session: Session, row: WalletShare, *, viewer: str, kek: bytes, now: datetime
) -> None:
    """Log the views not yet in the log as one entry, or leave them counted (module docstring)."""
    if not counted_entry_due(count=row.view_count, last_logged_at=row.last_logged_at, now=now):
        if row.unlogged_since is None:
            row.unlogged_since = now
            session.add(row)
        return
    views = row.view_count - row.logged_views
    first = now if row.unlogged_since is None else as_utc(row.unlogged_since)
    details: dict[str, JSONValue] = {
        "share_id": row.id,
        "viewer": viewer,
        "view": row.view_count,
        "views": views,
    }
    if views > 1:
        details["first_viewed_at"] = first.isoformat()
    append_activity(
        session,
        vault=open_vault(session, holder_id=row.holder_id, kek=kek),
        kind=ActivityKind.SHARE_VIEWED,
        details=details,
        kek=kek,
        now=now,
    )
    row.logged_views = row.view_count
    row.last_logged_at = now
    row.unlogged_since = None
    session.add(row)
