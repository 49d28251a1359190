"""The ``jwt`` key proof of a Credential Request (OpenID4VCI 1.0 §8.2.1.1, Appendix F.1).

:func:`check_jwt_proof` accepts a proof only when:

- it is a compact JWS of at most :data:`MAX_PROOF_BYTES`, ``typ`` ``openid4vci-proof+jwt``,
  ``alg`` one of :data:`PROOF_ALGORITHMS` (never ``none`` nor a MAC), no ``crit``;
- exactly one of ``jwk`` (a public Ed25519 or P-256 key, no private member) or ``kid`` (a
  did:jwk or did:key DID URL) names the key, and that key verifies the signature (``x5c`` and
  other DID methods are not accepted);
- ``aud`` is the credential issuer identifier, ``iat`` lies within :data:`IAT_MAX_AGE` in the
  past and :data:`IAT_LEEWAY` in the future, and ``nonce`` is a string (the caller consumes it).

Pure: no database; the nonce is checked by :func:`issuers.access_tokens.consume_nonce`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from credentials.clock import require_aware
from credentials.did_jwk import resolve_did_jwk
from credentials.did_key import resolve_did_key
from credentials.errors import CredentialError
from credentials.jws import check_typ, parse_compact, payload_object, verify_signature
from credentials.jwt import numeric_date
from credentials.keys import PublicKey, public_key_from_jwk
from issuers.errors import InvalidProof
from issuers.issuance_input import HolderBinding

PROOF_TYP: Final = "openid4vci-proof+jwt"
PROOF_ALGORITHMS: Final = ("ES256", "EdDSA")
MAX_PROOF_BYTES: Final = 8 * 1024
IAT_MAX_AGE: Final = timedelta(minutes=5)
IAT_LEEWAY: Final = timedelta(seconds=60)
_PRIVATE_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


@dataclass(frozen=True)
class ProvenKey:
    """The key a proof proved possession of, as the credential binds it, and the proof's nonce."""

    holder: HolderBinding
    nonce: str


def _key_of(header: dict[str, object]) -> tuple[PublicKey, HolderBinding]:
    jwk, kid = header.get("jwk"), header.get("kid")
    if "x5c" in header or (jwk is None) == (kid is None):
        raise InvalidProof("the proof names its key by exactly one of jwk or kid")
    if jwk is not None:
        if not isinstance(jwk, dict) or _PRIVATE_MEMBERS & set(jwk):
            raise InvalidProof("the proof's jwk is not a public key")
        public = {k: v for k, v in jwk.items() if k in ("kty", "crv", "x", "y")}
        key = public_key_from_jwk(public)
        return key, HolderBinding(jwk=public)
    if not isinstance(kid, str) or len(kid) > 2048:
        raise InvalidProof("the proof's kid is not a DID URL")
    did = kid.split("#", 1)[0]
    if did.startswith("did:jwk:"):
        return resolve_did_jwk(did), HolderBinding(did=did)
    if did.startswith("did:key:"):
        return resolve_did_key(did), HolderBinding(did=did)
    raise InvalidProof("the proof's kid must be a did:jwk or did:key")


def check_jwt_proof(proof: object, *, audience: str, now: datetime) -> ProvenKey:
    """Check one ``jwt`` proof for ``audience`` at ``now``; return the proven key and nonce.

    Raises :class:`InvalidProof` (with the reason, never the token) for any failure above.
    """
    now = require_aware(now)
    if not isinstance(proof, str):
        raise InvalidProof("a jwt proof is a string")
    try:
        parsed = parse_compact(proof, max_bytes=MAX_PROOF_BYTES, what="key proof")
        check_typ(parsed, (PROOF_TYP,), what="key proof")
        if parsed.alg not in PROOF_ALGORITHMS:
            raise InvalidProof("the proof's alg is not ES256 or EdDSA")
        key, holder = _key_of(parsed.header)
        verify_signature(parsed, key, algorithms=PROOF_ALGORITHMS)
        payload = payload_object(parsed, what="key proof")
        iat = numeric_date(payload, "iat", required=True)
    except CredentialError as error:
        raise InvalidProof(f"the key proof is not valid: {error.title}") from None
    if payload.get("aud") != audience:
        raise InvalidProof("the proof's aud is not this credential issuer")
    assert iat is not None
    current = now.timestamp()
    if iat > current + IAT_LEEWAY.total_seconds() or current - iat > IAT_MAX_AGE.total_seconds():
        raise InvalidProof("the proof's iat is outside the accepted window")
    nonce = payload.get("nonce")
    if not isinstance(nonce, str):
        raise InvalidProof("the proof has no c_nonce")
    return ProvenKey(holder=holder, nonce=nonce)
