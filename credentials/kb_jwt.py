"""Key Binding JWT: created by the holder, verified by the verifier (RFC 9901 §4.3, §7.3).

A KB-JWT is a JWT with ``typ`` ``kb+jwt`` signed by the key in the SD-JWT's ``cnf`` claim. Its
payload holds ``iat``, ``aud`` (one string), ``nonce`` and ``sd_hash``, the digest under the
SD-JWT's ``_sd_alg`` of the presentation through its last ``~`` (§4.3.1).

Verification policy (docs/security.md, key binding): ``aud`` equal to ours, ``nonce`` equal to
the one we issued, ``iat`` at most ``max_age`` old (5 minutes by default) and at most the clock
tolerance ahead, ``exp``/``nbf`` enforced when present, algorithms from the verifier's allow-list
only.
"""

import hmac
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from credentials.clock import require_aware
from credentials.encoding import JSONSerializer, json_dumps
from credentials.errors import (
    ClaimInvalid,
    CredentialError,
    HolderKeyMissing,
    InvalidKey,
    KBAudienceMismatch,
    KBExpired,
    KBIssuedAtInvalid,
    KBNonceMismatch,
    KBSDHashMismatch,
    KeyBindingInvalid,
    TooLarge,
)
from credentials.jws import check_typ, parse_compact, payload_object, sign_compact, verify_signature
from credentials.jwt import check_time_claims, numeric_date
from credentials.keys import PrivateKey, PublicKey, public_key_from_jwk
from credentials.sd_jwt import SDAlg, digest

KB_TYP: Final = "kb+jwt"
DEFAULT_KB_MAX_AGE: Final = timedelta(minutes=5)
"""A KB-JWT's ``iat`` is at most 5 minutes old (docs/security.md, key binding)."""

_PRIVATE_JWK_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


@dataclass(frozen=True)
class KeyBindingPolicy:
    """The verifier's Key Binding policy (RFC 9901 §7.3 step 1, §9.5).

    ``required`` is decided by the verifier alone, never by whether a KB-JWT is present. A
    KB-JWT that is present is always verified, so ``audience`` and ``nonce`` are needed whenever
    one may arrive; with ``required`` they are mandatory (``TypeError`` otherwise).
    """

    required: bool
    audience: str | None
    nonce: str | None
    max_age: timedelta = DEFAULT_KB_MAX_AGE

    def __post_init__(self) -> None:
        if self.required and (self.audience is None or self.nonce is None):
            raise TypeError("a policy requiring Key Binding needs an audience and a nonce")
        if self.max_age <= timedelta(0):
            raise ValueError("max_age must be positive")


def sd_hash(sd_jwt: str, sd_alg: SDAlg) -> str:
    """The ``sd_hash`` over ``<Issuer-signed JWT>~<D1>~...~<Dn>~`` (RFC 9901 §4.3.1)."""
    if not sd_jwt.endswith("~"):
        raise ValueError("sd_hash is taken over the SD-JWT through its last '~'")
    return digest(sd_jwt, sd_alg)


def create_kb_jwt(
    sd_jwt: str,
    *,
    holder_key: PrivateKey,
    audience: str,
    nonce: str,
    issued_at: datetime,
    sd_alg: SDAlg,
    serialize: JSONSerializer = json_dumps,
) -> str:
    """Sign a KB-JWT binding ``sd_jwt`` (ending in ``~``) to ``audience`` and ``nonce`` (§4.3).

    Header ``{"alg", "typ": "kb+jwt"}``, payload ``{"nonce", "aud", "iat", "sd_hash"}`` (the
    order of the RFC's examples). Raises ``TypeError``/``ValueError`` for misuse.
    """
    if not isinstance(audience, str) or not audience:
        raise TypeError("the audience is one non-empty string")
    if not isinstance(nonce, str) or not nonce:
        raise TypeError("the nonce is a non-empty string")
    if issued_at.tzinfo is None:
        raise TypeError("issued_at must be timezone-aware")
    payload = {
        "nonce": nonce,
        "aud": audience,
        "iat": int(issued_at.timestamp()),
        "sd_hash": sd_hash(sd_jwt, sd_alg),
    }
    header = {"typ": KB_TYP}
    return sign_compact(header, serialize(payload).encode("utf-8"), holder_key, serialize=serialize)


