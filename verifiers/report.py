"""The verification report: one result per check, the disclosed claims, overall ``verified``.

A check ``passed``, ``failed`` (with a stable ``code`` and a plain-language ``reason``) or is
``not_applicable`` (a credential without a status entry; a schema for a type this instance does
not know; request satisfaction when there is no request). A check that could not be performed
because an earlier one failed is ``failed`` with code ``not_checked``: nothing passes unchecked.
A check the door's policy lets the caller leave out (the status, ``taito verify --offline``) is
``skipped``, with a code and reason saying so.
``verified`` is true only when no check failed.
"""

from dataclasses import dataclass, field
from typing import Any, Literal

from verifiers.language import Language
from verifiers.reasons import reason_for

CheckName = Literal[
    "format",
    "signature",
    "issuer_trusted",
    "validity_period",
    "status",
    "kb_signature",
    "kb_audience",
    "kb_nonce",
    "kb_freshness",
    "kb_sd_hash",
    "holder_binding",
    "schema",
    "request_satisfied",
]
Outcome = Literal["passed", "failed", "not_applicable", "skipped"]

PRESENTATION_CHECKS: tuple[CheckName, ...] = (
    "format",
    "issuer_trusted",
    "signature",
    "validity_period",
    "kb_signature",
    "kb_audience",
    "kb_nonce",
    "kb_freshness",
    "kb_sd_hash",
    "status",
    "schema",
)
"""The checks of every presentation, in the order they are reported."""


@dataclass(frozen=True)
class CheckResult:
    check: CheckName
    outcome: Outcome
    code: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "outcome": self.outcome,
            "code": self.code,
            "reason": self.reason,
        }


def passed(check: CheckName) -> CheckResult:
    return CheckResult(check, "passed")


def not_applicable(check: CheckName) -> CheckResult:
    return CheckResult(check, "not_applicable")


def failed(
    check: CheckName, code: str, language: Language, *, claim: str | None = None
) -> CheckResult:
    return CheckResult(check, "failed", code, reason_for(check, code, language, claim=claim))


@dataclass(frozen=True)
class LabelledClaim:
    """One disclosed leaf value, its path and its label in the report's language."""

    path: tuple[str | int, ...]
    label: str
    value: Any

    def to_json(self) -> dict[str, Any]:
        return {"path": list(self.path), "label": self.label, "value": self.value}


@dataclass(frozen=True)
class PresentationReport:
    """The checks of one presentation and, when it verified, what it disclosed."""

    query_id: str | None
    format: str
    issuer: str | None
    issuer_name: str | None
    vct: str | None
    type_name: str | None
    checks: tuple[CheckResult, ...]
    claims: dict[str, Any] = field(default_factory=dict)
    labelled_claims: tuple[LabelledClaim, ...] = ()

    @property
    def verified(self) -> bool:
        return all(check.outcome != "failed" for check in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "query_id": self.query_id,
            "verified": self.verified,
            "format": self.format,
            "issuer": self.issuer,
            "issuer_name": self.issuer_name,
            "vct": self.vct,
            "type_name": self.type_name,
            "checks": [check.to_json() for check in self.checks],
            "claims": self.claims,
            "labelled_claims": [claim.to_json() for claim in self.labelled_claims],
        }


@dataclass(frozen=True)
class VerificationReport:
    """The outcome of verifying one or more presentations (the gate's one result type)."""

    language: Language
    audience: str
    presentations: tuple[PresentationReport, ...]
    checks: tuple[CheckResult, ...]
    request_id: str | None = None

    @property
    def verified(self) -> bool:
        return (
            bool(self.presentations)
            and all(item.verified for item in self.presentations)
            and all(check.outcome != "failed" for check in self.checks)
        )

    def failed_checks(self) -> tuple[CheckResult, ...]:
        """Every failed check, the report-level ones last."""
        found = [c for p in self.presentations for c in p.checks if c.outcome == "failed"]
        return (*found, *(c for c in self.checks if c.outcome == "failed"))

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (what the API answers and what a request's outcome stores)."""
        return {
            "verified": self.verified,
            "language": self.language,
            "audience": self.audience,
            "request_id": self.request_id,
            "checks": [check.to_json() for check in self.checks],
            "presentations": [item.to_json() for item in self.presentations],
        }
