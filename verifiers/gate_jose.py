"""The gate's checks of W3C credentials secured with JOSE: ``vc+jwt`` and ``vp+jwt``.

Called by :func:`verifiers.gate.admit` only, with the door's :class:`~verifiers.checks.CheckSheet`
(VC-JOSE-COSE §3.1, §5.1; VC Data Model 2.0). A ``vc+jwt`` is an issued credential: no Key
Binding of its own (``kb_*`` not applicable where the policy allows that; doors requiring Key
Binding do not accept the format at all), bound to a holder by a did:jwk or did:key subject
``id``. A ``vp+jwt`` is the holder's presentation of ``vc+jwt`` credentials: its signature by the
holder's DID is the Key Binding (``kb_signature``), with ``aud``, ``nonce`` and ``iat`` checked
as ``kb_audience``, ``kb_nonce`` and ``kb_freshness``; it has no ``sd_hash``.
"""

from datetime import timedelta
from typing import Any

from credentials.did_jwk import resolve_did_jwk
from credentials.did_key import resolve_did_key
from credentials.dids import offline_did_resolver
from credentials.errors import (
    ClaimMissing,
    CredentialError,
    CredentialExpired,
    CredentialNotYetValid,
    HolderBindingMismatch,
    IssuedInFuture,
    IssuerKeyUnresolved,
    VPAudienceMismatch,
    VPNonceMismatch,
    VPStale,
)
from credentials.jws import check_typ, parse_compact, payload_object
from credentials.keys import PublicKey
from credentials.vc_jose import (
    ACCEPTED_TYPS,
    VerifiedCredential,
    issuer_id,
    type_values,
    verify_vc_jwt,
)
from credentials.vp_jose import verify_vp_jwt
from verifiers.admission import Admission, AdmittedCredential, Expected, GateContext, IssuerTrust
from verifiers.checks import KB_CHECKS, CheckSheet, check_of_error, schema_result
from verifiers.language import type_slug
from verifiers.policy import ACCEPTED_ALGORITHMS, CLOCK_TOLERANCE, TrustSource
from verifiers.report import CheckName, PresentationReport
from verifiers.status import StatusContext, check_bitstring_status


def _subject_bound(subject_ids: tuple[str, ...], holder_thumbprint: str | None) -> bool:
    for subject in subject_ids:
        try:
            if subject.startswith("did:jwk:"):
                key = resolve_did_jwk(subject)
            elif subject.startswith("did:key:"):
                key = resolve_did_key(subject)
            else:
                continue
        except CredentialError:
            continue
        if key.thumbprint == holder_thumbprint:
            return True
    return False


def _vct(facts: VerifiedCredential, trust: IssuerTrust | None) -> str:
    types = tuple(t for t in facts.types if t != "VerifiableCredential")
    trusted = trust.trusted_vcts if trust else frozenset()
    return next((t for t in types if t in trusted), types[0] if types else "")


def _claims(facts: VerifiedCredential) -> dict[str, Any]:
    subject = facts.credential.get("credentialSubject")
    return {k: v for k, v in subject.items() if k != "id"} if isinstance(subject, dict) else {}


def _status(sheet: CheckSheet, context: GateContext, facts: VerifiedCredential, trust: Any) -> None:
    if sheet.status_skipped():
        return
    if not facts.credential_status:
        sheet.not_applicable("status")
        return
    status_context = StatusContext(
        facts.issuer,
        trust.resolve_key,
        context.fetch,
        context.cache,
        context.now,
        context.local_status,
    )
    sheet.status(check_bitstring_status(facts.credential_status, status_context).code)


def _admitted(
    facts: VerifiedCredential, trust: IssuerTrust | None, sheet: CheckSheet
) -> AdmittedCredential:
    return AdmittedCredential(
        format="vc+jwt",
        issuer=facts.issuer,
        issuer_name=trust.display_name if trust else None,
        vct=_vct(facts, trust),
        claims=_claims(facts),
        valid_from=facts.valid_from,
        valid_until=facts.valid_until,
        status="valid" if sheet.outcome("status") == "passed" else "none",
    )


def _schema(sheet: CheckSheet, context: GateContext, vct: str, claims: dict[str, Any]) -> None:
    slug = type_slug(vct, base_url=context.base_url) if context.base_url else None
    sheet.put(schema_result(slug, claims, context.language, disclosed_only=False))


def admit_vc_jwt(
    token: str, *, sheet: CheckSheet, context: GateContext, expected: Expected, query_id: str | None
) -> Admission:
    """A ``vc+jwt`` through the gate's checks (VC-JOSE-COSE §5.1; Bitstring Status List §3.2)."""
    try:
        parsed = parse_compact(token, what="vc+jwt")
        check_typ(parsed, ACCEPTED_TYPS, what="vc+jwt")
        payload = payload_object(parsed, what="vc+jwt")
        issuer = issuer_id(payload)
    except CredentialError as error:
        sheet.fail("format", error.code)
        return Admission(
            PresentationReport(query_id, "vc+jwt", None, None, None, None, sheet.results()), False
        )
    sheet.passed("format")
    types = tuple(t for t in type_values(payload) if t != "VerifiableCredential")
    trust = context.trust(issuer)
    sheet.trust(trust, types)
    shown_vct = types[-1] if types else None
    if trust is None:
        report = PresentationReport(
            query_id, "vc+jwt", issuer, None, shown_vct, None, sheet.results()
        )
        return Admission(report, False)
    try:
        facts = verify_vc_jwt(
            token,
            resolve_issuer_key=trust.resolve_key,
            now=context.now,
            clock_tolerance=CLOCK_TOLERANCE,
            algorithms=ACCEPTED_ALGORITHMS,
        )
    except CredentialError as error:
        check = check_of_error(error)
        check = check if check in ("validity_period", "signature") else "format"
        if check == "validity_period":
            sheet.passed("signature")
        sheet.fail(check, error.code)
        report = PresentationReport(
            query_id, "vc+jwt", issuer, trust.display_name, shown_vct, None, sheet.results()
        )
        return Admission(report, False)
    sheet.passed("signature", "validity_period")
    sheet.not_applicable(*KB_CHECKS)
    if _subject_bound(facts.subject_ids, expected.holder_thumbprint):
        sheet.passed("holder_binding")
    else:
        sheet.fail("holder_binding", "holder_binding_mismatch")
    _status(sheet, context, facts, trust)
    vct, claims = _vct(facts, trust), _claims(facts)
    _schema(sheet, context, vct, claims)
    checks = sheet.results()
    ok = all(check.outcome != "failed" for check in checks)
    report = PresentationReport(
        query_id, "vc+jwt", issuer, trust.display_name, vct, None, checks, claims if ok else {}
    )
    admitted = (_admitted(facts, trust, sheet),) if ok else ()
    return Admission(report, False, admitted)


