"""The one verification gate: every credential or presentation accepted anywhere passes here.

Every door (``POST /v1/verifications``, answers to presentation requests, share views, the
wallet's receipt and import, ``taito verify``) calls :func:`admit` with its
:class:`~verifiers.policy.DoorPolicy`; the doors differ only by that policy
(docs/security.md, "What each door requires"). The checks, in one order, each reported:

1. ``format``: a format the door accepts (``dc+sd-jwt``, ``vc+jwt``, ``vp+jwt``); for an SD-JWT
   VC a compact SD-JWT (RFC 9901 §4) whose issuer-signed JWT has an accepted ``typ`` and plain
   ``iss`` and ``vct`` (SD-JWT VC §3.2), Disclosures well-formed, and no KB-JWT where an issued
   credential is received;
2. ``issuer_trusted``: the ``iss`` is known to the door's trust source and trusted for this type
   (SD-JWT VC §3.5), or for any type with the CLI's pinned key;
3. ``signature``: the issuer signature with a key from the issuer's trusted source, under the
   policy's algorithms, every Disclosure referenced by a signed digest (RFC 9901 §7.1);
4. ``validity_period``: ``exp``, ``nbf``, ``iat`` against now, 60 s tolerance;
5. ``holder_binding`` (receipt): bound to the receiving wallet's key (``cnf``, RFC 7800 §3.2,
   by RFC 7638 thumbprint; for a ``vc+jwt`` a did:jwk or did:key subject ``id`` of it);
6. Key Binding (RFC 9901 §7.3) as the policy says: ``kb_signature``, ``kb_audience``,
   ``kb_nonce``, ``kb_freshness``, ``kb_sd_hash``; a KB-JWT that is there is always verified;
7. ``status``: the status list read now (:mod:`verifiers.status`), or skipped offline;
8. ``schema``: the claims against the type's JSON Schema (only what is disclosed).

A check that cannot be performed fails (``not_checked``); claims are reported only when every
check passed. :func:`admit` never raises for a bad token; it raises ``TypeError`` for misuse (a
naive ``now``, a required Key Binding without an audience or nonce) and lets faults propagate.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from credentials.errors import CredentialError, KeyBindingUnexpected
from credentials.jws import parse_compact
from credentials.jwt import numeric_date
from credentials.kb_jwt import KeyBindingPolicy
from credentials.keys import jwk_thumbprint
from credentials.resolvers import IssuerKeyResolver
from credentials.sd_jwt import split_sd_jwt
from credentials.sd_jwt_vc import (
    VerifiedCredential,
    verify_sd_jwt_vc,
    verify_sd_jwt_vc_issuance,
)
from verifiers.admission import Admission, AdmittedCredential, Expected, GateContext
from verifiers.checks import (
    KB_CHECKS,
    CheckSheet,
    check_of_error,
    peek_sd_jwt_vc,
    schema_result,
)
from verifiers.dcql_answers import PresentedCredential
from verifiers.gate_jose import admit_vc_jwt, admit_vp_jwt
from verifiers.language import label_for, leaves, type_name, type_slug
from verifiers.policy import (
    ACCEPTED_ALGORITHMS,
    CLOCK_TOLERANCE,
    REGISTERED_CLAIMS,
    DoorPolicy,
    Format,
    KeyBinding,
)
from verifiers.report import CheckName, LabelledClaim, PresentationReport
from verifiers.status import StatusContext, check_token_status


def format_of(token: str) -> Format:
    """The format a token claims: ``dc+sd-jwt`` unless it is a compact JWS typed otherwise."""
    if "~" in token:
        return "dc+sd-jwt"
    try:
        typ = parse_compact(token).header.get("typ")
    except CredentialError:
        return "dc+sd-jwt"
    return "vc+jwt" if typ == "vc+jwt" else "vp+jwt" if typ == "vp+jwt" else "dc+sd-jwt"


def kb_max_age(policy: DoorPolicy, expected: Expected) -> timedelta:
    """The oldest KB-JWT accepted: the policy's bound, or the door's tighter one."""
    bounds = [age for age in (policy.max_kb_age, expected.max_kb_age) if age is not None]
    if not bounds:
        raise TypeError("a door verifying Key Binding needs a maximum KB-JWT age")
    return min(bounds)


def admit(
    token: str,
    *,
    policy: DoorPolicy,
    context: GateContext,
    expected: Expected,
    query_id: str | None = None,
) -> Admission:
    """Run every check on ``token`` under ``policy`` and report each (module docstring).

    RFC 9901 §7.1-§7.3; SD-JWT VC §3.4, §3.5; VC-JOSE-COSE §5.1; Token Status List §8.3;
    Bitstring Status List §3.2. Never raises for a bad token: every failure is a failed check in
    the report. Raises ``TypeError`` for misuse only.
    """
    if context.now.tzinfo is None:
        raise TypeError("now must be timezone-aware")
    sheet = CheckSheet(policy, context.language)
    fmt = format_of(token)
    if fmt not in policy.formats:
        sheet.fail("format", "format_not_accepted")
        report = PresentationReport(query_id, fmt, None, None, None, None, sheet.results())
        return Admission(report, False)
    if fmt == "vc+jwt":
        return admit_vc_jwt(
            token, sheet=sheet, context=context, expected=expected, query_id=query_id
        )
    if fmt == "vp+jwt":
        return admit_vp_jwt(
            token,
            sheet=sheet,
            context=context,
            expected=expected,
            max_age=kb_max_age(policy, expected),
            query_id=query_id,
        )
    return _admit_sd_jwt_vc(
        token, sheet=sheet, context=context, expected=expected, query_id=query_id
    )


def _when(payload: dict[str, Any], name: str) -> datetime | None:
    value = numeric_date(payload, name)
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _core(
    token: str,
    policy: DoorPolicy,
    context: GateContext,
    expected: Expected,
    resolver: IssuerKeyResolver,
) -> tuple[VerifiedCredential | None, CheckName | None, str]:
    """The credential core's verification; the stage that failed and its code, if one did.

    An issued credential (RFC 9901 §7.2) where the policy refuses Key Binding, else a
    presentation (§7.3) with Key Binding required or optional as the policy says.
    """
    try:
        if policy.key_binding is KeyBinding.REFUSED:
            verified = verify_sd_jwt_vc_issuance(
                token,
                resolve_issuer_key=resolver,
                algorithms=ACCEPTED_ALGORITHMS,
                accepted_typ=policy.accepted_typ,
                now=context.now,
                clock_tolerance=CLOCK_TOLERANCE,
            )
        else:
            key_binding = KeyBindingPolicy(
                required=policy.key_binding is KeyBinding.REQUIRED,
                audience=expected.audience,
                nonce=expected.nonce,
                max_age=kb_max_age(policy, expected),
            )
            verified = verify_sd_jwt_vc(
                token,
                resolve_issuer_key=resolver,
                algorithms=ACCEPTED_ALGORITHMS,
                accepted_typ=policy.accepted_typ,
                now=context.now,
                clock_tolerance=CLOCK_TOLERANCE,
                key_binding=key_binding,
            )
    except CredentialError as error:
        stage = check_of_error(error)
        if policy.key_binding is KeyBinding.REFUSED and stage in KB_CHECKS:
            stage = "signature"  # a cnf key that is no usable key: the issuer signed garbage
        return None, stage, error.code
    return verified, None, ""


def _holder_bound(verified: VerifiedCredential, thumbprint: str | None) -> bool:
    try:
        return (
            thumbprint is not None
            and verified.holder_jwk is not None
            and jwk_thumbprint(verified.holder_jwk) == thumbprint
        )
    except CredentialError:
        return False


def _admit_sd_jwt_vc(
    token: str, *, sheet: CheckSheet, context: GateContext, expected: Expected, query_id: str | None
) -> Admission:
    policy, language = sheet.policy, context.language
    try:
        if policy.key_binding is KeyBinding.REFUSED and split_sd_jwt(token).kb_jwt is not None:
            raise KeyBindingUnexpected("an issued credential carries no KB-JWT")
        peeked = peek_sd_jwt_vc(token, accepted_typ=policy.accepted_typ)
    except CredentialError as error:
        sheet.fail("format", error.code)
        report = PresentationReport(query_id, "dc+sd-jwt", None, None, None, None, sheet.results())
        return Admission(report, False)
    sheet.passed("format")
    base_url = context.base_url
    slug = type_slug(peeked.vct, base_url=base_url) if base_url else None
    shown_type = type_name(peeked.vct, base_url=base_url, language=language) if base_url else None
    trust = context.trust(peeked.issuer)
    sheet.trust(trust, (peeked.vct,))
    if trust is None:
        report = PresentationReport(
            query_id, "dc+sd-jwt", peeked.issuer, None, peeked.vct, shown_type, sheet.results()
        )
        return Admission(report, False)

    verified, stage, code = _core(token, policy, context, expected, trust.resolve_key)
    sheet.core(stage, code)
    key_bound = verified is not None and verified.key_binding_verified
    if verified is not None and not key_bound:
        sheet.not_applicable(*KB_CHECKS)
    nonce_bound = key_bound or stage in ("kb_freshness", "kb_sd_hash")
    if policy.holder_binding and verified is not None:
        if _holder_bound(verified, expected.holder_thumbprint):
            sheet.passed("holder_binding")
        else:
            sheet.fail("holder_binding", "holder_binding_mismatch")

    if sheet.outcome("signature") == "passed" and not sheet.status_skipped():
        if peeked.status is None:
            sheet.not_applicable("status")
        else:
            status_context = StatusContext(
                peeked.issuer,
                trust.resolve_key,
                context.fetch,
                context.cache,
                context.now,
                context.local_status,
            )
            sheet.status(check_token_status(peeked.status, status_context).code)

    claims: dict[str, Any] = {}
    if verified is not None:
        claims = {k: v for k, v in verified.claims.items() if k not in REGISTERED_CLAIMS}
        disclosed_only = policy.key_binding is not KeyBinding.REFUSED
        sheet.put(schema_result(slug, claims, language, disclosed_only=disclosed_only))
    checks = sheet.results()
    ok = all(check.outcome != "failed" for check in checks)
    labelled = tuple(
        LabelledClaim(path, label_for(slug, path, language), value)
        for name, item in (claims.items() if ok else ())
        for path, value in leaves(item, (name,))
    )
    report = PresentationReport(
        query_id,
        "dc+sd-jwt",
        peeked.issuer,
        trust.display_name,
        peeked.vct,
        shown_type,
        checks=checks,
        claims=claims if ok else {},
        labelled_claims=labelled,
    )
    admitted: tuple[AdmittedCredential, ...] = ()
    if ok and verified is not None:
        admitted = (
            AdmittedCredential(
                format="dc+sd-jwt",
                issuer=peeked.issuer,
                issuer_name=trust.display_name,
                vct=peeked.vct,
                claims=claims,
                valid_from=_when(verified.claims, "nbf") or _when(verified.claims, "iat"),
                valid_until=_when(verified.claims, "exp"),
                status="valid" if sheet.outcome("status") == "passed" else "none",
            ),
        )
    presented = PresentedCredential(peeked.vct, claims) if verified is not None else None
    return Admission(report, nonce_bound, admitted, presented)
