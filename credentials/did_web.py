"""The did:web method (W3C CCG "did:web Method Specification"): DID documents served over https.

- URL (spec "Read (Resolve)"): ``did:web:example.com`` → ``https://example.com/.well-known/did.json``;
  ``did:web:example.com:user:alice`` → ``https://example.com/user/alice/did.json``; a port is
  written percent-encoded, ``did:web:example.com%3A8443``. Taito accepts only DNS host names
  (two or more letter-digit-hyphen labels, the last not all digits, so no IP literals) and path
  segments of ``A-Z a-z 0-9 . _ -`` other than ``.`` and ``..``.
- Document (DID Core §5): parsed strictly with a size cap; its ``id`` must equal the DID. Only
  verification methods referenced from ``assertionMethod`` (DID Core §5.3.2) are keys for
  credentials. A method is used when its id lies under this DID, its ``controller`` is this DID
  and it is a ``JsonWebKey``/``JsonWebKey2020`` (``publicKeyJwk``) or ``Multikey``
  (``publicKeyMultibase``) of an Ed25519 or P-256 key; other methods are skipped, so a token
  naming one fails with ``issuer_key_unresolved``. A usable-looking method that is malformed, or
  carries private key material, makes the whole document invalid. JSON-LD contexts are not
  processed.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from credentials.did_url import absolute_did_url, parse_did
from credentials.encoding import json_object
from credentials.errors import (
    AlgorithmKeyMismatch,
    DIDDocumentInvalid,
    DIDInvalid,
    InvalidKey,
    IssuerMismatch,
    MalformedInput,
    UnsupportedKeyType,
)
from credentials.fetch import MAX_DOCUMENT_BYTES, Fetcher, fetch_document
from credentials.keys import PublicKey, public_key_from_jwk
from credentials.multibase import decode_multikey
from credentials.resolvers import pick_key

METHOD = "web"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
JWK_CONTEXT = "https://w3id.org/security/jwk/v1"
MAX_VERIFICATION_METHODS = 64

_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")
_PORT = re.compile(r"[1-9][0-9]{0,4}")
_JWK_TYPES = frozenset({"JsonWebKey", "JsonWebKey2020"})
_SUPPORTED_JWK = frozenset({("OKP", "Ed25519"), ("EC", "P-256")})
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


@dataclass(frozen=True)
class DIDDocument:
    """The parts of a DID document Taito uses: its id and its usable assertion method keys."""

    id: str
    assertion_keys: tuple[PublicKey, ...]


def did_web_url(did: str) -> str:
    """Return the https URL of the DID document of a did:web (did:web spec, "Read (Resolve)").

    Raises :class:`DIDInvalid` when the DID is not a did:web with a DNS host name, an optional
    port and plain path segments.
    """
    parsed = parse_did(did)
    if parsed.method != METHOD:
        raise DIDInvalid("the DID is not a did:web")
    host, *segments = parsed.method_specific_id.split(":")
    name, _, port = re.sub("%3[Aa]", ":", host).partition(":")
    labels = name.split(".")
    if (
        len(name) > 253
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
        or (port and not (_PORT.fullmatch(port) and int(port) <= 65535))
    ):
        raise DIDInvalid("the did:web does not name a DNS host with an optional port")
    if any(not _SEGMENT.fullmatch(s) or s in (".", "..") for s in segments):
        raise DIDInvalid("the did:web path has a segment that is not allowed")
    authority = f"{name}:{port}" if port else name
    path = "/".join(segments) if segments else ".well-known"
    return f"https://{authority}/{path}/did.json"


def did_web_key_id(did: str, key: PublicKey) -> str:
    """The verification method id Taito publishes for ``key``: ``<did>#<JWK thumbprint>``."""
    return f"{did}#{key.thumbprint}"


