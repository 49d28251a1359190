"""The one verification gate for SD-JWT VC presentations (THREATS.md promise 1).

Every path that accepts a presentation (``POST /v1/verifications``, answers to presentation
requests, share views) ends here, in :func:`verify_presentation`. The checks, each reported:

1. ``format``: a compact SD-JWT+KB (RFC 9901 §4) whose issuer-signed JWT has ``typ``
   ``dc+sd-jwt`` and plain ``iss`` and ``vct`` (SD-JWT VC §3.2), Disclosures well-formed;
2. ``issuer_trusted``: the ``iss`` is known (trust registry or an issuer of this instance) and
   trusted for this ``vct`` (SD-JWT VC §3.5);
3. ``signature``: the issuer signature with a key from the issuer's trusted source, under the
   policy's algorithms, and every Disclosure referenced by a signed digest (RFC 9901 §7.1);
4. ``validity_period``: ``exp``, ``nbf``, ``iat`` against now, 60 s tolerance;
5. Key Binding (RFC 9901 §7.3), always required: ``kb_signature`` (by the ``cnf`` key),
   ``kb_audience`` (our client identifier), ``kb_nonce`` (the nonce we issued), ``kb_freshness``
   (``iat`` within the allowed age), ``kb_sd_hash``;
6. ``status``: the status list fetched now (:mod:`verifiers.status`);
7. ``schema``: the disclosed claims against the type's JSON Schema (only what is present).

Policy is configuration here, never input (THREATS.md promise 2). A check that cannot be
performed fails (``not_checked``). The claims of a presentation are reported only when every one
of its checks passed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from credentials.errors import CredentialError
from credentials.kb_jwt import KeyBindingPolicy
from credentials.sd_jwt_vc import VC_TYP, verify_sd_jwt_vc
from verifiers.checks import (
    CORE_STAGES,
    check_of_error,
    core_results,
    peek_sd_jwt_vc,
    schema_result,
)
from verifiers.dcql_answers import PresentedCredential
from verifiers.fetching import DocumentCache, Fetcher
from verifiers.issuer_trust import IssuerTrust
from verifiers.language import Language, label_for, leaves, type_name, type_slug
from verifiers.policy import ACCEPTED_ALGORITHMS, ACCEPTED_TYP, CLOCK_TOLERANCE, REGISTERED_CLAIMS
from verifiers.report import (
    CheckName,
    CheckResult,
    LabelledClaim,
    PresentationReport,
    failed,
    not_applicable,
    passed,
)
from verifiers.status import StatusContext, check_token_status

TrustLookup = Callable[[str], IssuerTrust | None]
"""``trust(iss)``: the trust placed in an issuer, ``None`` when it is unknown."""


@dataclass(frozen=True)
class Binding:
    """What Key Binding must show: our audience, our nonce, and how old the KB-JWT may be."""

    audience: str
    nonce: str
    max_age: timedelta


@dataclass(frozen=True)
class GateContext:
    """The gate's dependencies for one verification (all handed in; nothing global)."""

    trust: TrustLookup
    fetch: Fetcher
    cache: DocumentCache
    now: datetime
    language: Language
    base_url: str


@dataclass(frozen=True)
class PresentationOutcome:
    """A presentation's report; ``nonce_bound`` when its holder really signed our nonce."""

    report: PresentationReport
    nonce_bound: bool
    presented: PresentedCredential | None


def _ordered(
    results: dict[CheckName, CheckResult], order: tuple[CheckName, ...]
) -> tuple[CheckResult, ...]:
    return tuple(results[check] for check in order if check in results)


