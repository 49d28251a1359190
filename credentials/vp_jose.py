"""W3C Verifiable Presentations secured with JOSE: ``vp+jwt`` (VC-JOSE-COSE §3.1.2).

The JWS payload is the presentation, signed by the holder. Credentials inside it MUST be secured
and use ``EnvelopedVerifiableCredential`` (§3.1.2; VC DM 2.0 §4.13.1): an object with the base
``@context``, ``type`` ``EnvelopedVerifiableCredential`` and ``id``
``data:application/vc+jwt,<vc+jwt>``. Embedded unsecured credentials, other media types and
base64 ``data:`` URLs are refused. Beside the presentation the payload carries the JWT claims
``aud``, ``nonce`` and ``iat`` that make it a fresh answer to one verifier's request.

Verification, in order (fails closed at the first broken rule):

1. strict compact JWS, ``typ`` ``vp+jwt`` (or ``application/vp+jwt``);
2. ``holder`` is required (a URL or an object with a URL ``id``): it is what binds the signing
   key and the credentials together. An ``iss``, if present, must equal it;
3. the signing key comes from the injected ``resolve_holder_key`` asked for that holder: the
   offline DID resolver for did:jwk/did:key holders, or ``pinned_key(key, issuer=holder)`` for
   a key the caller already holds; the signature is checked under the algorithm allow-list;
4. VC DM 2.0 structure: ``@context``, ``type`` includes ``VerifiablePresentation``, no ``vc``
   or ``vp`` claim (§3.1.3);
5. ``aud`` is one string equal to ours, ``nonce`` equals ours, ``iat`` is present, not ahead of
   ``now`` beyond the tolerance and not older than ``max_age`` (plus the tolerance);
   ``exp``/``nbf`` are enforced when present;
6. every enveloped credential verifies with :func:`~credentials.vc_jose.verify_vc_jwt`;
7. holder binding (VC DM 2.0 Appendix A.4 "Holder"): every credential must have at least one
   ``credentialSubject`` whose ``id`` is identical to the holder. A credential without a subject
   id, or about someone else only, rejects the whole presentation.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from credentials.encoding import json_dumps
from credentials.errors import (
    ClaimMissing,
    HeaderInvalid,
    HolderBindingMismatch,
    IssuerMismatch,
    VPAudienceMismatch,
    VPInvalid,
    VPNonceMismatch,
    VPStale,
)
from credentials.jws import check_typ, parse_compact, payload_object, sign_compact, verify_signature
from credentials.jwt import check_time_claims
from credentials.keys import PrivateKey
from credentials.resolvers import IssuerKeyResolver
from credentials.vc_jose import (
    CREDENTIALS_V2_CONTEXT,
    FORBIDDEN_CLAIMS,
    VerifiedCredential,
    has_base_context,
    is_url,
    type_values,
    verify_vc_jwt,
)

VP_JWT_TYP = "vp+jwt"
ACCEPTED_TYPS = ("vp+jwt", "application/vp+jwt")
ENVELOPED_TYPE = "EnvelopedVerifiableCredential"
VC_JWT_DATA_URL_PREFIX = "data:application/vc+jwt,"
MAX_PRESENTED_CREDENTIALS = 32


@dataclass(frozen=True)
class VerifiedPresentation:
    """A verified ``vp+jwt``: the holder, the verified credentials and the request it answers."""

    presentation: dict[str, Any]
    holder: str
    credentials: tuple[VerifiedCredential, ...]
    audience: str
    nonce: str
    issued_at: datetime


def envelope_vc_jwt(vc_jwt: str) -> dict[str, Any]:
    """Wrap a ``vc+jwt`` as an ``EnvelopedVerifiableCredential`` (VC DM 2.0 §4.13.1)."""
    if vc_jwt.count(".") != 2:
        raise ValueError("a vc+jwt is a compact JWS of three parts")
    return {
        "@context": CREDENTIALS_V2_CONTEXT,
        "type": ENVELOPED_TYPE,
        "id": VC_JWT_DATA_URL_PREFIX + vc_jwt,
    }


def present_vp_jwt(
    credentials: Sequence[str],
    *,
    holder: str,
    key: PrivateKey,
    audience: str,
    nonce: str,
    issued_at: datetime,
) -> str:
    """Make a ``vp+jwt`` of ``credentials`` for one verifier's request (VC-JOSE-COSE §3.1.2).

    ``key`` is the holder's; for a DID holder its ``kid`` must be a DID URL of that DID
    (VC-JOSE-COSE §4.1.1). Raises ``ValueError`` for no credentials, a malformed credential or
    a key that does not belong to a DID holder.
    """
    if not credentials:
        raise ValueError("a presentation needs at least one credential")
    if holder.startswith("did:") and not key.kid.startswith(holder + "#"):
        raise ValueError("the key's kid is not a DID URL of the DID holder")
    payload = {
        "@context": [CREDENTIALS_V2_CONTEXT],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": [envelope_vc_jwt(vc) for vc in credentials],
        "aud": audience,
        "nonce": nonce,
        "iat": int(issued_at.timestamp()),
    }
    header = {"typ": VP_JWT_TYP, "kid": key.kid}
    return sign_compact(header, json_dumps(payload).encode("utf-8"), key)


def verify_vp_jwt(
    token: str,
    *,
    resolve_holder_key: IssuerKeyResolver,
    resolve_issuer_key: IssuerKeyResolver,
    audience: str,
    nonce: str,
    now: datetime,
    max_age: timedelta,
    clock_tolerance: timedelta,
    algorithms: Collection[str],
) -> VerifiedPresentation:
    """Verify a ``vp+jwt`` and every credential in it (VC-JOSE-COSE §3.1.2, §5.1; VC DM 2.0).

    The rules are listed in the module docstring. Raises, besides everything
    :func:`~credentials.vc_jose.verify_vc_jwt` and the resolvers raise: :class:`VPInvalid`,
    :class:`IssuerMismatch`, :class:`ClaimMissing`, :class:`VPAudienceMismatch`,
    :class:`VPNonceMismatch`, :class:`~credentials.errors.IssuedInFuture`, :class:`VPStale`
    and :class:`HolderBindingMismatch`.
    """
    parsed = parse_compact(token, what="vp+jwt")
    check_typ(parsed, ACCEPTED_TYPS, what="vp+jwt")
    payload = payload_object(parsed, what="vp+jwt")
    holder = _holder_id(payload)
    for source in (parsed.header, payload):
        if "iss" in source and source["iss"] != holder:
            raise IssuerMismatch("the iss of the presentation is not its holder")
    kid = parsed.header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise HeaderInvalid("the vp+jwt header kid is not a string")
    verify_signature(parsed, resolve_holder_key(issuer=holder, kid=kid), algorithms=algorithms)

    _check_structure(payload)
    _check_request(payload, audience=audience, nonce=nonce)
    check_time_claims(payload, now=now, tolerance=clock_tolerance, require_iat=True)
    issued_at = int(payload["iat"])  # present and a sane NumericDate: checked just above
    if now.timestamp() - issued_at > (max_age + clock_tolerance).total_seconds():
        raise VPStale("the presentation's iat is older than allowed")

    verified = tuple(
        verify_vc_jwt(
            vc_jwt,
            resolve_issuer_key=resolve_issuer_key,
            now=now,
            clock_tolerance=clock_tolerance,
            algorithms=algorithms,
        )
        for vc_jwt in _enveloped_vc_jwts(payload)
    )
    for credential in verified:
        if holder not in credential.subject_ids:
            raise HolderBindingMismatch("a credential has no subject id equal to the holder")
    return VerifiedPresentation(
        presentation=payload,
        holder=holder,
        credentials=verified,
        audience=audience,
        nonce=nonce,
        issued_at=datetime.fromtimestamp(issued_at, tz=UTC),
    )


def _holder_id(payload: dict[str, Any]) -> str:
    holder = payload.get("holder")
    if isinstance(holder, dict):
        holder = holder.get("id")
    if not is_url(holder):
        raise VPInvalid("the presentation must name its holder by a URL")
    return str(holder)


def _check_structure(payload: dict[str, Any]) -> None:
    for name in FORBIDDEN_CLAIMS:
        if name in payload:
            raise VPInvalid(f"the JWT claim {name} must not be present (VC-JOSE-COSE §3.1.3)")
    if not has_base_context(payload):
        raise VPInvalid("@context must start with the VC 2.0 base context")
    if "VerifiablePresentation" not in type_values(payload):
        raise VPInvalid("type must include VerifiablePresentation")


def _check_request(payload: dict[str, Any], *, audience: str, nonce: str) -> None:
    # docs/security.md: aud is one string equal to ours (an array is refused even if it holds ours);
    # the nonce is compared here, its single use is the caller's to enforce.
    for name in ("aud", "nonce"):
        if name not in payload:
            raise ClaimMissing(f"the presentation's {name} claim is required")
    if not isinstance(payload["aud"], str) or payload["aud"] != audience:
        raise VPAudienceMismatch("the presentation's aud is not this verifier")
    if not isinstance(payload["nonce"], str) or payload["nonce"] != nonce:
        raise VPNonceMismatch("the presentation's nonce is not the expected one")


def _enveloped_vc_jwts(payload: dict[str, Any]) -> list[str]:
    entries = payload.get("verifiableCredential")
    entries = [entries] if isinstance(entries, dict) else entries
    if not isinstance(entries, list) or not entries:
        raise VPInvalid("the presentation holds no verifiableCredential")
    if len(entries) > MAX_PRESENTED_CREDENTIALS:
        raise VPInvalid("the presentation holds more credentials than allowed")
    tokens = []
    for entry in entries:
        if not isinstance(entry, dict) or not has_base_context(entry):
            raise VPInvalid("a verifiableCredential entry is not a VC 2.0 object")
        if type_values(entry) != (ENVELOPED_TYPE,):
            raise VPInvalid("a verifiableCredential entry is not an EnvelopedVerifiableCredential")
        data_url = entry.get("id")
        if not isinstance(data_url, str) or not data_url.startswith(VC_JWT_DATA_URL_PREFIX):
            raise VPInvalid("an enveloped credential is not a data:application/vc+jwt URL")
        tokens.append(data_url[len(VC_JWT_DATA_URL_PREFIX) :])
    return tokens
