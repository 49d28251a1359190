"""Sharing with consent: chosen claims of chosen credentials, for one audience, until withdrawn.

Issue 5, "Share with consent". A share holds one SD-JWT VC presentation per chosen credential
with only the chosen Disclosures (:mod:`wallet.presentations`), each with a Key Binding JWT
(RFC 9901 §4.3) whose ``aud`` is the share's audience and whose ``nonce`` is fresh for the share:

- audience a verifier: its client identifier (``B/verifiers/{slug}``);
- audience "anyone with the link": ``B/shares/{share id}``, the share's own identifier. The link
  token is deliberately *not* used as the audience, so a presentation passed on never carries
  the secret that opens the share.

The link is ``B/s/{token}`` (a page in a browser; the JSON of the same share is at
``B/v1/shares/{token}``) with 128 random bits; only the token's SHA-256 is stored.
Expiry defaults to 6 months and may be at most 1 year; a person has at most 100 active shares.
The preview runs the same selection as the share, so it shows exactly what will be seen.
Withdrawal (:mod:`wallet.shares.records`) takes effect at once: from then on
:func:`wallet.shares.viewing.open_share` answers 410.
"""

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func
from sqlmodel import Session, col, select

from wallet.activity import ActivityKind, append_activity
from wallet.claims import ClaimRow, labelled_rows, title_of, type_name
from wallet.errors import (
    ShareLimitReached,
)
from wallet.held import HeldDocument, load_document
from wallet.holder_keys import holder_signing_key
from wallet.presentations import PresentedCredential, present, shown_claims
from wallet.shares.rules import (
    ANYONE,
    CONTENT_PURPOSE,
    ShareItem,
    ShareSpec,
    active_clauses,
    check_spec,
)
from wallet.tables import WalletHolder, WalletShare
from wallet.timestamps import require_aware
from wallet.vault import Vault, open_vault

MAX_ACTIVE_SHARES = 100
__all__ = [
    "ANYONE",
    "CreatedShare",
    "PreviewItem",
    "ShareItem",
    "SharePreview",
    "ShareSpec",
    "create_share",
    "preview_share",
]


@dataclass(frozen=True)
class PreviewItem:
    """What the audience will see of one credential."""

    credential_id: str
    type_name: str
    issuer_name: str | None
    title: str | None
    disclosure_count: int
    claims: tuple[ClaimRow, ...]


@dataclass(frozen=True)
class SharePreview:
    """Exactly what a share will show, before it is made."""

    audience: str
    audience_kind: Literal["verifier", "anyone"]
    purpose: str
    expires_at: datetime
    max_views: int | None
    items: tuple[PreviewItem, ...]


@dataclass(frozen=True)
class CreatedShare:
    """A new share; ``url`` (holding the token) is shown only this once."""

    id: str
    url: str
    expires_at: datetime
    preview: SharePreview


def share_audience(spec_audience: str, *, share_id: str, base_url: str) -> str:
    """The KB-JWT ``aud`` for a share (module docstring)."""
    if spec_audience == ANYONE:
        return f"{base_url.rstrip('/')}/shares/{share_id}"
    return spec_audience


def _present_all(
    session: Session,
    vault: Vault,
    spec: ShareSpec,
    *,
    kek: bytes | None,
    audience: str,
    nonce: str,
    now: datetime,
) -> list[tuple[HeldDocument, PresentedCredential]]:
    made = []
    for item in spec.items:
        document = load_document(session, vault, item.credential_id)
        key = None
        if kek is not None:
            key = holder_signing_key(
                session, holder_id=vault.holder_id, thumbprint=document.holder_thumbprint, kek=kek
            )
        presented = present(
            document, pointers=item.claims, holder_key=key, audience=audience, nonce=nonce, now=now
        )
        made.append((document, presented))
    return made