def verify_presentation(
    presentation: str, *, binding: Binding, context: GateContext, query_id: str | None
) -> PresentationOutcome:
    """Verify one SD-JWT VC presentation and report every check (module docstring).

    RFC 9901 §7.1, §7.3; SD-JWT VC §3.4, §3.5; Token Status List §8.3. Never raises for a bad
    presentation: every failure is a failed check in the report (the caller decides what a
    failed report means). Raises ``TypeError`` only for misuse (a naive ``now``).
    """
    language = context.language
    order = ("format", "issuer_trusted", *CORE_STAGES, "status", "schema")
    results: dict[CheckName, CheckResult] = {}
    try:
        peeked = peek_sd_jwt_vc(presentation)
    except CredentialError as error:
        for result in core_results("format", error.code, language):
            results[result.check] = result
        results["issuer_trusted"] = failed("issuer_trusted", "not_checked", language)
        results["status"] = failed("status", "not_checked", language)
        results["schema"] = failed("schema", "not_checked", language)
        report = PresentationReport(
            query_id, VC_TYP, None, None, None, None, _ordered(results, order)
        )
        return PresentationOutcome(report, False, None)

    trust = context.trust(peeked.issuer)
    slug = type_slug(peeked.vct, base_url=context.base_url)
    issuer_name = trust.display_name if trust else None
    shown_type = type_name(peeked.vct, base_url=context.base_url, language=language)
    if trust is None:
        results["issuer_trusted"] = failed("issuer_trusted", "issuer_unknown", language)
    elif peeked.vct not in trust.trusted_vcts:
        results["issuer_trusted"] = failed(
            "issuer_trusted", "issuer_not_trusted_for_type", language
        )
    else:
        results["issuer_trusted"] = passed("issuer_trusted")
    if trust is None:
        results["format"] = passed("format")
        for check in (*CORE_STAGES, "status", "schema"):
            results[check] = failed(check, "not_checked", language)
        report = PresentationReport(
            query_id, VC_TYP, peeked.issuer, None, peeked.vct, shown_type, _ordered(results, order)
        )
        return PresentationOutcome(report, False, None)

    verified = None
    try:
        verified = verify_sd_jwt_vc(
            presentation,
            resolve_issuer_key=trust.resolve_key,
            algorithms=ACCEPTED_ALGORITHMS,
            accepted_typ=ACCEPTED_TYP,
            now=context.now,
            clock_tolerance=CLOCK_TOLERANCE,
            key_binding=KeyBindingPolicy(
                required=True,
                audience=binding.audience,
                nonce=binding.nonce,
                max_age=binding.max_age,
            ),
        )
        stage: CheckName | None = None
        code = ""
    except CredentialError as error:
        stage, code = check_of_error(error), error.code
    for result in core_results(stage, code, language):
        results[result.check] = result
    nonce_bound = stage is None or (
        stage in CORE_STAGES and CORE_STAGES.index(stage) > CORE_STAGES.index("kb_nonce")
    )

    signed = results["signature"].outcome == "passed"
    if not signed:
        results["status"] = failed("status", "not_checked", language)
    elif peeked.status is None:
        results["status"] = not_applicable("status")
    else:
        status = check_token_status(
            peeked.status,
            StatusContext(
                peeked.issuer, trust.resolve_key, context.fetch, context.cache, context.now
            ),
        )
        results["status"] = (
            passed("status") if status.code is None else failed("status", status.code, language)
        )

    claims: dict[str, Any] = {}
    if verified is not None:
        claims = {k: v for k, v in verified.claims.items() if k not in REGISTERED_CLAIMS}
        results["schema"] = schema_result(slug, claims, language, disclosed_only=True)
    else:
        results["schema"] = failed("schema", "not_checked", language)

    checks = _ordered(results, order)
    ok = all(check.outcome != "failed" for check in checks)
    labelled = tuple(
        LabelledClaim(path, label_for(slug, path, language), value)
        for name, item in (claims.items() if ok else ())
        for path, value in leaves(item, (name,))
    )
    report = PresentationReport(
        query_id,
        VC_TYP,
        peeked.issuer,
        issuer_name,
        peeked.vct,
        shown_type,
        checks=checks,
        claims=claims if ok else {},
        labelled_claims=labelled,
    )
    presented = PresentedCredential(peeked.vct, claims) if verified is not None else None
    return PresentationOutcome(report, nonce_bound, presented)