def holder_key_from_cnf(claims: Mapping[str, Any]) -> PublicKey:
    """The holder's public key from the ``cnf`` claim's ``jwk`` (RFC 9901 §4.1.2, RFC 7800 §3.2).

    Raises :class:`HolderKeyMissing` without a ``cnf`` ``jwk``, :class:`InvalidKey` for a JWK
    that is not a supported public key (a private member in it is refused too).
    """
    cnf = claims.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(jwk, dict):
        raise HolderKeyMissing("the SD-JWT has no cnf claim with a jwk member")
    if _PRIVATE_JWK_MEMBERS & jwk.keys():
        raise InvalidKey("the cnf jwk holds private key material")
    return public_key_from_jwk(jwk)


def verify_kb_jwt(
    kb_jwt: str,
    *,
    sd_jwt: str,
    holder_key: PublicKey,
    policy: KeyBindingPolicy,
    algorithms: Collection[str],
    now: datetime,
    clock_tolerance: timedelta,
    sd_alg: SDAlg,
) -> dict[str, Any]:
    """Verify a KB-JWT against the holder key and the presented SD-JWT (RFC 9901 §7.3 step 5).

    Returns the KB-JWT payload. Raises :class:`KeyBindingInvalid` (malformed, wrong ``typ``, bad
    signature or algorithm, no audience/nonce in the policy), :class:`KBAudienceMismatch`,
    :class:`KBNonceMismatch`, :class:`KBIssuedAtInvalid`, :class:`KBExpired` or
    :class:`KBSDHashMismatch`.
    """
    require_aware(now)
    if policy.audience is None or policy.nonce is None:
        raise KeyBindingInvalid("a KB-JWT is present but the policy has no audience and nonce")
    try:
        parsed = parse_compact(kb_jwt, what="KB-JWT")
        check_typ(parsed, (KB_TYP,), what="KB-JWT")
        verify_signature(parsed, holder_key, algorithms=algorithms)
        payload = payload_object(parsed, what="KB-JWT")
    except TooLarge:
        raise
    except CredentialError as error:
        raise KeyBindingInvalid(f"the KB-JWT is not valid: {error.title}") from None
    aud = payload.get("aud")
    if not isinstance(aud, str) or not _equal(aud, policy.audience):
        raise KBAudienceMismatch("the KB-JWT aud is not the single expected audience")
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not _equal(nonce, policy.nonce):
        raise KBNonceMismatch("the KB-JWT nonce is not the expected one")
    _check_iat(payload, now=now, tolerance=clock_tolerance, max_age=policy.max_age)
    try:
        check_time_claims(payload, now=now, tolerance=clock_tolerance)
    except ClaimInvalid as error:
        raise KeyBindingInvalid(f"the KB-JWT time claims fail: {error.title}") from None
    presented = payload.get("sd_hash")
    if not isinstance(presented, str) or not _equal(presented, sd_hash(sd_jwt, sd_alg)):
        raise KBSDHashMismatch("the KB-JWT sd_hash does not match the presented SD-JWT")
    return payload


def _check_iat(
    payload: Mapping[str, Any], *, now: datetime, tolerance: timedelta, max_age: timedelta
) -> None:
    try:
        iat = numeric_date(payload, "iat", required=True)
    except ClaimInvalid:
        raise KBIssuedAtInvalid("the KB-JWT iat is missing or not a NumericDate") from None
    assert iat is not None
    current = now.timestamp()
    if iat > current + tolerance.total_seconds():
        raise KBIssuedAtInvalid("the KB-JWT iat is in the future")
    if current - iat > max_age.total_seconds():
        raise KBExpired("the KB-JWT is older than the accepted maximum age")


def _equal(presented: str, expected: str) -> bool:
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))
