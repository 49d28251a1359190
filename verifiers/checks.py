"""The checks of an SD-JWT VC before and after the core verifies it, as report results.

:func:`peek_sd_jwt_vc` is the ``format`` check (RFC 9901 §4; SD-JWT VC §3.2) made before any key
is looked up, so the issuer and type are known to the trust check. :func:`check_of_error` maps an
error of :func:`credentials.sd_jwt_vc.verify_sd_jwt_vc` to the check it belongs to, and
:func:`core_results` turns it into results: the checks the core made before it passed, the one
that raised failed, those after it ``not_checked``. :func:`schema_result` is the ``schema`` check.
"""

from dataclasses import dataclass
from typing import Any, Final

from credentials.errors import (
    AlgorithmKeyMismatch,
    ClaimInvalid,
    CredentialError,
    DisclosureUnreferenced,
    FetchFailed,
    HolderKeyMissing,
    InvalidKey,
    IssuerKeyUnresolved,
    IssuerMismatch,
    KBAudienceMismatch,
    KBExpired,
    KBIssuedAtInvalid,
    KBNonceMismatch,
    KBSDHashMismatch,
    KeyBindingInvalid,
    SignatureInvalid,
    UnsupportedAlgorithm,
)
from credentials.jws import check_typ, parse_compact, payload_object
from credentials.sd_jwt import parse_disclosure, sd_alg_of, split_sd_jwt
from schemas import validate_claims
from verifiers.language import Language, label_for
from verifiers.policy import ACCEPTED_TYP
from verifiers.report import CheckName, CheckResult, failed, not_applicable, passed

CORE_STAGES: Final[tuple[CheckName, ...]] = (
    "signature",
    "validity_period",
    "kb_signature",
    "kb_audience",
    "kb_nonce",
    "kb_freshness",
    "kb_sd_hash",
)


@dataclass(frozen=True)
class PeekedSDJWTVC:
    issuer: str
    vct: str
    status: dict[str, Any] | None


def peek_sd_jwt_vc(presentation: str) -> PeekedSDJWTVC:
    """The format check (RFC 9901 §4; SD-JWT VC §3.2) before any key is looked up."""
    parts = split_sd_jwt(presentation)
    parsed = parse_compact(parts.issuer_jwt, what="issuer-signed JWT")
    check_typ(parsed, ACCEPTED_TYP, what="issuer-signed JWT")
    payload = payload_object(parsed, what="issuer-signed JWT")
    sd_alg_of(payload)
    for encoded in parts.disclosures:
        parse_disclosure(encoded)
    issuer, vct, status = payload.get("iss"), payload.get("vct"), payload.get("status")
    if not isinstance(issuer, str) or not issuer or not isinstance(vct, str) or not vct:
        raise ClaimInvalid("iss and vct must be plain non-empty strings")
    if status is not None and not isinstance(status, dict):
        raise ClaimInvalid("the status claim must be an object")
    aka = payload.get("aka_vcts", [])
    if not isinstance(aka, list) or not all(isinstance(v, str) and v != vct for v in aka):
        raise ClaimInvalid("aka_vcts must be an array of other type strings")
    return PeekedSDJWTVC(issuer, vct, status)


def check_of_error(error: CredentialError) -> CheckName:
    """Which check a core error belongs to (the core checks in :data:`CORE_STAGES` order)."""
    if isinstance(error, KBAudienceMismatch):
        return "kb_audience"
    if isinstance(error, KBNonceMismatch):
        return "kb_nonce"
    if isinstance(error, KBIssuedAtInvalid | KBExpired):
        return "kb_freshness"
    if isinstance(error, KBSDHashMismatch):
        return "kb_sd_hash"
    if isinstance(error, KeyBindingInvalid | HolderKeyMissing | InvalidKey):
        return "kb_signature"
    signature_errors = (
        IssuerKeyUnresolved,
        FetchFailed,
        UnsupportedAlgorithm,
        AlgorithmKeyMismatch,
        SignatureInvalid,
        IssuerMismatch,
        DisclosureUnreferenced,
    )
    if isinstance(error, signature_errors):
        return "signature"
    if type(error) is ClaimInvalid or error.code in (
        "credential_expired",
        "credential_not_yet_valid",
        "iat_in_future",
        "claim_missing",
    ):
        return "validity_period"
    return "format"


def core_results(stage: CheckName | None, code: str, language: Language) -> list[CheckResult]:
    """The results of ``format`` and the core's checks when ``stage`` failed (``None``: none)."""
    if stage == "format":
        return [failed("format", code, language)] + [
            failed(check, "not_checked", language) for check in CORE_STAGES
        ]
    results = [passed("format")]
    reached = False
    for check in CORE_STAGES:
        if check == stage:
            results.append(failed(check, code, language))
            reached = True
        elif reached:
            results.append(failed(check, "not_checked", language))
        else:
            results.append(passed(check))
    return results


def schema_result(
    slug: str | None, claims: dict[str, Any], language: Language, *, disclosed_only: bool
) -> CheckResult:
    """The ``schema`` check: the type's JSON Schema and rules (:func:`schemas.validate_claims`).

    With ``disclosed_only`` a missing required claim is no violation: undisclosed claims are
    absent from a presentation. A type this instance does not know is ``not_applicable``.
    """
    if slug is None:
        return not_applicable("schema")
    violations = [
        v
        for v in validate_claims(slug, claims)
        if not (disclosed_only and v.message == "is required but missing")
    ]
    if not violations:
        return passed("schema")
    path = tuple(
        int(p) if p.isdigit() else p.replace("~1", "/").replace("~0", "~")
        for p in violations[0].pointer.split("/")[1:]
    )
    label = label_for(slug, path, language) if path else None
    return failed("schema", "schema_violation", language, claim=label)