def _preview(
    spec: ShareSpec,
    expires_at: datetime,
    audience: str,
    made: Sequence[tuple[HeldDocument, PresentedCredential]],
    lang: str,
) -> SharePreview:
    items = tuple(
        PreviewItem(
            credential_id=document.id,
            type_name=type_name(document.type_slug, document.vct, lang),
            issuer_name=document.issuer_name,
            title=title_of(document.claims),
            disclosure_count=presented.disclosure_count,
            claims=labelled_rows(shown_claims(presented), document.type_slug, lang),
        )
        for document, presented in made
    )
    return SharePreview(
        audience=audience,
        audience_kind="anyone" if spec.audience == ANYONE else "verifier",
        purpose=spec.purpose,
        expires_at=expires_at,
        max_views=spec.max_views,
        items=items,
    )


def preview_share(
    session: Session, *, holder_id: str, spec: ShareSpec, kek: bytes, lang: str, now: datetime
) -> SharePreview:
    """Show exactly what a share made from ``spec`` would show; nothing is stored.

    Raises :class:`ShareInvalid` (422) and :class:`~wallet.errors.CredentialNotFound` (404).
    """
    now = require_aware(now)
    expires_at = check_spec(spec, now=now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    made = _present_all(session, vault, spec, kek=None, audience=spec.audience, nonce="-", now=now)
    return _preview(spec, expires_at, spec.audience, made, lang)


def create_share(
    session: Session,
    *,
    holder_id: str,
    spec: ShareSpec,
    kek: bytes,
    base_url: str,
    lang: str,
    now: datetime,
) -> CreatedShare:
    """Make the share: presentations with only the chosen Disclosures, a link, a log entry.

    Raises :class:`ShareInvalid` (422), :class:`~wallet.errors.CredentialNotFound` (404) and
    :class:`ShareLimitReached` (409) at 100 active shares.
    """
    now = require_aware(now)
    expires_at = check_spec(spec, now=now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    session.exec(select(WalletHolder.id).where(col(WalletHolder.id) == holder_id).with_for_update())
    count_active = select(func.count()).select_from(WalletShare)
    active = session.exec(
        count_active.where(col(WalletShare.holder_id) == holder_id, *active_clauses(now))
    ).one()
    if active >= MAX_ACTIVE_SHARES:
        raise ShareLimitReached(f"At most {MAX_ACTIVE_SHARES} shares can be active at once.")
    share_id = f"shr_{secrets.token_hex(16)}"
    audience = share_audience(spec.audience, share_id=share_id, base_url=base_url)
    nonce = secrets.token_urlsafe(16)
    made = _present_all(session, vault, spec, kek=kek, audience=audience, nonce=nonce, now=now)
    token = secrets.token_urlsafe(16)
    content = {
        "audience": audience,
        "audience_kind": "anyone" if spec.audience == ANYONE else "verifier",
        "purpose": spec.purpose,
        "nonce": nonce,
        "items": [
            {
                "credential_id": item.credential_id,
                "claims": [list(pointer) for pointer in item.claims],
                "presentation": presented.presentation,
            }
            for item, (_, presented) in zip(spec.items, made, strict=True)
        ],
    }
    session.add(
        WalletShare(
            id=share_id,
            holder_id=holder_id,
            token_hash=hashlib.sha256(token.encode("ascii")).hexdigest(),
            created_at=now,
            expires_at=expires_at,
            max_views=spec.max_views,
            sealed_content=vault.seal(content, purpose=CONTENT_PURPOSE, row_id=share_id),
        )
    )
    session.flush()
    append_activity(
        session,
        vault=vault,
        kind=ActivityKind.SHARE_CREATED,
        details={
            "share_id": share_id,
            "audience": audience,
            "purpose": spec.purpose,
            "expires_at": expires_at.isoformat(),
            "items": _item_summary(spec),
        },
        kek=kek,
        now=now,
    )
    session.commit()
    return CreatedShare(
        id=share_id,
        url=f"{base_url.rstrip('/')}/s/{token}",
        expires_at=expires_at,
        preview=_preview(spec, expires_at, audience, made, lang),
    )


def _item_summary(spec: ShareSpec) -> list[Any]:
    return [
        {"credential_id": item.credential_id, "claims": [list(p) for p in item.claims]}
        for item in spec.items
    ]
