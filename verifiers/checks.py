"""The checks of the gate, their one order, and how a core error becomes a check result.

:data:`ORDER` is the order of every report; :func:`checks_of` the checks a door's policy
reports (no Key Binding checks where an issued credential is received, ``holder_binding`` only
where the wallet's key must be bound). :class:`CheckSheet` collects the results of one admission.
:func:`peek_sd_jwt_vc` is the ``format`` check (RFC 9901 §4; SD-JWT VC §3.2) made before any key
is looked up, so the issuer and type are known to the trust check. :func:`check_of_error` maps a
core error to the check it belongs to. :func:`schema_result` is the ``schema`` check.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

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
from credentials.sd_jwt_vc import VCTyp
from schemas import validate_claims
from verifiers.language import Language, label_for
from verifiers.policy import ACCEPTED_TYP, DoorPolicy, KeyBinding, StatusRule, TrustSource
from verifiers.reasons import reason_for
from verifiers.report import CheckName, CheckResult, failed, not_applicable, passed

if TYPE_CHECKING:
    from verifiers.admission import IssuerTrust

KB_CHECKS: Final[tuple[CheckName, ...]] = (
    "kb_signature",
    "kb_audience",
    "kb_nonce",
    "kb_freshness",
    "kb_sd_hash",
)
CORE_STAGES: Final[tuple[CheckName, ...]] = ("signature", "validity_period", *KB_CHECKS)
"""The checks the credential core makes, in the order it makes them."""
ORDER: Final[tuple[CheckName, ...]] = (
    "format",
    "issuer_trusted",
    "signature",
    "validity_period",
    "holder_binding",
    *KB_CHECKS,
    "status",
    "schema",
)
"""The order of the checks in every report, whatever the door."""


def checks_of(policy: DoorPolicy) -> tuple[CheckName, ...]:
    """The checks a door reports, in :data:`ORDER`."""
    return tuple(
        check
        for check in ORDER
        if (check != "holder_binding" or policy.holder_binding)
        and (check not in KB_CHECKS or policy.key_binding is not KeyBinding.REFUSED)
    )


class CheckSheet:
    """The results of one admission, kept to the checks the door's policy reports."""

    def __init__(self, policy: DoorPolicy, language: Language) -> None:
        self.policy = policy
        self.language = language
        self._checks = checks_of(policy)
        self._results: dict[CheckName, CheckResult] = {}

    def put(self, result: CheckResult) -> None:
        if result.check in self._checks:
            self._results[result.check] = result

    def passed(self, *checks: CheckName) -> None:
        for check in checks:
            self.put(passed(check))

    def fail(self, check: CheckName, code: str, *, claim: str | None = None) -> None:
        self.put(failed(check, code, self.language, claim=claim))

    def not_applicable(self, *checks: CheckName) -> None:
        for check in checks:
            self.put(not_applicable(check))

    def not_checked(self, *checks: CheckName) -> None:
        """Each of ``checks`` (default: every check without a result yet) fails ``not_checked``."""
        for check in checks or self._checks:
            if check not in self._results:
                self.fail(check, "not_checked")

    def outcome(self, check: CheckName) -> str | None:
        found = self._results.get(check)
        return None if found is None else found.outcome

    def core(self, stage: CheckName | None, code: str) -> None:
        """The core's checks: those before ``stage`` passed, it failed, those after not checked.

        ``format`` as the stage (a rule the core found broken after the first look, such as a
        repeated Disclosure) fails ``format`` and leaves every core check unchecked.
        """
        if stage == "format":
            self.fail("format", code)
            self.not_checked(*CORE_STAGES)
            return
        reached = False
        for check in CORE_STAGES:
            if check == stage:
                self.fail(check, code)
                reached = True
            elif reached:
                self.fail(check, "not_checked")
            else:
                self.put(passed(check))

    def trust(self, trust: "IssuerTrust | None", types: Collection[str]) -> None:
        """``issuer_trusted``: known, and trusted for one of ``types`` (or for any, pinned)."""
        if trust is None:
            self.fail("issuer_trusted", "issuer_unknown")
        elif self.policy.trust is TrustSource.PINNED_KEY or set(types) & trust.trusted_vcts:
            self.put(passed("issuer_trusted"))
        else:
            self.fail("issuer_trusted", "issuer_not_trusted_for_type")

    def status(self, code: str | None) -> None:
        """``status`` from a status outcome's code (``None``: valid now)."""
        self.put(passed("status") if code is None else failed("status", code, self.language))

    def status_skipped(self) -> bool:
        """Record the status as skipped when the policy says so; whether it did."""
        if self.policy.status is not StatusRule.SKIPPED:
            return False
        code = "status_not_checked_offline"
        reason = reason_for("status", code, self.language)
        self.put(CheckResult("status", "skipped", code, reason))
        return True

    def results(self) -> tuple[CheckResult, ...]:
        """Every check of the door in :data:`ORDER` (one without a result: not checked)."""
        self.not_checked()
        return tuple(self._results[check] for check in self._checks)


@dataclass(frozen=True)
class PeekedSDJWTVC:
    issuer: str
    vct: str
    status: dict[str, Any] | None


def peek_sd_jwt_vc(
    presentation: str, *, accepted_typ: Collection[VCTyp] = ACCEPTED_TYP
) -> PeekedSDJWTVC:
    """The format check (RFC 9901 §4; SD-JWT VC §3.2) before any key is looked up."""
    parts = split_sd_jwt(presentation)
    parsed = parse_compact(parts.issuer_jwt, what="issuer-signed JWT")
    check_typ(parsed, tuple(accepted_typ), what="issuer-signed JWT")
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


def schema_result(
    slug: str | None, claims: dict[str, Any], language: Language, *, disclosed_only: bool
) -> CheckResult:
    """The ``schema`` check: the type's JSON Schema and rules (:func:`schemas.validate_claims`).

    With ``disclosed_only`` a missing required claim is no violation: undisclosed claims are
    absent from a presentation. A type this instance does not know is ``not_applicable``.
    """
    if slug is None:
        return not_applicable("schema")
    violations = validate_claims(slug, claims, disclosed_only=disclosed_only)
    if not violations:
        return passed("schema")
    path = tuple(
        int(p) if p.isdigit() else p.replace("~1", "/").replace("~0", "~")
        for p in violations[0].pointer.split("/")[1:]
    )
    label = label_for(slug, path, language) if path else None
    return failed("schema", "schema_violation", language, claim=label)
