"""Verifying SD-JWTs and SD-JWT+KBs (RFC 9901 §7.1, §7.3), failing closed.

One function, :func:`verify_sd_jwt`, checks everything a presentation must satisfy: the caps of
docs/security.md, explicit ``typ``, the issuer signature under an allow-listed algorithm with the
key the injected resolver returns for the signed ``iss`` (never a key named by the header), the
``_sd_alg``, every Disclosure rule (:mod:`credentials.sd_jwt_processing`), ``exp``/``nbf``/``iat``
against the injected ``now``, and Key Binding under the verifier's policy: required or not by
policy alone, and always verified when present (:mod:`credentials.kb_jwt`).
:func:`verify_sd_jwt_issuance` is the holder's check of what an issuer sent (§7.2): the same
rules, and a KB-JWT is refused.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from credentials.clock import require_aware
from credentials.errors import (
    ClaimMissing,
    HeaderInvalid,
    KeyBindingRequired,
    KeyBindingUnexpected,
)
from credentials.jws import check_typ, parse_compact, payload_object, verify_signature
from credentials.jwt import check_time_claims
from credentials.kb_jwt import KeyBindingPolicy, holder_key_from_cnf, verify_kb_jwt
from credentials.resolvers import IssuerKeyResolver
from credentials.sd_jwt import (
    SDAlg,
    parse_disclosure,
    sd_alg_of,
    split_sd_jwt,
)
from credentials.sd_jwt_processing import DisclosedClaim, DisclosedClaimsView, process_payload


@dataclass(frozen=True)
class VerifiedSDJWT(DisclosedClaimsView):
    """A verified SD-JWT: the Processed SD-JWT Payload (§7.1) and how it was verified.

    ``claims`` holds the always-visible claims and the disclosed ones only; ``disclosures`` says
    which Disclosure revealed which claim. ``holder_jwk`` is the ``cnf`` JWK as given, if
    any; it was checked as a key only when ``key_binding_verified``.
    """

    claims: dict[str, Any]
    header: dict[str, Any]
    typ: str
    issuer: str
    kid: str | None
    sd_alg: SDAlg
    disclosures: tuple[DisclosedClaim, ...]
    holder_jwk: dict[str, Any] | None
    key_binding_verified: bool


def verify_sd_jwt(
    presentation: str,
    *,
    resolve_issuer_key: IssuerKeyResolver,
    algorithms: Collection[str],
    accepted_typ: Collection[str],
    now: datetime,
    clock_tolerance: timedelta,
    key_binding: KeyBindingPolicy,
    plain_claims: Collection[str],
    issuer_claim: str = "iss",
) -> VerifiedSDJWT:
    """Verify an SD-JWT or SD-JWT+KB presentation (RFC 9901 §7.1 and §7.3).

    ``plain_claims`` names the top-level claims that must not arrive through a Disclosure;
    ``issuer_claim`` is the plain top-level claim identifying the issuer for the resolver.
    Raises a :class:`~credentials.errors.CredentialError` subclass naming the failed rule:
    malformed input or caps, ``typ_mismatch``, ``issuer_key_unresolved``,
    ``unsupported_algorithm``, ``signature_invalid``, ``sd_alg_unsupported``, the Disclosure
    codes of :func:`~credentials.sd_jwt_processing.process_payload`, time claims,
    ``key_binding_required``, ``holder_key_missing`` or the ``kb_*`` codes.
    """
    return _verify(
        presentation,
        resolve_issuer_key=resolve_issuer_key,
        algorithms=algorithms,
        accepted_typ=accepted_typ,
        now=now,
        clock_tolerance=clock_tolerance,
        key_binding=key_binding,
        plain_claims=plain_claims,
        issuer_claim=issuer_claim,
    )


def verify_sd_jwt_issuance(
    issuance: str,
    *,
    resolve_issuer_key: IssuerKeyResolver,
    algorithms: Collection[str],
    accepted_typ: Collection[str],
    now: datetime,
    clock_tolerance: timedelta,
    plain_claims: Collection[str],
    issuer_claim: str = "iss",
) -> VerifiedSDJWT:
    """The holder's verification of an issued SD-JWT (RFC 9901 §7.2).

    As :func:`verify_sd_jwt`; an SD-JWT+KB is rejected with ``kb_unexpected``.
    """
    return _verify(
        issuance,
        resolve_issuer_key=resolve_issuer_key,
        algorithms=algorithms,
        accepted_typ=accepted_typ,
        now=now,
        clock_tolerance=clock_tolerance,
        key_binding=None,
        plain_claims=plain_claims,
        issuer_claim=issuer_claim,
    )


def _verify(
    text: str,
    *,
    resolve_issuer_key: IssuerKeyResolver,
    algorithms: Collection[str],
    accepted_typ: Collection[str],
    now: datetime,
    clock_tolerance: timedelta,
    key_binding: KeyBindingPolicy | None,
    plain_claims: Collection[str],
    issuer_claim: str,
) -> VerifiedSDJWT:
    _check_options(algorithms, accepted_typ, plain_claims, now, clock_tolerance)
    parts = split_sd_jwt(text)
    if key_binding is None and parts.kb_jwt is not None:
        raise KeyBindingUnexpected("an issued SD-JWT must not carry a KB-JWT")
    if key_binding is not None and key_binding.required and parts.kb_jwt is None:
        raise KeyBindingRequired("the verifier requires Key Binding and none was presented")

    parsed = parse_compact(parts.issuer_jwt, what="issuer-signed JWT")
    typ = check_typ(parsed, accepted_typ, what="issuer-signed JWT")
    payload = payload_object(parsed, what="issuer-signed JWT")
    issuer = payload.get(issuer_claim)
    if not isinstance(issuer, str) or not issuer:
        raise ClaimMissing(f"the {issuer_claim} claim is required as a plain string")
    kid = parsed.header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise HeaderInvalid("the issuer-signed JWT kid must be a string")
    key = resolve_issuer_key(issuer=issuer, kid=kid)
    verify_signature(parsed, key, algorithms=algorithms)

    sd_alg = sd_alg_of(payload)
    disclosures = [parse_disclosure(encoded) for encoded in parts.disclosures]
    processed = process_payload(
        payload, disclosures, sd_alg=sd_alg, plain_claims={*plain_claims, issuer_claim}
    )
    check_time_claims(processed.claims, now=now, tolerance=clock_tolerance)

    if parts.kb_jwt is not None:
        assert key_binding is not None
        verify_kb_jwt(
            parts.kb_jwt,
            sd_jwt=parts.sd_jwt,
            holder_key=holder_key_from_cnf(processed.claims),
            policy=key_binding,
            algorithms=algorithms,
            now=now,
            clock_tolerance=clock_tolerance,
            sd_alg=sd_alg,
        )
    return VerifiedSDJWT(
        claims=processed.claims,
        header=dict(parsed.header),
        typ=typ,
        issuer=issuer,
        kid=kid,
        sd_alg=sd_alg,
        disclosures=processed.disclosed,
        holder_jwk=_holder_jwk(processed.claims),
        key_binding_verified=parts.kb_jwt is not None,
    )


def _holder_jwk(claims: dict[str, Any]) -> dict[str, Any] | None:
    # The cnf JWK is parsed into a key only to verify a KB-JWT: without Key Binding, RFC 9901
    # §7.1 does not judge cnf (one official example carries an abbreviated RSA key there).
    cnf = claims.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    return dict(jwk) if isinstance(jwk, dict) else None


def _check_options(
    algorithms: Collection[str],
    accepted_typ: Collection[str],
    plain_claims: Collection[str],
    now: datetime,
    clock_tolerance: timedelta,
) -> None:
    # A bare string is a Collection of characters: "ES256" would allow "E", "S", ... Misuse is a
    # TypeError, not a token error (docs/architecture.md, "The credential core").
    for name, option in (
        ("algorithms", algorithms),
        ("accepted_typ", accepted_typ),
        ("plain_claims", plain_claims),
    ):
        if isinstance(option, str | bytes):
            raise TypeError(f"{name} must be a collection of strings, not a string")
    if not accepted_typ:
        raise TypeError("accepted_typ must name at least one typ")
    require_aware(now)
    if clock_tolerance < timedelta(0):
        raise ValueError("clock_tolerance must not be negative")