def build_did_web_document(did: str, keys: Sequence[PublicKey]) -> dict[str, Any]:
    """Build the DID document an issuer publishes at :func:`did_web_url` (DID Core §5).

    Each key becomes a ``JsonWebKey`` verification method (VC-JOSE-COSE §4.3, "Using Controlled
    Identifier Documents") with id :func:`did_web_key_id`, listed in ``assertionMethod``; sign
    with a key whose ``kid`` is that id. Raises :class:`DIDInvalid` for a DID that is not a
    valid did:web and ``ValueError`` when there are no keys.
    """
    did_web_url(did)
    if not keys:
        raise ValueError("a DID document needs at least one key")
    methods = [
        {
            "id": did_web_key_id(did, key),
            "type": "JsonWebKey",
            "controller": did,
            "publicKeyJwk": {name: value for name, value in key.jwk.items() if name != "kid"},
        }
        for key in keys
    ]
    return {
        "@context": [DID_CONTEXT, JWK_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def parse_did_document(data: bytes, *, did: str) -> DIDDocument:
    """Parse a DID document strictly and collect its usable assertion method keys.

    DID Core §5.1.1 (``id``), §5.2 (verification methods), §5.3.2 (``assertionMethod``); the
    rules are in the module docstring. Raises a :class:`MalformedInput` subclass for bad JSON
    or oversize input and :class:`DIDDocumentInvalid` for a document that breaks them.
    """
    document = json_object(data, what="DID document", max_bytes=MAX_DOCUMENT_BYTES)
    if document.get("id") != did:
        raise DIDDocumentInvalid("the DID document's id is not the DID")
    declared = _list(document, "verificationMethod")
    references = _list(document, "assertionMethod")
    if len(declared) + len(references) > MAX_VERIFICATION_METHODS:
        raise DIDDocumentInvalid("the DID document has too many verification methods")
    methods: dict[str, dict[str, Any]] = {}
    for method in declared:
        method_id = _method_id(did, method)
        if method_id in methods:
            raise DIDDocumentInvalid("the DID document has two methods with the same id")
        if method_id:
            methods[method_id] = method
    keys: list[PublicKey] = []
    for reference in references:
        if isinstance(reference, dict):
            method_id, method = _method_id(did, reference), reference
            if method_id in methods:
                raise DIDDocumentInvalid("the DID document has two methods with the same id")
            if method_id:
                methods[method_id] = method
        elif isinstance(reference, str):
            method_id = _reference_id(did, reference)
            if method_id and method_id not in methods:
                raise DIDDocumentInvalid("assertionMethod references an undeclared method")
            method = methods.get(method_id, {})
        else:
            raise DIDDocumentInvalid("an assertionMethod entry is neither a string nor an object")
        key = _method_key(did, method_id, method) if method_id else None
        if key is not None and all(known.kid != key.kid for known in keys):
            keys.append(key)
    return DIDDocument(id=did, assertion_keys=tuple(keys))


def resolve_did_web(did: str, kid: str, *, fetch: Fetcher) -> PublicKey:
    """Fetch the did:web document through ``fetch`` and return the assertion key named ``kid``.

    ``kid`` is an absolute DID URL of this DID or a relative ``#fragment``. Raises
    :class:`DIDInvalid`, :class:`IssuerMismatch`, :class:`~credentials.errors.FetchFailed`,
    :class:`DIDDocumentInvalid` or :class:`~credentials.errors.IssuerKeyUnresolved`.
    """
    key_id = absolute_did_url(did, kid)
    body = fetch_document(
        fetch, did_web_url(did), what="DID document", max_bytes=MAX_DOCUMENT_BYTES
    )
    return pick_key(parse_did_document(body, did=did).assertion_keys, key_id)


def _list(document: dict[str, Any], name: str) -> list[Any]:
    value = document.get(name, [])
    if not isinstance(value, list):
        raise DIDDocumentInvalid(f"the DID document's {name} is not a list")
    return value


def _reference_id(did: str, reference: str) -> str:
    """The absolute id of a reference under ``did``, or "" for a method of another DID."""
    try:
        return absolute_did_url(did, reference)
    except IssuerMismatch:
        return ""
    except DIDInvalid:
        raise DIDDocumentInvalid("a verification method id is not a DID URL") from None


def _method_id(did: str, method: Any) -> str:
    if not isinstance(method, dict) or not isinstance(method.get("id"), str):
        raise DIDDocumentInvalid("a verification method is not an object with an id")
    return _reference_id(did, method["id"])


def _method_key(did: str, method_id: str, method: dict[str, Any]) -> PublicKey | None:
    """The key of a usable method, ``None`` for one Taito does not use (see module docstring)."""
    if method.get("controller") != did:
        return None
    jwk, multibase = method.get("publicKeyJwk"), method.get("publicKeyMultibase")
    if jwk is not None and multibase is not None:
        raise DIDDocumentInvalid("a verification method has two kinds of key material")
    try:
        if method.get("type") in _JWK_TYPES and isinstance(jwk, dict):
            if _PRIVATE_MEMBERS & jwk.keys():
                raise DIDDocumentInvalid("a verification method holds private key material")
            if (jwk.get("kty"), jwk.get("crv")) not in _SUPPORTED_JWK:
                return None
            return public_key_from_jwk(jwk, kid=method_id)
        if method.get("type") == "Multikey" and isinstance(multibase, str):
            return decode_multikey(multibase, kid=method_id)
    except UnsupportedKeyType:
        return None
    except (InvalidKey, AlgorithmKeyMismatch, MalformedInput):
        raise DIDDocumentInvalid("a verification method's key is not valid") from None
    if method.get("type") in _JWK_TYPES or method.get("type") == "Multikey":
        raise DIDDocumentInvalid("a verification method lacks the key material of its type")
    return None
