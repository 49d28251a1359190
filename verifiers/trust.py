"""The trust registry: which issuers a verifier on this instance trusts, for which credential
types, and where each issuer's keys come from.

SD-JWT VC §3.5 ("Issuer Verification Key Discovery and Validation") leaves key discovery to the
ecosystem; the registry names one source per issuer (:class:`KeySource`):

- ``local``: an issuer of this instance (keys from the issuers service, in-process);
- ``jwks_url``: a JWK Set (RFC 7517 §5) at an https URL;
- ``issuer_metadata``: JWT VC Issuer Metadata at the well-known URL derived from the identifier
  (SD-JWT VC §4.1), so no URL is stored;
- ``did_web``: the identifier is a did:web and its DID document holds the keys;
- ``pinned_jwk``: public JWKs configured here, by value.

Issuers of this instance are trusted for the types they are accredited for without an entry (the
``local_issuer`` lookup, :mod:`verifiers.issuer_trust`). The registry is managed by the admin and
imported or exported as one JSON document ``{"version": 1, "trusted_issuers": [...]}``.
"""

import dataclasses
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from credentials.clock import as_utc, require_aware
from verifiers.errors import TrustedIssuerExists, TrustedIssuerNotFound, TrustEntryInvalid
from verifiers.state_version import bump_trust_version
from verifiers.tables import TrustedIssuer
from verifiers.trust_entries import (
    REGISTRY_VERSION,
    KeySource,
    StoredTrustEntry,
    TrustEntry,
    check_entry,
    parse_registry,
)


def _new_row(identifier: str, now: datetime) -> TrustedIssuer:
    # An empty entry for ``identifier``; _apply fills it in.
    return TrustedIssuer(
        id="tis_" + secrets.token_hex(16),
        identifier=identifier,
        display_name="",
        key_source="",
        vct_values=[],
        created_at=now,
        updated_at=now,
    )


def _entry(row: TrustedIssuer) -> TrustEntry:
    return TrustEntry(
        identifier=row.identifier,
        display_name=row.display_name,
        key_source=KeySource(row.key_source),
        vct_values=tuple(row.vct_values),
        key_url=row.key_url,
        jwks=row.jwks,
    )


def _stored(row: TrustedIssuer) -> StoredTrustEntry:
    return StoredTrustEntry(_entry(row), as_utc(row.created_at), as_utc(row.updated_at))


def _apply(row: TrustedIssuer, entry: TrustEntry, now: datetime) -> None:
    row.display_name = entry.display_name.strip()
    row.key_source = entry.key_source.value
    row.key_url = entry.key_url
    row.jwks = dict(entry.jwks) if entry.jwks is not None else None
    row.vct_values = list(entry.vct_values)
    row.updated_at = now


def _row(session: Session, identifier: str) -> TrustedIssuer | None:
    query = select(TrustedIssuer).where(col(TrustedIssuer.identifier) == identifier)
    return session.exec(query).first()


def add_trusted_issuer(session: Session, *, entry: TrustEntry, now: datetime) -> StoredTrustEntry:
    """Add an issuer to the registry (admin). Raises :class:`TrustEntryInvalid` and
    :class:`TrustedIssuerExists`."""
    check_entry(entry)
    now = require_aware(now)
    row = _new_row(entry.identifier, now)
    _apply(row, entry, now)
    session.add(row)
    bump_trust_version(session)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise TrustedIssuerExists("the issuer is already in the trust registry") from None
    return _stored(row)


def replace_trusted_issuer(
    session: Session, *, entry: TrustEntry, now: datetime
) -> StoredTrustEntry:
    """Replace the entry of ``entry.identifier`` (admin). Raises :class:`TrustEntryInvalid` and
    :class:`TrustedIssuerNotFound`."""
    check_entry(entry)
    row = _row(session, entry.identifier)
    if row is None:
        raise TrustedIssuerNotFound("the issuer is not in the trust registry")
    _apply(row, entry, require_aware(now))
    session.add(row)
    bump_trust_version(session)
    session.commit()
    return _stored(row)


