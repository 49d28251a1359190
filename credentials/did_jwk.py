"""The did:jwk method: a DID that is its own public key (https://github.com/quartzjer/did-jwk).

``did:jwk:`` + base64url(UTF-8 JSON of a public JWK). Resolution is offline: the DID document
has one verification method, ``<did>#0``, whose ``publicKeyJwk`` is the decoded JWK. Taito
encodes the RFC 7638 canonical form (required members only, sorted, no whitespace), which is
exactly the form of the P-256 example in the did:jwk specification, so one key has one DID.
A did:jwk holding private key material is refused: the specification forbids it and it would
mean a private key has been published.
"""

from credentials.did_url import parse_did
from credentials.encoding import b64url_decode, b64url_encode, json_dumps, json_object
from credentials.errors import (
    AlgorithmKeyMismatch,
    DIDInvalid,
    DIDUnsupported,
    InvalidKey,
    MalformedInput,
)
from credentials.keys import PublicKey, public_key_from_jwk

METHOD = "jwk"
VERIFICATION_METHOD_FRAGMENT = "0"

MAX_DID_JWK_JSON_BYTES = 1024
"""Largest JWK a did:jwk may carry; an Ed25519 or P-256 JWK is under 200 bytes."""

# RFC 7517 §4, RFC 7518 §6.2.2, §6.3.2 and §6.4: members that only a private or symmetric key has.
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_SUPPORTED = {("OKP", "Ed25519"): ("crv", "kty", "x"), ("EC", "P-256"): ("crv", "kty", "x", "y")}


def encode_did_jwk(key: PublicKey) -> str:
    """Return the did:jwk of ``key`` (did:jwk specification, "Create").

    The JWK is reduced to its RFC 7638 required members, sorted, without ``kid`` or ``alg``.
    """
    jwk = key.jwk
    members = _SUPPORTED[(jwk["kty"], jwk["crv"])]
    canonical = json_dumps({name: jwk[name] for name in members})
    return f"did:{METHOD}:" + b64url_encode(canonical.encode("utf-8"))


def did_jwk_key_id(did: str) -> str:
    """The verification method id of a did:jwk, ``<did>#0`` (did:jwk specification, "Read")."""
    return f"{did}#{VERIFICATION_METHOD_FRAGMENT}"


def resolve_did_jwk(did: str) -> PublicKey:
    """Resolve a did:jwk offline to its key, whose ``kid`` is ``<did>#0``.

    did:jwk specification, "Read". Raises :class:`DIDInvalid` for a malformed DID, a value that
    is not strict base64url of a strict JSON object, private key members, or an invalid key;
    :class:`DIDUnsupported` for key types other than Ed25519 and P-256.
    """
    parsed = parse_did(did)
    if parsed.method != METHOD:
        raise DIDInvalid("the DID is not a did:jwk")
    try:
        raw = b64url_decode(parsed.method_specific_id, what="did:jwk identifier")
        jwk = json_object(raw, what="did:jwk JWK", max_bytes=MAX_DID_JWK_JSON_BYTES)
    except MalformedInput:
        raise DIDInvalid("the did:jwk identifier is not base64url of a JSON object") from None
    if _PRIVATE_MEMBERS & jwk.keys():
        raise DIDInvalid("the did:jwk holds private key material")
    if (jwk.get("kty"), jwk.get("crv")) not in _SUPPORTED:
        raise DIDUnsupported("the did:jwk key type is not supported")
    try:
        return public_key_from_jwk(jwk, kid=did_jwk_key_id(did))
    except (InvalidKey, AlgorithmKeyMismatch):
        raise DIDInvalid("the did:jwk does not hold a valid signing key") from None
