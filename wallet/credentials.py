"""Receiving, listing, searching, reading and deleting the credentials in a wallet.

Receive (issue 5, "Receive"): the credential is verified by the gate handed in
(:class:`~wallet.checker.CredentialChecker`) before anything is stored; a rejection stores
nothing and raises the gate's error. A duplicate (the same issuer-signed JWT, compared through a
keyed fingerprint, never in plaintext) is refused with 409. Lists, filters and search open the
sealed indexes of the holder's credentials in Python (a few thousand small AES-GCM opens take
milliseconds); the detail labels every claim in fi, sv or en from the type metadata and can
re-run the gate for a live status.
"""

import binascii
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from credentials.clock import as_utc, require_aware
from credentials.encoding import b64url_decode, b64url_encode
from credentials.errors import MalformedInput, TaitoError
from wallet.activity import ActivityKind, append_activity
from wallet.checker import CredentialChecker
from wallet.claims import ClaimRow, labelled_rows, search_text, skills_of, title_of, type_name
from wallet.claims import type_slug as slug_of
from wallet.errors import CredentialCursorInvalid, CredentialDuplicate, CredentialNotFound
from wallet.held import HeldDocument, HeldIndex, Position, iter_indexes, load_document, seal_row
from wallet.holder_keys import holder_public_keys, key_bound_to
from wallet.limits import check_credential_room, check_listed_identifiers
from wallet.shares.records import withdraw_shares_of_credential
from wallet.tables import WalletCredential
from wallet.vault import Vault, open_vault


@dataclass(frozen=True)
class CredentialSummary:
    """A held credential in a list."""

    id: str
    format: str
    type_slug: str | None
    vct: str
    type_name: str
    issuer: str
    issuer_name: str | None
    title: str | None
    received_at: datetime
    valid_until: datetime | None


@dataclass(frozen=True)
class LiveStatus:
    """The gate's verdict now: ``valid``, ``invalid`` (with the failing check) or ``unchecked``."""

    state: Literal["valid", "invalid", "unchecked"]
    code: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class CredentialDetail:
    """One credential: its summary, labelled claims, validity and live status."""

    summary: CredentialSummary
    valid_from: datetime | None
    claims: tuple[ClaimRow, ...]
    live_status: LiveStatus


@dataclass(frozen=True)
class CredentialFilter:
    """List filters; all given ones must match. ``type`` is a slug or a ``vct``."""

    type: str | None = None
    issuer: str | None = None
    skill: str | None = None
    text: str | None = None


def _summary(index: HeldIndex, lang: str) -> CredentialSummary:
    return CredentialSummary(
        id=index.id,
        format=index.format,
        type_slug=index.type_slug,
        vct=index.vct,
        type_name=type_name(index.type_slug, index.vct, lang),
        issuer=index.issuer,
        issuer_name=index.issuer_name,
        title=index.title,
        received_at=index.received_at,
        valid_until=index.valid_until,
    )


def identity_of(credential: str) -> bytes:
    """What makes two deliveries the same credential: the issuer-signed JWT."""
    return credential.split("~", 1)[0].encode("ascii", "replace")


