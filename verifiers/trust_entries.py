"""Trust registry entries and the registry document, validated (no database).

An entry names an issuer, where its keys come from (:class:`KeySource`, SD-JWT VC §3.5) and the
credential types (``vct`` values) it is trusted for. The registry document is
``{"version": 1, "trusted_issuers": [entry, ...]}``; every problem is reported with an RFC 6901
pointer.
"""

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from credentials.did_web import did_web_url
from credentials.errors import CredentialError
from credentials.issuer_metadata import issuer_metadata_url
from credentials.keys import public_key_from_jwk
from verifiers.errors import TrustEntryInvalid

REGISTRY_VERSION = 1
MAX_VCT_VALUES = 100
MAX_PINNED_KEYS = 32
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_DNS_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_LOCAL_NAMES = frozenset({"localhost", "local", "internal", "lan", "home", "arpa", "invalid"})
"""Top-level names that never lead to a public host: RFC 6761 ``localhost`` and ``invalid``,
RFC 6762 ``local`` (link-local multicast DNS), RFC 8375 ``home.arpa`` and reverse-DNS ``arpa``,
and ``internal``/``lan``/``home``, used inside private networks."""


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


def trusted_vcts(entry: TrustEntry, *, accredited: frozenset[str] | None) -> frozenset[str]:
    """The types an entry lets its issuer be trusted for (docs/security.md, the trust registry).

    ``accredited`` is what an issuer of this instance is accredited for (``None``: the issuer
    is not one of this instance's). An entry narrows a local issuer's accreditation and never
    widens it; a ``local`` entry naming no issuer of this instance trusts nothing.
    """
    vcts = frozenset(entry.vct_values)
    if accredited is not None:
        return vcts & accredited
    return frozenset() if entry.key_source is KeySource.LOCAL else vcts


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


def public_https_url_problem(url: str) -> str | None:
    """Why ``url`` is not an https URL of a public DNS host, or ``None`` when it is.

    SD-JWT VC §7.1 (server-side request forgery): a key URL is fetched by the server, so it must
    not name an IP address (private, link-local or otherwise; the fetcher checks resolved
    addresses again at fetch time), user information, a local or single-label host name, or no
    host at all.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it validates the port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme != "https":
        return "must be an https URL"
    if "@" in parts.netloc:
        return "must not carry user information"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "must name a host"
    if parts.fragment:
        return "must not have a fragment"
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    else:
        return "must name a DNS host, not an IP address"
    labels = host.split(".")
    if not all(_DNS_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        return "must name a DNS host, not an IP address"
    if len(labels) < 2 or labels[-1] in _LOCAL_NAMES:
        return "must name a public host, not a local or link-local one"
    return None


def _source_errors(entry: TrustEntry, at: str) -> list[dict[str, str]]:
    source, errors = entry.key_source, []
    wants_url = source is KeySource.JWKS_URL
    if wants_url and not (
        _text_ok(entry.key_url, 1000) and str(entry.key_url).startswith("https://")
    ):
        errors.append(_error(f"{at}/key_url", "a jwks_url source needs an https key_url"))
    elif wants_url and (problem := public_https_url_problem(str(entry.key_url))):
        errors.append(_error(f"{at}/key_url", f"the key_url {problem}"))
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
            # The metadata is fetched from the identifier's host; a local issuer's is served
            # in-process (and lives on this instance's base URL, taito.localhost in development).
            problem = public_https_url_problem(entry.identifier)
            if source is KeySource.ISSUER_METADATA and problem:
                errors.append(
                    _error(f"{at}/identifier", f"an issuer_metadata identifier {problem}")
                )
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


def entries_from(items: Sequence[TrustEntry]) -> dict[str, Any]:
    """A registry document of ``items`` (what :func:`import_trust_registry` accepts)."""
    return {"version": REGISTRY_VERSION, "trusted_issuers": [item.to_json() for item in items]}
