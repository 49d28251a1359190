"""The gate for a credential a wallet receives (RFC 9901 §7.2; VC-JOSE-COSE §5.1).

The same checks as for a presentation, without Key Binding: format, issuer trusted for the type,
issuer signature, validity period, status now, schema (the whole credential: every claim is
there), and ``holder_binding``: the credential must be bound to this wallet's key (SD-JWT VC
``cnf.jwk``, RFC 7800 §3.2, compared by RFC 7638 thumbprint; for a ``vc+jwt`` a subject ``id``
that is a did:jwk or did:key of that key). Nothing is stored; a failure raises the
:class:`~verifiers.errors.CredentialRejected` subclass of the first failed check, with every
failed check in the problem's ``failed_checks``.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from sqlmodel import Session

from credentials.did_jwk import resolve_did_jwk
from credentials.did_key import resolve_did_key
from credentials.errors import CredentialError, KeyBindingUnexpected
from credentials.jws import check_typ, parse_compact, payload_object
from credentials.jwt import numeric_date
from credentials.keys import JWK, jwk_thumbprint, public_key_from_jwk
from credentials.sd_jwt import split_sd_jwt
from credentials.sd_jwt_vc import VC_TYP, verify_sd_jwt_vc_issuance
from credentials.vc_jose import ACCEPTED_TYPS, issuer_id, type_values, verify_vc_jwt
from verifiers import errors
from verifiers.checks import check_of_error, peek_sd_jwt_vc, schema_result
from verifiers.gate import trust_lookup
from verifiers.issuer_trust import IssuerTrust, Sources
from verifiers.language import Language, type_slug
from verifiers.policy import ACCEPTED_ALGORITHMS, ACCEPTED_TYP, CLOCK_TOLERANCE, REGISTERED_CLAIMS
from verifiers.report import CheckName, CheckResult, failed, not_applicable, passed
from verifiers.status import StatusContext, check_bitstring_status, check_token_status
from verifiers.verification import TrustLookup

ReceivedFormat = Literal["dc+sd-jwt", "vc+jwt"]
_ORDER: tuple[CheckName, ...] = (
    "format",
    "issuer_trusted",
    "signature",
    "validity_period",
    "holder_binding",
    "status",
    "schema",
)
_REJECTIONS: dict[CheckName, type[errors.CredentialRejected]] = {
    "format": errors.CredentialFormatInvalid,
    "issuer_trusted": errors.CredentialIssuerUntrusted,
    "signature": errors.CredentialSignatureInvalid,
    "validity_period": errors.CredentialNotValidNow,
    "holder_binding": errors.CredentialNotBound,
    "status": errors.CredentialStatusInvalid,
    "schema": errors.CredentialSchemaInvalid,
}


@dataclass(frozen=True)
class ReceivedCredential:
    """A credential that passed every check (the fields of the wallet's ``CheckedCredential``).

    ``claims`` are all of the holder's claims (every Disclosure applied; for a ``vc+jwt`` the
    subject's claims without ``id``); ``vct`` the SD-JWT VC type or the ``vc+jwt`` type the
    issuer is trusted for.
    """

    format: ReceivedFormat
    issuer: str
    issuer_name: str | None
    vct: str
    claims: dict[str, Any]
    valid_from: datetime | None
    valid_until: datetime | None
    status: Literal["valid", "none"]
    checks: tuple[CheckResult, ...]


def _when(payload: dict[str, Any], name: str) -> datetime | None:
    value = numeric_date(payload, name)
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _trust_result(
    trust: IssuerTrust | None, vcts: tuple[str, ...], language: Language
) -> CheckResult:
    if trust is None:
        return failed("issuer_trusted", "issuer_unknown", language)
    if not set(vcts) & trust.trusted_vcts:
        return failed("issuer_trusted", "issuer_not_trusted_for_type", language)
    return passed("issuer_trusted")


def _status_result(code: str | None, language: Language) -> CheckResult:
    return passed("status") if code is None else failed("status", code, language)


def _rest_not_checked(results: dict[CheckName, CheckResult], language: Language) -> None:
    for check in _ORDER:
        results.setdefault(check, failed(check, "not_checked", language))


def _sd_jwt_vc(
    credential: str,
    holder_thumbprint: str,
    trust_of: TrustLookup,
    sources: Sources,
    now: datetime,
    language: Language,
    base_url: str,
) -> tuple[dict[CheckName, CheckResult], ReceivedCredential | None]:
    results: dict[CheckName, CheckResult] = {}
    try:
        if split_sd_jwt(credential).kb_jwt is not None:
            raise KeyBindingUnexpected("an issued credential carries no KB-JWT")
        peeked = peek_sd_jwt_vc(credential)
    except CredentialError as error:
        results["format"] = failed("format", error.code, language)
        _rest_not_checked(results, language)
        return results, None
    results["format"] = passed("format")
    trust: IssuerTrust | None = trust_of(peeked.issuer)
    results["issuer_trusted"] = _trust_result(trust, (peeked.vct,), language)
    if trust is None:
        _rest_not_checked(results, language)
        return results, None
    try:
        verified = verify_sd_jwt_vc_issuance(
            credential,
            resolve_issuer_key=trust.resolve_key,
            algorithms=ACCEPTED_ALGORITHMS,
            accepted_typ=ACCEPTED_TYP,
            now=now,
            clock_tolerance=CLOCK_TOLERANCE,
        )
    except CredentialError as error:
        check = check_of_error(error)
        if check != "validity_period":
            check = "format" if check == "format" else "signature"
        if check == "validity_period":
            results["signature"] = passed("signature")
        results[check] = failed(check, error.code, language)
        _rest_not_checked(results, language)
        return results, None
    results["signature"] = passed("signature")
    results["validity_period"] = passed("validity_period")
    try:
        bound = (
            verified.holder_jwk is not None
            and jwk_thumbprint(verified.holder_jwk) == holder_thumbprint
        )
    except CredentialError:
        bound = False
    results["holder_binding"] = (
        passed("holder_binding")
        if bound
        else failed("holder_binding", "holder_binding_mismatch", language)
    )
    if peeked.status is None:
        results["status"] = not_applicable("status")
    else:
        context = StatusContext(peeked.issuer, trust.resolve_key, sources.fetch, sources.cache, now)
        results["status"] = _status_result(
            check_token_status(peeked.status, context).code, language
        )
    claims = {k: v for k, v in verified.claims.items() if k not in REGISTERED_CLAIMS}
    slug = type_slug(peeked.vct, base_url=base_url)
    results["schema"] = schema_result(slug, claims, language, disclosed_only=False)
    payload = verified.claims
    received = ReceivedCredential(
        format=VC_TYP,
        issuer=peeked.issuer,
        issuer_name=trust.display_name,
        vct=peeked.vct,
        claims=claims,
        valid_from=_when(payload, "nbf") or _when(payload, "iat"),
        valid_until=_when(payload, "exp"),
        status="none" if peeked.status is None else "valid",
        checks=(),
    )
    return results, received


def _subject_bound(subject_ids: tuple[str, ...], holder_thumbprint: str) -> bool:
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


def _vc_jwt(
    credential: str,
    holder_thumbprint: str,
    trust_of: TrustLookup,
    sources: Sources,
    now: datetime,
    language: Language,
    base_url: str,
) -> tuple[dict[CheckName, CheckResult], ReceivedCredential | None]:
    results: dict[CheckName, CheckResult] = {}
    try:
        parsed = parse_compact(credential, what="vc+jwt")
        check_typ(parsed, ACCEPTED_TYPS, what="vc+jwt")
        payload = payload_object(parsed, what="vc+jwt")
        issuer = issuer_id(payload)
    except CredentialError as error:
        results["format"] = failed("format", error.code, language)
        _rest_not_checked(results, language)
        return results, None
    types = tuple(t for t in type_values(payload) if t != "VerifiableCredential")
    results["format"] = passed("format")
    trust: IssuerTrust | None = trust_of(issuer)
    results["issuer_trusted"] = _trust_result(trust, types, language)
    if trust is None:
        _rest_not_checked(results, language)
        return results, None
    try:
        facts = verify_vc_jwt(
            credential,
            resolve_issuer_key=trust.resolve_key,
            now=now,
            clock_tolerance=CLOCK_TOLERANCE,
            algorithms=ACCEPTED_ALGORITHMS,
        )
    except CredentialError as error:
        check = check_of_error(error)
        check = check if check in ("validity_period", "signature") else "format"
        if check == "validity_period":
            results["signature"] = passed("signature")
        results[check] = failed(check, error.code, language)
        _rest_not_checked(results, language)
        return results, None
    results["signature"] = passed("signature")
    results["validity_period"] = passed("validity_period")
    bound = _subject_bound(facts.subject_ids, holder_thumbprint)
    results["holder_binding"] = (
        passed("holder_binding")
        if bound
        else failed("holder_binding", "holder_binding_mismatch", language)
    )
    if not facts.credential_status:
        results["status"] = not_applicable("status")
    else:
        context = StatusContext(issuer, trust.resolve_key, sources.fetch, sources.cache, now)
        code = check_bitstring_status(facts.credential_status, context).code
        results["status"] = _status_result(code, language)
    vct = next((t for t in types if t in trust.trusted_vcts), types[0] if types else "")
    subject = facts.credential["credentialSubject"]
    claims = {k: v for k, v in subject.items() if k != "id"} if isinstance(subject, dict) else {}
    results["schema"] = schema_result(
        type_slug(vct, base_url=base_url), claims, language, disclosed_only=False
    )
    received = ReceivedCredential(
        format="vc+jwt",
        issuer=issuer,
        issuer_name=trust.display_name,
        vct=vct,
        claims=claims,
        valid_from=facts.valid_from,
        valid_until=facts.valid_until,
        status="valid" if facts.credential_status else "none",
        checks=(),
    )
    return results, received


def check_received_credential(
    session: Session,
    credential: str,
    *,
    holder_jwk: JWK,
    sources: Sources,
    language: Language,
    base_url: str,
    now: datetime,
) -> ReceivedCredential:
    """Verify a credential offered to the wallet whose public key is ``holder_jwk``.

    RFC 9901 §7.2, SD-JWT VC §3.4-3.5, VC-JOSE-COSE §5.1, Token Status List §8.3, Bitstring
    Status List §3.2. Returns the credential's facts when every check passed; raises the
    :class:`~verifiers.errors.CredentialRejected` subclass of the first failed check
    (``credential_status_unavailable`` is 503: the list could not be fetched now).
    """
    if now.tzinfo is None:
        raise TypeError("now must be timezone-aware")
    holder_thumbprint = public_key_from_jwk(holder_jwk).thumbprint
    trust_of = trust_lookup(session, sources=sources, now=now)
    check = _sd_jwt_vc if "~" in credential else _vc_jwt
    results, received = check(
        credential, holder_thumbprint, trust_of, sources, now, language, base_url
    )
    checks = tuple(results[name] for name in _ORDER if name in results)
    failures = [c for c in checks if c.outcome == "failed"]
    if failures or received is None:
        first = failures[0]
        rejection = _REJECTIONS[first.check]
        if first.check == "status" and first.code == "status_unavailable":
            rejection = errors.CredentialStatusUnavailable
        raise rejection(
            first.reason or "the credential did not pass verification",
            failed=[
                {"check": c.check, "code": c.code or "", "reason": c.reason or ""} for c in failures
            ],
        )
    return replace(received, checks=checks)