def narrow_trusted_issuer(
    session: Session, *, identifier: str, vct_values: Collection[str], now: datetime
) -> StoredTrustEntry:
    """Trust an issuer for fewer types: keep only ``vct_values`` of its entry (admin).

    Narrowing never widens: ``vct_values`` must be a non-empty subset of the entry's types.
    Raises :class:`TrustedIssuerNotFound` and :class:`TrustEntryInvalid`.
    """
    current = get_trusted_issuer(session, identifier=identifier).entry
    wanted = set(vct_values)
    keep = tuple(vct for vct in current.vct_values if vct in wanted)
    if not keep or not wanted <= set(current.vct_values):
        raise TrustEntryInvalid(
            "narrowing keeps some of the entry's types and adds none",
            errors=[{"pointer": "/vct_values", "message": "keep 1 or more of the entry's types"}],
        )
    narrowed = dataclasses.replace(current, vct_values=keep)
    return replace_trusted_issuer(session, entry=narrowed, now=now)


def remove_trusted_issuer(session: Session, *, identifier: str) -> None:
    """Remove an issuer from the registry (admin). Raises :class:`TrustedIssuerNotFound`."""
    row = _row(session, identifier)
    if row is None:
        raise TrustedIssuerNotFound("the issuer is not in the trust registry")
    session.delete(row)
    bump_trust_version(session)
    session.commit()


def get_trusted_issuer(session: Session, *, identifier: str) -> StoredTrustEntry:
    """One registry entry. Raises :class:`TrustedIssuerNotFound`."""
    row = _row(session, identifier)
    if row is None:
        raise TrustedIssuerNotFound("the issuer is not in the trust registry")
    return _stored(row)


def find_trust_entry(session: Session, *, identifier: str) -> TrustEntry | None:
    """The registry entry of ``identifier`` or ``None`` (used by the verification gate)."""
    row = _row(session, identifier)
    return None if row is None else _entry(row)


def list_trusted_issuers(session: Session) -> tuple[StoredTrustEntry, ...]:
    """Every registry entry, by identifier."""
    rows = session.exec(select(TrustedIssuer).order_by(col(TrustedIssuer.identifier))).all()
    return tuple(_stored(row) for row in rows)


def export_trust_registry(session: Session) -> dict[str, Any]:
    """The registry as one JSON document, ready for :func:`import_trust_registry`."""
    entries = [stored.entry.to_json() for stored in list_trusted_issuers(session)]
    return {"version": REGISTRY_VERSION, "trusted_issuers": entries}


def import_trust_registry(
    session: Session, *, document: object, replace: bool, now: datetime
) -> tuple[StoredTrustEntry, ...]:
    """Import a registry document in one transaction (admin).

    Entries are added or updated by identifier; with ``replace`` every entry not in the
    document is removed. Nothing is written unless the whole document is valid. Raises
    :class:`TrustEntryInvalid`.
    """
    entries = parse_registry(document)
    now = require_aware(now)
    if replace:
        keep = [entry.identifier for entry in entries]
        session.exec(delete(TrustedIssuer).where(col(TrustedIssuer.identifier).not_in(keep)))
    for entry in entries:
        row = _row(session, entry.identifier)
        if row is None:
            row = _new_row(entry.identifier, now)
        _apply(row, entry, now)
        session.add(row)
    bump_trust_version(session)
    session.commit()
    return list_trusted_issuers(session)


@dataclass(frozen=True)
class TrustImportPreview:
    """What importing a registry document would change, computed before anything is written."""

    added: tuple[TrustEntry, ...]
    changed: tuple[TrustEntry, ...]
    unchanged: tuple[TrustEntry, ...]
    removed: tuple[TrustEntry, ...]


def preview_trust_import(
    session: Session, *, document: object, replace: bool
) -> TrustImportPreview:
    """What :func:`import_trust_registry` would do with ``document``; writes nothing.

    Raises :class:`TrustEntryInvalid` (with a pointer for every problem) like the import.
    """
    entries = parse_registry(document)
    current = {stored.entry.identifier: stored.entry for stored in list_trusted_issuers(session)}
    added, changed, unchanged = [], [], []
    for entry in entries:
        before = current.get(entry.identifier)
        stripped = dataclasses.replace(entry, display_name=entry.display_name.strip())
        if before is None:
            added.append(entry)
        elif before.to_json() == stripped.to_json():
            unchanged.append(entry)
        else:
            changed.append(entry)
    named = {entry.identifier for entry in entries}
    removed = [entry for key, entry in current.items() if replace and key not in named]
    return TrustImportPreview(tuple(added), tuple(changed), tuple(unchanged), tuple(removed))
