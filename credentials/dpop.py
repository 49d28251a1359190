"""DPoP proofs (RFC 9449, OAuth 2.0 Demonstrating Proof of Possession), checked as §4.3 says.

:func:`check_dpop_proof` accepts the value of one ``DPoP`` request header only when
(RFC 9449 §4.3, the numbered checks there):

2. it is a compact JWS of at most :data:`MAX_DPOP_PROOF_BYTES` with a JSON header and payload;
3. the payload has ``jti``, ``htm``, ``htu`` and ``iat``, and ``ath`` when an access token is
   presented with the proof;
4. ``typ`` is ``dpop+jwt``;
5. ``alg`` is an asymmetric algorithm on the caller's list (``none`` and MACs never pass: no key
   is bound to them, :mod:`credentials.jws`);
6. the signature verifies with the public key in the ``jwk`` header;
7. that ``jwk`` holds no private key member;
8. ``htm`` is the request's method;
9. ``htu`` is the request's URI, query and fragment ignored on both sides, scheme and host
   compared case-insensitively (RFC 3986 §6.2.2.1);
11. ``iat`` lies within ``max_age`` in the past and ``leeway`` in the future of ``now`` (§11.1);
12. with an access token: ``ath`` is base64url(SHA-256(token)) (§4.2, §7.1).

:func:`create_dpop_proof` makes a proof as a client sends it (§4.2), with the ``jti`` and
``iat`` it is handed.

Left to the caller, who holds the state: a single ``DPoP`` header (§4.3 step 1), the ``jti``
seen at most once within the window (§11.1; :attr:`DPoPProof.jti`), the key matching the access
token's binding (§7.1, compare :attr:`DPoPProof.jkt`) and server nonces (§8, step 10; Taito
does not ask for them). Pure: no clock but ``now``, no I/O.
"""

import hashlib
import hmac
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import urlsplit

from credentials.clock import require_aware
from credentials.encoding import b64url_encode, json_dumps
from credentials.errors import CredentialError, DPoPProofInvalid
from credentials.jws import (
    check_typ,
    parse_compact,
    payload_object,
    sign_compact,
    verify_signature,
)
from credentials.jwt import numeric_date
from credentials.keys import PrivateKey, public_key_from_jwk

DPOP_TYP: Final = "dpop+jwt"
MAX_DPOP_PROOF_BYTES: Final = 8 * 1024
MAX_JTI_LENGTH: Final = 256
PRIVATE_JWK_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
"""Members that make a JWK private or symmetric (RFC 7518 §6.2.2, §6.3.2, §6.4.1)."""


@dataclass(frozen=True)
class DPoPProof:
    """A checked proof: its key's RFC 7638 thumbprint (``jkt``), its ``jti`` and ``iat``."""

    jkt: str
    jti: str
    iat: int


def access_token_hash(access_token: str) -> str:
    """The ``ath`` of ``access_token``: base64url of its ASCII bytes' SHA-256 (RFC 9449 §4.2)."""
    return b64url_encode(hashlib.sha256(access_token.encode("ascii", "replace")).digest())


def create_dpop_proof(
    key: PrivateKey,
    *,
    method: str,
    uri: str,
    jti: str,
    iat: int,
    access_token: str | None,
) -> str:
    """A DPoP proof (RFC 9449 §4.2) by ``key`` for a ``method`` request to ``uri``.

    ``htu`` is ``uri`` without query and fragment; ``ath`` is set when ``access_token`` is given.
    """
    parts = urlsplit(uri)
    payload: dict[str, str | int] = {
        "jti": jti,
        "htm": method,
        "htu": parts._replace(query="", fragment="").geturl(),
        "iat": iat,
    }
    if access_token is not None:
        payload["ath"] = access_token_hash(access_token)
    public = {k: v for k, v in key.public.jwk.items() if k in ("kty", "crv", "x", "y")}
    return sign_compact({"typ": DPOP_TYP, "jwk": public}, json_dumps(payload).encode(), key)


def _without_query(uri: str) -> tuple[str, str, str]:
    parts = urlsplit(uri)
    return parts.scheme.lower(), parts.netloc.lower(), parts.path or "/"


def check_dpop_proof(
    proof: str,
    *,
    method: str,
    uri: str,
    now: datetime,
    max_age: timedelta,
    leeway: timedelta,
    algorithms: Collection[str],
    access_token: str | None,
) -> DPoPProof:
    """Check the DPoP proof ``proof`` for a ``method`` request to ``uri`` (RFC 9449 §4.3).

    ``access_token`` is the token the request presents with the proof (``None`` at the token
    endpoint). Raises :class:`DPoPProofInvalid` naming the failed rule, never a value.
    """
    now = require_aware(now)
    try:
        parsed = parse_compact(proof, max_bytes=MAX_DPOP_PROOF_BYTES, what="DPoP proof")
        check_typ(parsed, (DPOP_TYP,), what="DPoP proof")
        if parsed.alg not in algorithms:
            raise DPoPProofInvalid("the DPoP proof's alg is not an accepted asymmetric one")
        jwk = parsed.header.get("jwk")
        if not isinstance(jwk, dict):
            raise DPoPProofInvalid("the DPoP proof has no jwk header")
        if PRIVATE_JWK_MEMBERS & set(jwk):
            raise DPoPProofInvalid("the DPoP proof's jwk is not a public key")
        key = public_key_from_jwk(jwk)
        verify_signature(parsed, key, algorithms=algorithms)
        payload = payload_object(parsed, what="DPoP proof")
        iat = numeric_date(payload, "iat", required=True)
    except DPoPProofInvalid:
        raise
    except CredentialError as error:
        raise DPoPProofInvalid(f"the DPoP proof is not valid: {error.title}") from None
    assert iat is not None
    jti, htm, htu = payload.get("jti"), payload.get("htm"), payload.get("htu")
    if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
        raise DPoPProofInvalid("the DPoP proof's jti is missing or too long")
    if htm != method:
        raise DPoPProofInvalid("the DPoP proof's htm is not this request's method")
    if not isinstance(htu, str) or _without_query(htu) != _without_query(uri):
        raise DPoPProofInvalid("the DPoP proof's htu is not this request's URI")
    current = now.timestamp()
    if iat > current + leeway.total_seconds() or current - iat > max_age.total_seconds():
        raise DPoPProofInvalid("the DPoP proof's iat is outside the accepted window")
    if access_token is not None:
        ath = payload.get("ath")
        if not isinstance(ath, str) or not hmac.compare_digest(
            ath.encode("utf-8", "replace"), access_token_hash(access_token).encode("ascii")
        ):
            raise DPoPProofInvalid("the DPoP proof's ath does not match the access token")
    return DPoPProof(jkt=key.thumbprint, jti=jti, iat=iat)
