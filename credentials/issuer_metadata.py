"""JWT VC Issuer Metadata (SD-JWT VC §4, "JWT VC Issuer Metadata"): issuer keys over https.

- URL (§4): ``/.well-known/jwt-vc-issuer`` inserted between the host and the path of ``iss``,
  after removing a terminating ``/``. ``iss`` must be a case-sensitive ``https`` URL with a host,
  optional port and path, and no query, fragment or user information.
- Document (§4.2, §4.3): a strict JSON object whose ``issuer`` is identical to ``iss`` (else
  nothing in it is used) with exactly one of ``jwks`` (a JWK Set by value) or ``jwks_uri`` (an
  ``https`` URL of a JWK Set, fetched through the same injected fetcher).
- Keys (RFC 7517 §5): ``keys`` must be a list of objects. Keys Taito cannot use (other key types
  or curves, ``"use": "enc"``) are *skipped*, because real JWK Sets mix signing keys with
  encryption and RSA keys; skipping is safe since a token whose ``kid`` names a skipped key then
  finds no key and fails closed with ``issuer_key_unresolved``. An Ed25519 or P-256 key that is
  malformed, carries private members, or shares its ``kid`` with another key makes the whole
  metadata invalid. Without a ``kid`` in the token, the issuer must have exactly one usable key.

Retrieval follows SD-JWT VC §3 through :mod:`credentials.fetch`. Nothing is cached here: the
service caches per HTTP caching rules around the fetcher or the resolver.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from credentials.encoding import json_object
from credentials.errors import (
    AlgorithmKeyMismatch,
    InvalidKey,
    IssuerMetadataInvalid,
    MalformedInput,
)
from credentials.fetch import MAX_DOCUMENT_BYTES, Fetcher, fetch_document
from credentials.keys import PublicKey, public_key_from_jwk
from credentials.resolvers import IssuerKeyResolver, pick_key

WELL_KNOWN = "/.well-known/jwt-vc-issuer"
MAX_KEYS = 32
"""Most JWKs accepted in one JWK Set."""

_SUPPORTED = frozenset({("OKP", "Ed25519"), ("EC", "P-256")})
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


@dataclass(frozen=True)
class IssuerMetadata:
    """Parsed metadata: the keys by value, or the ``jwks_uri`` to fetch them from."""

    issuer: str
    keys: tuple[PublicKey, ...] | None
    jwks_uri: str | None


def issuer_metadata_url(issuer: str) -> str:
    """Return the well-known URL of the JWT VC Issuer Metadata of ``issuer`` (SD-JWT VC §4.1).

    ``https://example.com/tenant/1234`` → ``https://example.com/.well-known/jwt-vc-issuer/tenant/1234``.
    Raises :class:`IssuerMetadataInvalid` when ``issuer`` is not an https URL without query,
    fragment or user information.
    """
    _check_https_url(issuer, what="issuer identifier")
    parts = urlsplit(issuer)
    return f"https://{parts.netloc}{WELL_KNOWN}{parts.path.rstrip('/')}"


def parse_jwk_set(data: bytes | dict[str, Any]) -> tuple[PublicKey, ...]:
    """Parse a JWK Set (RFC 7517 §5) and keep the Ed25519 and P-256 signing keys.

    Skipping and rejection rules are in the module docstring. Raises a :class:`MalformedInput`
    subclass for bad JSON and :class:`IssuerMetadataInvalid` for a bad set or key.
    """
    document = (
        data
        if isinstance(data, dict)
        else json_object(data, what="JWK Set", max_bytes=MAX_DOCUMENT_BYTES)
    )
    jwks = document.get("keys")
    if not isinstance(jwks, list) or len(jwks) > MAX_KEYS:
        raise IssuerMetadataInvalid("the JWK Set has no keys list of acceptable length")
    keys: list[PublicKey] = []
    for jwk in jwks:
        if not isinstance(jwk, dict):
            raise IssuerMetadataInvalid("a JWK in the JWK Set is not an object")
        if _PRIVATE_MEMBERS & jwk.keys():
            raise IssuerMetadataInvalid("a JWK in the JWK Set holds private key material")
        if (jwk.get("kty"), jwk.get("crv")) not in _SUPPORTED or jwk.get("use") == "enc":
            continue
        try:
            key = public_key_from_jwk(jwk)
        except (InvalidKey, AlgorithmKeyMismatch, MalformedInput):
            raise IssuerMetadataInvalid("a JWK in the JWK Set is not a valid key") from None
        if any(known.kid == key.kid for known in keys):
            raise IssuerMetadataInvalid("two keys in the JWK Set share a kid")
        keys.append(key)
    return tuple(keys)


def parse_issuer_metadata(data: bytes, *, issuer: str) -> IssuerMetadata:
    """Parse JWT VC Issuer Metadata strictly and check its ``issuer`` (SD-JWT VC §4.2, §4.3).

    Raises a :class:`MalformedInput` subclass for bad JSON and :class:`IssuerMetadataInvalid`
    when ``issuer`` differs from the ``iss`` value, when not exactly one of ``jwks`` and
    ``jwks_uri`` is present, for a ``jwks_uri`` that is not https, or for a bad JWK Set.
    """
    document = json_object(data, what="JWT VC Issuer Metadata", max_bytes=MAX_DOCUMENT_BYTES)
    if document.get("issuer") != issuer:
        raise IssuerMetadataInvalid("the metadata's issuer is not identical to the iss value")
    has_jwks, has_uri = "jwks" in document, "jwks_uri" in document
    if has_jwks == has_uri:
        raise IssuerMetadataInvalid("the metadata must have exactly one of jwks and jwks_uri")
    if has_uri:
        uri = document["jwks_uri"]
        if not isinstance(uri, str):
            raise IssuerMetadataInvalid("the metadata's jwks_uri is not a string")
        _check_https_url(uri, what="jwks_uri")
        return IssuerMetadata(issuer=issuer, keys=None, jwks_uri=uri)
    if not isinstance(document["jwks"], dict):
        raise IssuerMetadataInvalid("the metadata's jwks is not a JWK Set object")
    return IssuerMetadata(issuer=issuer, keys=parse_jwk_set(document["jwks"]), jwks_uri=None)


def build_issuer_metadata(issuer: str, keys: Sequence[PublicKey]) -> dict[str, Any]:
    """Build the metadata an issuer publishes at :func:`issuer_metadata_url` (SD-JWT VC §4.2).

    Keys go by value in ``jwks`` with their ``kid`` and ``alg``. Raises
    :class:`IssuerMetadataInvalid` for an unsuitable ``issuer`` and ``ValueError`` without keys.
    """
    _check_https_url(issuer, what="issuer identifier")
    if not keys:
        raise ValueError("issuer metadata needs at least one key")
    return {"issuer": issuer, "jwks": {"keys": [key.jwk for key in keys]}}


def resolve_issuer_metadata_key(issuer: str, kid: str | None, *, fetch: Fetcher) -> PublicKey:
    """Fetch the issuer's metadata (and JWK Set) and return the key named ``kid``.

    SD-JWT VC §2.5 and §4. Raises :class:`IssuerMetadataInvalid`,
    :class:`~credentials.errors.FetchFailed`, a :class:`MalformedInput` subclass, or
    :class:`~credentials.errors.IssuerKeyUnresolved` when ``kid`` names no usable key.
    """
    url = issuer_metadata_url(issuer)
    metadata = parse_issuer_metadata(
        fetch_document(fetch, url, what="issuer metadata", max_bytes=MAX_DOCUMENT_BYTES),
        issuer=issuer,
    )
    if metadata.jwks_uri is not None:
        body = fetch_document(
            fetch, metadata.jwks_uri, what="JWK Set", max_bytes=MAX_DOCUMENT_BYTES
        )
        return pick_key(parse_jwk_set(body), kid)
    return pick_key(metadata.keys or (), kid)


def metadata_resolver(fetch: Fetcher) -> IssuerKeyResolver:
    """An :class:`IssuerKeyResolver` over JWT VC Issuer Metadata fetched through ``fetch``.

    See :func:`resolve_issuer_metadata_key` for the rules and errors.
    """

    def resolve(*, issuer: str, kid: str | None) -> PublicKey:
        return resolve_issuer_metadata_key(issuer, kid, fetch=fetch)

    return resolve


def _check_https_url(url: str, *, what: str) -> None:
    # SD-JWT VC §4: scheme, host, optional port and path; no query or fragment. A "?" or "#"
    # with an empty component is refused too, and user information has no place in either URL.
    if not isinstance(url, str) or not url.startswith("https://") or any(c in url for c in "?#@"):
        raise IssuerMetadataInvalid(f"the {what} is not an https URL of host and path only")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise IssuerMetadataInvalid(f"the {what} is not a valid URL") from None
    if not parts.hostname or port == 0 or any(c.isspace() or ord(c) < 0x21 for c in url):
        raise IssuerMetadataInvalid(f"the {what} has no valid host")