def receive_credential(
    session: Session,
    *,
    holder_id: str,
    credential: str,
    verify: CredentialChecker,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> CredentialSummary:
    """Verify ``credential`` through ``verify`` and store it sealed (issue 5 "Receive"); commits.

    Raises whatever ``verify`` raises (nothing is stored then), :class:`CredentialDuplicate`
    (409) when the wallet already holds it, and :class:`~wallet.errors.WalletNotFound`.
    """
    try:
        vault = open_vault(session, holder_id=holder_id, kek=kek)
        summary = store_received(
            session,
            vault=vault,
            credential=credential,
            verify=verify,
            kek=kek,
            base_url=base_url,
            now=now,
        )
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return summary


def store_received(
    session: Session,
    *,
    vault: Vault,
    credential: str,
    verify: CredentialChecker,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> CredentialSummary:
    """Verify and store ``credential`` in the caller's transaction (no commit; a flow's step).

    Raises as :func:`receive_credential`; after a :class:`CredentialDuplicate` found by the
    database the caller must roll back.
    """
    now = require_aware(now)
    holder_id = vault.holder_id
    text = credential.strip()
    check_credential_room(session, holder_id=holder_id, credential=text)
    keys = holder_public_keys(session, holder_id=holder_id)
    key = key_bound_to(text, keys)
    checked = verify(text, holder_jwk=key.jwk, now=now)
    check_listed_identifiers(checked.issuer, checked.vct)
    fingerprint = vault.fingerprint(identity_of(text), purpose="credential")
    if session.exec(_duplicate(holder_id, fingerprint)).first() is not None:
        raise CredentialDuplicate("This credential is already in your wallet.")
    slug = slug_of(checked.vct, base_url=base_url)
    claims = dict(checked.claims)
    document = HeldDocument(
        id=f"wcr_{secrets.token_hex(16)}",
        format=checked.format,
        credential=text,
        issuer=checked.issuer,
        issuer_name=checked.issuer_name,
        vct=checked.vct,
        type_slug=slug,
        claims=claims,
        valid_from=checked.valid_from,
        valid_until=checked.valid_until,
        holder_thumbprint=key.thumbprint,
        received_at=now,
    )
    index = HeldIndex(
        id=document.id,
        format=checked.format,
        vct=checked.vct,
        type_slug=slug,
        issuer=checked.issuer,
        issuer_name=checked.issuer_name,
        title=title_of(claims),
        skills=skills_of(claims),
        text=search_text(claims, issuer_name=checked.issuer_name, slug=slug),
        valid_until=checked.valid_until,
        received_at=now,
    )
    session.add(seal_row(vault, document=document, index=index, fingerprint=fingerprint))
    try:
        session.flush()
    except IntegrityError:
        raise CredentialDuplicate("This credential is already in your wallet.") from None
    details = {"credential_id": document.id, "vct": checked.vct, "issuer": checked.issuer}
    if checked.issuer_name:
        details["issuer_name"] = checked.issuer_name
    append_activity(
        session,
        vault=vault,
        kind=ActivityKind.CREDENTIAL_RECEIVED,
        details=details,
        kek=kek,
        now=now,
    )
    return _summary(index, "en")


def _duplicate(holder_id: str, fingerprint: str) -> SelectOfScalar[str]:
    return select(WalletCredential.id).where(
        col(WalletCredential.holder_id) == holder_id,
        col(WalletCredential.fingerprint) == fingerprint,
    )


def _matches(index: HeldIndex, wanted: CredentialFilter) -> bool:
    if wanted.type and wanted.type not in (index.type_slug, index.vct):
        return False
    if wanted.issuer and wanted.issuer != index.issuer:
        return False
    if wanted.skill and all(skill.uri != wanted.skill for skill in index.skills):
        return False
    if wanted.text:
        words = wanted.text.casefold().split()
        return all(word in index.text for word in words)
    return True


def list_credentials(
    session: Session, *, holder_id: str, kek: bytes, lang: str, filters: CredentialFilter
) -> tuple[CredentialSummary, ...]:
    """The holder's credentials matching ``filters``, newest first (issue 5 "View").

    Text search matches every word of ``filters.text`` (case-insensitive) in the claim values,
    the issuer's name and the type's names. Raises :class:`~wallet.errors.WalletNotFound`.
    """
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    return tuple(
        _summary(index, lang) for index in iter_indexes(session, vault) if _matches(index, filters)
    )


@dataclass(frozen=True)
class CredentialPage:
    """A page of a listing and the cursor of the next page (``None`` at the end)."""

    items: tuple[CredentialSummary, ...]
    next_cursor: str | None


def list_credentials_page(
    session: Session,
    *,
    holder_id: str,
    kek: bytes,
    lang: str,
    filters: CredentialFilter,
    limit: int,
    cursor: str | None,
) -> CredentialPage:
    """At most ``limit`` of the holder's credentials matching ``filters``, newest first, after
    the one ``cursor`` names (keyset paging: a credential received while paging sorts before
    the first page, so the pages never repeat nor skip one).

    Only the indexes up to the page's end are opened. Raises
    :class:`~wallet.errors.CredentialCursorInvalid` and ``ValueError`` for a limit below 1.
    """
    if limit < 1:
        raise ValueError("a page holds at least one credential")
    after = None if cursor is None else _decode_cursor(cursor)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    items: list[CredentialSummary] = []
    more = False
    for index in iter_indexes(session, vault, after=after):
        if not _matches(index, filters):
            continue
        if len(items) == limit:
            more = True
            break
        items.append(_summary(index, lang))
    next_cursor = _encode_cursor(items[-1]) if more else None
    return CredentialPage(items=tuple(items), next_cursor=next_cursor)


def _encode_cursor(summary: CredentialSummary) -> str:
    return b64url_encode(f"{summary.received_at.isoformat()}|{summary.id}".encode())


def _decode_cursor(cursor: str) -> Position:
    try:
        at, bar, last_id = b64url_decode(cursor, what="cursor").decode("ascii").partition("|")
        if not bar or not last_id:
            raise ValueError("no id")
        return Position(received_at=as_utc(datetime.fromisoformat(at)), id=last_id)
    except (MalformedInput, ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise CredentialCursorInvalid("The cursor is not valid; start again without it.") from None


def credential_detail(
    session: Session,
    *,
    holder_id: str,
    credential_id: str,
    kek: bytes,
    lang: str,
    now: datetime,
    verify: CredentialChecker | None,
) -> CredentialDetail:
    """One credential with labelled claims and, when ``verify`` is given, its live status.

    Raises :class:`CredentialNotFound` (404, also for another person's credential).
    """
    now = require_aware(now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    document = load_document(session, vault, credential_id)
    status = LiveStatus(state="unchecked")
    if verify is not None:
        status = check_live(session, holder_id=holder_id, document=document, verify=verify, now=now)
    index_summary = CredentialSummary(
        id=document.id,
        format=document.format,
        type_slug=document.type_slug,
        vct=document.vct,
        type_name=type_name(document.type_slug, document.vct, lang),
        issuer=document.issuer,
        issuer_name=document.issuer_name,
        title=title_of(document.claims),
        received_at=document.received_at,
        valid_until=document.valid_until,
    )
    return CredentialDetail(
        summary=index_summary,
        valid_from=document.valid_from,
        claims=labelled_rows(document.claims, document.type_slug, lang),
        live_status=status,
    )


def check_live(
    session: Session,
    *,
    holder_id: str,
    document: HeldDocument,
    verify: CredentialChecker,
    now: datetime,
) -> LiveStatus:
    """Run the gate on a held credential now: ``valid``, or ``invalid`` with the failing check.

    The holder key is the one the credential is bound to (docs/security.md, "The gate"); a
    refusal is a status, not an error, so one bad credential never hides the others.
    """
    keys = holder_public_keys(session, holder_id=holder_id)
    key = next((k for k in keys if k.thumbprint == document.holder_thumbprint), keys[0])
    try:
        verify(document.credential, holder_jwk=key.jwk, now=now)
    except TaitoError as error:
        return LiveStatus(state="invalid", code=error.code, reason=error.title)
    return LiveStatus(state="valid")


def delete_credential(
    session: Session, *, holder_id: str, credential_id: str, kek: bytes, now: datetime
) -> None:
    """Delete a credential; shares that present it are withdrawn at once.

    Raises :class:`CredentialNotFound` (404, also for another person's credential).
    """
    now = require_aware(now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    row = session.get(WalletCredential, credential_id)
    if row is None or row.holder_id != holder_id:
        raise CredentialNotFound(f"No credential {credential_id!r} in your wallet.")
    withdrawn = withdraw_shares_of_credential(
        session, vault=vault, credential_id=credential_id, kek=kek, now=now
    )
    session.delete(row)
    append_activity(
        session,
        vault=vault,
        kind=ActivityKind.CREDENTIAL_DELETED,
        details={"credential_id": credential_id, "shares_withdrawn": list(withdrawn)},
        kek=kek,
        now=now,
    )
    session.commit()
