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

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from credentials.did_web import did_web_url
from credentials.errors import CredentialError
from credentials.issuer_metadata import issuer_metadata_url
from credentials.keys import public_key_from_jwk
from verifiers.errors import TrustedIssuerExists, TrustedIssuerNotFound, TrustEntryInvalid
from verifiers.tables import TrustedIssuer, as_utc, require_aware

REGISTRY_VERSION = 1
MAX_VCT_VALUES = 100
MAX_PINNED_KEYS = 32
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


class KeySource(StrEnum):
    LOCAL = "local"
    JWKS_URL = "jwks_url"
    ISSUER_METADATA = "issuer_metadata"
    DID_WEB = "did_web"
    PINNED_JWK = "pinned_jwk"


@dataclass(frozen=True)
class TrustEntry:
    """One trusted issuer, as given by the admin and as exported."""

    identifier: str
    display_name: str
    key_source: KeySource
    vct_values: tuple[str, ...]
    key_url: str | None = None
    jwks: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry as one element of the registry document."""
        document: dict[str, Any] = {
            "identifier": self.identifier,
            "display_name": self.display_name,
            "key_source": self.key_source.value,
            "vct_values": list(self.vct_values),
        }
        if self.key_url is not None:
            document["key_url"] = self.key_url
        if self.jwks is not None:
            document["jwks"] = dict(self.jwks)
        return document


@dataclass(frozen=True)
class StoredTrustEntry:
    """A registry entry with its bookkeeping."""

    entry: TrustEntry
    created_at: datetime
    updated_at: datetime


def _error(pointer: str, message: str) -> dict[str, str]:
    return {"pointer": pointer, "message": message}


def _text_ok(value: object, limit: int) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= limit
        and not any((c.isspace() and c != " ") or ord(c) < 0x20 for c in value)
    )


def check_entry(entry: TrustEntry, *, at: str = "") -> TrustEntry:
    """Validate one entry; raise :class:`TrustEntryInvalid` listing every problem.

    SD-JWT VC §3.5, §4.1; did:web "Read (Resolve)"; RFC 7517 §5 for pinned JWK Sets (public
    Ed25519 or P-256 keys only, distinct ``kid``).
    """
    errors: list[dict[str, str]] = []
    if (
        not _text_ok(entry.identifier, 500)
        or " " in entry.identifier
        or ":" not in entry.identifier
    ):
        errors.append(_error(f"{at}/identifier", "must be a URI or DID without spaces"))
    if not isinstance(entry.display_name, str) or not 0 < len(entry.display_name.strip()) <= 200:
        errors.append(_error(f"{at}/display_name", "must be 1-200 characters"))
    vcts = entry.vct_values
    if not vcts or len(vcts) > MAX_VCT_VALUES or len(set(vcts)) != len(vcts):
        errors.append(_error(f"{at}/vct_values", "must be 1-100 distinct vct values"))
    elif not all(_text_ok(v, 500) and " " not in v for v in vcts):
        errors.append(_error(f"{at}/vct_values", "each vct value is a string without spaces"))
    errors.extend(_source_errors(entry, at))
    if errors:
        raise TrustEntryInvalid("the trust registry entry is not valid", errors=errors)
    return entry


def _source_errors(entry: TrustEntry, at: str) -> list[dict[str, str]]:
    source, errors = entry.key_source, []
    wants_url = source is KeySource.JWKS_URL
    if wants_url and not (
        _text_ok(entry.key_url, 1000) and str(entry.key_url).startswith("https://")
    ):
        errors.append(_error(f"{at}/key_url", "a jwks_url source needs an https key_url"))
    if not wants_url and entry.key_url is not None:
        errors.append(_error(f"{at}/key_url", "only a jwks_url source has a key_url"))
    if source is KeySource.PINNED_JWK:
        errors.extend(_jwks_errors(entry.jwks, f"{at}/jwks"))
    elif entry.jwks is not None:
        errors.append(_error(f"{at}/jwks", "only a pinned_jwk source has jwks"))
    try:
        if source is KeySource.DID_WEB:
            did_web_url(entry.identifier)
        elif source in (KeySource.ISSUER_METADATA, KeySource.LOCAL):
            issuer_metadata_url(entry.identifier)
    except CredentialError:
        kind = "a did:web DID" if source is KeySource.DID_WEB else "an https URL"
        errors.append(_error(f"{at}/identifier", f"a {source.value} issuer is {kind}"))
    return errors


def _jwks_errors(jwks: object, at: str) -> list[dict[str, str]]:
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list) or not 0 < len(keys) <= MAX_PINNED_KEYS:
        return [_error(at, f"a pinned_jwk source needs a JWK Set of 1-{MAX_PINNED_KEYS} keys")]
    kids: set[str] = set()
    for index, jwk in enumerate(keys):
        try:
            if not isinstance(jwk, dict) or _PRIVATE_MEMBERS & jwk.keys():
                raise TrustEntryInvalid("private")
            kid = public_key_from_jwk(jwk).kid
        except (TrustEntryInvalid, CredentialError):
            return [_error(f"{at}/keys/{index}", "must be a public Ed25519 or P-256 JWK")]
        if kid in kids:
            return [_error(f"{at}/keys/{index}", "two keys share a kid")]
        kids.add(kid)
    return []


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
    row = TrustedIssuer(
        id="tis_" + secrets.token_hex(16),
        identifier=entry.identifier,
        display_name="",
        key_source="",
        vct_values=[],
        created_at=now,
        updated_at=now,
    )
    _apply(row, entry, now)
    session.add(row)
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
    session.commit()
    return _stored(row)


def remove_trusted_issuer(session: Session, *, identifier: str) -> None:
    """Remove an issuer from the registry (admin). Raises :class:`TrustedIssuerNotFound`."""
    row = _row(session, identifier)
    if row is None:
        raise TrustedIssuerNotFound("the issuer is not in the trust registry")
    session.delete(row)
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


def parse_registry(document: object) -> tuple[TrustEntry, ...]:
    """Read and validate a registry document; raise :class:`TrustEntryInvalid` with pointers."""
    if not isinstance(document, Mapping) or document.get("version") != REGISTRY_VERSION:
        raise TrustEntryInvalid(
            "the document is not a trust registry", errors=[_error("/version", "must be 1")]
        )
    items = document.get("trusted_issuers")
    if not isinstance(items, list):
        raise TrustEntryInvalid(
            "the document is not a trust registry",
            errors=[_error("/trusted_issuers", "must be an array")],
        )
    entries: list[TrustEntry] = []
    errors: list[dict[str, str]] = []
    for index, item in enumerate(items):
        at = f"/trusted_issuers/{index}"
        try:
            entries.append(check_entry(entry_from_json(item, at=at), at=at))
        except TrustEntryInvalid as invalid:
            errors.extend(invalid.errors)
    identifiers = [entry.identifier for entry in entries]
    if len(set(identifiers)) != len(identifiers):
        errors.append(_error("/trusted_issuers", "an identifier appears more than once"))
    if errors:
        raise TrustEntryInvalid("the trust registry document is not valid", errors=errors[:100])
    return tuple(entries)


def entry_from_json(item: object, *, at: str = "") -> TrustEntry:
    """One entry from its JSON form; raise :class:`TrustEntryInvalid` for a wrong shape."""
    if not isinstance(item, Mapping):
        raise TrustEntryInvalid("the entry is not an object", errors=[_error(at, "not an object")])
    try:
        source = KeySource(str(item.get("key_source")))
    except ValueError:
        message = "must be one of " + ", ".join(s.value for s in KeySource)
        raise TrustEntryInvalid(
            "the key source is unknown", errors=[_error(f"{at}/key_source", message)]
        ) from None
    vcts = item.get("vct_values")
    jwks = item.get("jwks")
    return TrustEntry(
        identifier=str(item.get("identifier", "")),
        display_name=str(item.get("display_name", "")),
        key_source=source,
        vct_values=tuple(str(v) for v in vcts) if isinstance(vcts, list) else (),
        key_url=item.get("key_url") if isinstance(item.get("key_url"), str) else None,
        jwks=jwks if isinstance(jwks, Mapping) else None,
    )


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
            row = TrustedIssuer(
                id="tis_" + secrets.token_hex(16),
                identifier=entry.identifier,
                display_name="",
                key_source="",
                vct_values=[],
                created_at=now,
                updated_at=now,
            )
        _apply(row, entry, now)
        session.add(row)
    session.commit()
    return list_trusted_issuers(session)


def entries_from(items: Sequence[TrustEntry]) -> dict[str, Any]:
    """A registry document of ``items`` (what :func:`import_trust_registry` accepts)."""
    return {"version": REGISTRY_VERSION, "trusted_issuers": [item.to_json() for item in items]}
