"""Sharing with consent: chosen claims of chosen credentials, for one audience, until withdrawn.

Issue 5, "Share with consent"; issue 12. A share records which claims of which credentials the
person chose, for whom, why and until when; it holds no presentation. Each view presents afresh
(:func:`wallet.shares.viewing.present_share`): one SD-JWT VC presentation per chosen credential
with only the chosen Disclosures (:mod:`wallet.presentations`), each with a Key Binding JWT
(RFC 9901 §4.3) made at the time of the view, for the share's audience and that view's nonce,
so no stored or copied presentation is a reusable proof. The audience (the KB-JWT ``aud``):

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
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, not_
from sqlmodel import Session, col, select

from credentials.clock import require_aware
from wallet.activity import ActivityKind, append_activity
from wallet.claims import ClaimRow, labelled_rows, title_of, type_name
from wallet.consent import SHARE_CONSENT, add_receipt
from wallet.errors import (
    ShareLimitReached,
)
from wallet.held import HeldDocument, load_document
from wallet.holder_keys import holder_signing_key
from wallet.presentations import PresentedCredential, present, shown_claims
from wallet.shares.rules import (
    ANYONE,
    CONTENT_PURPOSE,
    AudienceKind,
    ShareItem,
    ShareSpec,
    active_clauses,
    audience_kind,
    check_spec,
    who_can_open,
)
from wallet.tables import WalletHolder, WalletShare
from wallet.vault import Vault, open_vault

MAX_ACTIVE_SHARES = 100
MAX_SHARES_KEPT = 1000
"""Shares a wallet keeps, live and ended: a new share beyond it removes the oldest ended ones
(their activity entries stay), so making and withdrawing shares cannot grow the table without
end. At most :data:`MAX_ACTIVE_SHARES` are live, so there are always ended ones to remove."""
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
    audience_kind: AudienceKind
    opens_for: str
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


@dataclass(frozen=True)
class KeyBindingFor:
    """Whom a view's KB-JWTs are for; the KEK unseals the holder key that signs them."""

    audience: str
    nonce: str
    kek: bytes = field(repr=False)


def present_items(
    session: Session,
    vault: Vault,
    items: Sequence[ShareItem],
    *,
    binding: KeyBindingFor | None,
    now: datetime,
) -> list[tuple[HeldDocument, PresentedCredential]]:
    """Present each item with only its chosen claims; KB-JWTs (at ``now``) only with ``binding``.

    Without ``binding``: the same Disclosures and no KB-JWT (what a preview and creation need).
    RFC 9901 §4.3. Raises :class:`ShareInvalid` and ``CredentialNotFound``.
    """
    made = []
    for item in items:
        document = load_document(session, vault, item.credential_id)
        key = None
        if binding is not None:
            key = holder_signing_key(
                session,
                holder_id=vault.holder_id,
                thumbprint=document.holder_thumbprint,
                kek=binding.kek,
            )
        presented = present(
            document,
            pointers=item.claims,
            holder_key=key,
            audience=binding.audience if binding else "-",
            nonce=binding.nonce if binding else "-",
            now=now,
        )
        made.append((document, presented))
    return made


def _preview(
    spec: ShareSpec,
    expires_at: datetime,
    audience: str,
    made: Sequence[tuple[HeldDocument, PresentedCredential]],
    lang: str,
    base_url: str,
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
        audience_kind=audience_kind(spec.audience, base_url=base_url),
        opens_for=who_can_open(spec.audience, base_url=base_url),
        purpose=spec.purpose,
        expires_at=expires_at,
        max_views=spec.max_views,
        items=items,
    )


def preview_share(
    session: Session,
    *,
    holder_id: str,
    spec: ShareSpec,
    kek: bytes,
    base_url: str,
    lang: str,
    now: datetime,
) -> SharePreview:
    """Show exactly what a share made from ``spec`` would show, and who can open it.

    Nothing is stored. Raises :class:`ShareInvalid` (422) and
    :class:`~wallet.errors.CredentialNotFound` (404).
    """
    now = require_aware(now)
    expires_at = check_spec(spec, base_url=base_url, now=now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    made = present_items(session, vault, spec.items, binding=None, now=now)
    return _preview(spec, expires_at, spec.audience, made, lang, base_url)


def _forget_oldest_ended(session: Session, *, holder_id: str, now: datetime) -> None:
    """Delete the holder's oldest ended shares beyond :data:`MAX_SHARES_KEPT` - 1 (no commit)."""
    table = WalletShare
    kept = session.exec(
        select(func.count()).select_from(table).where(col(table.holder_id) == holder_id)
    ).one()
    excess = kept - (MAX_SHARES_KEPT - 1)
    if excess <= 0:
        return
    live = and_(*active_clauses(now))
    oldest = session.exec(
        select(table.id)
        .where(col(table.holder_id) == holder_id, not_(live))
        .order_by(col(table.created_at), col(table.id))
        .limit(excess)
    ).all()
    session.execute(
        delete(table).where(col(table.id).in_(oldest)).execution_options(synchronize_session=False)
    )


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
    """Make the share: the chosen claims (checked by presenting them once), a link, a log entry.

    Raises :class:`ShareInvalid` (422), :class:`~wallet.errors.CredentialNotFound` (404) and
    :class:`ShareLimitReached` (409) at 100 active shares.
    """
    now = require_aware(now)
    expires_at = check_spec(spec, base_url=base_url, now=now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    session.exec(select(WalletHolder.id).where(col(WalletHolder.id) == holder_id).with_for_update())
    count_active = select(func.count()).select_from(WalletShare)
    active = session.exec(
        count_active.where(col(WalletShare.holder_id) == holder_id, *active_clauses(now))
    ).one()
    if active >= MAX_ACTIVE_SHARES:
        raise ShareLimitReached(f"At most {MAX_ACTIVE_SHARES} shares can be active at once.")
    _forget_oldest_ended(session, holder_id=holder_id, now=now)
    share_id = f"shr_{secrets.token_hex(16)}"
    audience = share_audience(spec.audience, share_id=share_id, base_url=base_url)
    made = present_items(session, vault, spec.items, binding=None, now=now)
    token = secrets.token_urlsafe(16)
    content = {"audience": audience, "purpose": spec.purpose, "items": _item_summary(spec)}
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
    add_receipt(
        session,
        vault=vault,
        kind="share",
        subject_id=share_id,
        recipient=audience,
        purpose=spec.purpose,
        what={"items": _item_summary(spec)},
        valid_from=now,
        valid_until=expires_at,
        consent_version=SHARE_CONSENT.version,
    )
    session.commit()
    return CreatedShare(
        id=share_id,
        url=f"{base_url.rstrip('/')}/s/{token}",
        expires_at=expires_at,
        preview=_preview(spec, expires_at, audience, made, lang, base_url),
    )


def _item_summary(spec: ShareSpec) -> list[Any]:
    return [
        {"credential_id": item.credential_id, "claims": [list(p) for p in item.claims]}
        for item in spec.items
    ]