def _vp_stage(error: CredentialError, reached: set[str]) -> CheckName:
    """Which check a ``verify_vp_jwt`` error belongs to, by how far verification had come."""
    if "credentials" in reached:
        if isinstance(error, HolderBindingMismatch):
            return "kb_signature"
        check = check_of_error(error)
        return check if check in ("validity_period", "signature") else "format"
    if "holder" not in reached:
        return "format"
    if isinstance(error, VPNonceMismatch):
        return "kb_nonce"
    if isinstance(error, VPAudienceMismatch | ClaimMissing):
        return "kb_audience"
    if isinstance(error, VPStale | IssuedInFuture | CredentialExpired | CredentialNotYetValid):
        return "kb_freshness"
    return "kb_signature" if check_of_error(error) != "format" else "format"


def admit_vp_jwt(
    token: str,
    *,
    sheet: CheckSheet,
    context: GateContext,
    expected: Expected,
    max_age: timedelta,
    query_id: str | None,
) -> Admission:
    """A ``vp+jwt`` and every ``vc+jwt`` in it through the gate's checks (VC-JOSE-COSE §5.1)."""
    if expected.audience is None or expected.nonce is None:
        raise TypeError("a vp+jwt is verified against an audience and a nonce")
    reached: set[str] = set()
    trusted: dict[str, IssuerTrust | None] = {}

    def holder_key(*, issuer: str, kid: str | None) -> PublicKey:
        reached.add("holder")
        return offline_did_resolver(issuer=issuer, kid=kid)

    def issuer_key(*, issuer: str, kid: str | None) -> PublicKey:
        reached.add("credentials")
        if issuer not in trusted:
            trusted[issuer] = context.trust(issuer)
        trust = trusted[issuer]
        if trust is None:
            raise IssuerKeyUnresolved("the issuer is not known")
        return trust.resolve_key(issuer=issuer, kid=kid)

    try:
        verified = verify_vp_jwt(
            token,
            resolve_holder_key=holder_key,
            resolve_issuer_key=issuer_key,
            audience=expected.audience,
            nonce=expected.nonce,
            now=context.now,
            max_age=max_age,
            clock_tolerance=CLOCK_TOLERANCE,
            algorithms=ACCEPTED_ALGORITHMS,
        )
    except CredentialError as error:
        stage = _vp_stage(error, reached)
        if stage != "format":
            sheet.passed("format")
        if stage in ("signature", "validity_period", "format") and "credentials" in reached:
            sheet.passed(*(c for c in KB_CHECKS if c != "kb_sd_hash"))
            sheet.not_applicable("kb_sd_hash")
        if stage == "validity_period":
            sheet.passed("signature")
        if stage.startswith("kb_") and stage != "kb_signature":
            sheet.passed("kb_signature")
        if stage in ("kb_nonce", "kb_freshness"):
            sheet.passed("kb_audience")
        if stage == "kb_freshness":
            sheet.passed("kb_nonce")
        if "credentials" in reached and None in trusted.values():
            sheet.fail("issuer_trusted", "issuer_unknown")
        elif "credentials" in reached and sheet.policy.trust is TrustSource.PINNED_KEY:
            sheet.passed("issuer_trusted")  # the pinned key is trusted for any type
        sheet.fail(stage, error.code)
        report = PresentationReport(query_id, "vp+jwt", None, None, None, None, sheet.results())
        return Admission(report, stage == "kb_freshness" or "credentials" in reached)
    facts = verified.credentials
    sheet.passed("format", "signature", "validity_period", *KB_CHECKS[:-1])
    sheet.not_applicable("kb_sd_hash")
    trusts = [trusted.get(c.issuer) for c in facts]
    for credential, trust in zip(facts, trusts, strict=True):
        sheet.trust(trust, tuple(credential.types))
        if sheet.outcome("issuer_trusted") == "failed":
            break
    for credential, trust in zip(facts, trusts, strict=True):
        _status(sheet, context, credential, trust)
        if sheet.outcome("status") != "passed":
            break
    first = facts[0]
    vct, claims = _vct(first, trusts[0]), _claims(first)
    _schema(sheet, context, vct, claims)
    checks = sheet.results()
    ok = all(check.outcome != "failed" for check in checks)
    report = PresentationReport(
        query_id,
        "vp+jwt",
        first.issuer,
        trusts[0].display_name if trusts[0] else None,
        vct,
        None,
        checks,
        {"credentials": [c.credential for c in facts]} if ok else {},
    )
    admitted = (
        tuple(_admitted(c, t, sheet) for c, t in zip(facts, trusts, strict=True)) if ok else ()
    )
    return Admission(report, True, admitted, holder=verified.holder)
