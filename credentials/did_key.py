"""The did:key method for Ed25519 and P-256 keys (W3C CCG "The did:key Method" v0.7).

``did:key:`` + a multibase base58btc, multicodec-prefixed public key (see
:mod:`credentials.multibase`): ``z6Mk…`` for Ed25519, ``zDn…`` for a compressed P-256 point.
Resolution is offline; the one verification method is ``<did>#<multibase value>``. The
optional version segment of newer drafts (``did:key:1:…``) is not accepted.
"""

from credentials.did_url import parse_did
from credentials.errors import DIDInvalid, DIDUnsupported, InvalidKey, UnsupportedKeyType
from credentials.keys import PublicKey
from credentials.multibase import decode_multikey, encode_multikey

METHOD = "key"


def encode_did_key(key: PublicKey) -> str:
    """Return the did:key of ``key`` (did:key v0.7, "Create")."""
    return f"did:{METHOD}:{encode_multikey(key)}"


def did_key_key_id(did: str) -> str:
    """The verification method id of a did:key, ``<did>#<multibase value>`` (did:key v0.7)."""
    return f"{did}#{parse_did(did).method_specific_id}"


def resolve_did_key(did: str) -> PublicKey:
    """Resolve a did:key offline to its key, whose ``kid`` is ``<did>#<multibase value>``.

    did:key v0.7, "Read". Raises :class:`DIDInvalid` for a malformed DID or key encoding and
    :class:`DIDUnsupported` for key types other than Ed25519 and P-256.
    """
    parsed = parse_did(did)
    if parsed.method != METHOD or ":" in parsed.method_specific_id:
        raise DIDInvalid("the DID is not a did:key of the form did:key:<multibase value>")
    try:
        return decode_multikey(parsed.method_specific_id, kid=did_key_key_id(did))
    except UnsupportedKeyType:
        raise DIDUnsupported("the did:key key type is not supported") from None
    except InvalidKey:
        raise DIDInvalid("the did:key does not encode a valid public key") from None
