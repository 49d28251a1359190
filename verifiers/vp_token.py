"""Several presentations at once: placing them under queries, one report for them all.

OpenID4VP 1.0 §8.1: a ``vp_token`` maps Credential Query ids to arrays of presentations; a bare
list of presentations is placed under the first query accepting each one's ``vct``. Every
presentation goes through the one gate, :func:`verifiers.gate.admit`, under the door's policy;
with a query, the report adds whether they satisfy it together (:mod:`verifiers.dcql_answers`).
"""

import re
from collections.abc import Sequence

from credentials.dcql import Query
from credentials.errors import CredentialError
from credentials.jws import parse_compact, payload_object
from credentials.sd_jwt import split_sd_jwt
from verifiers.admission import Expected, GateContext
from verifiers.dcql_answers import PresentedCredential, check_answer, query_for_vct
from verifiers.errors import SubmissionInvalid
from verifiers.gate import admit
from verifiers.language import label_for, type_slug
from verifiers.policy import DoorPolicy
from verifiers.reasons import reason_for
from verifiers.report import CheckResult, VerificationReport, not_applicable, passed

MAX_PRESENTATIONS = 20
_QUERY_ID = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")
Placed = tuple[str | None, str]
"""A presentation and the id of the Credential Query it answers (``None``: none known)."""


def invalid(pointer: str, message: str) -> SubmissionInvalid:
    return SubmissionInvalid(
        "the presentations are not in the expected shape",
        errors=[{"pointer": pointer, "message": message}],
    )


def parse_vp_token(vp_token: object) -> list[Placed]:
    """An OpenID4VP ``vp_token`` (§8.1): Credential Query id → array of presentations."""
    if not isinstance(vp_token, dict) or not vp_token:
        raise invalid("/vp_token", "must be an object of credential query ids")
    placed: list[Placed] = []
    for key, value in vp_token.items():
        if not isinstance(key, str) or not _QUERY_ID.match(key):
            raise invalid("/vp_token", "a key is not a credential query id")
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise invalid(f"/vp_token/{key}", "must be a non-empty array of presentations")
        placed.extend((key, item) for item in value)
    if len(placed) > MAX_PRESENTATIONS:
        raise invalid("/vp_token", f"at most {MAX_PRESENTATIONS} presentations")
    return placed


def presented_vct(presentation: str) -> str | None:
    """The ``vct`` a presentation claims (unverified; only to place it under a query)."""
    try:
        parts = split_sd_jwt(presentation)
        vct = payload_object(parse_compact(parts.issuer_jwt)).get("vct")
    except CredentialError:
        return None
    return vct if isinstance(vct, str) else None


def presented_nonce(presentation: str) -> str | None:
    """The ``nonce`` a presentation's KB-JWT claims (unverified; only to find the verifier's
    nonce record, which the gate then checks against the holder's signature)."""
    try:
        kb_jwt = split_sd_jwt(presentation).kb_jwt
        nonce = payload_object(parse_compact(kb_jwt)).get("nonce") if kb_jwt else None
    except CredentialError:
        return None
    return nonce if isinstance(nonce, str) and 0 < len(nonce) <= 64 else None


def place(presentations: object, query: Query | None) -> list[Placed]:
    """A bare list of presentations, each placed under the first query accepting its ``vct``."""
    if not isinstance(presentations, list) or not presentations:
        raise invalid("/presentations", "must be a non-empty array of presentations")
    if len(presentations) > MAX_PRESENTATIONS or not all(isinstance(p, str) for p in presentations):
        raise invalid("/presentations", f"must be 1-{MAX_PRESENTATIONS} strings")
    placed: list[Placed] = []
    for item in presentations:
        # Only a request's query needs the vct to place a presentation; without one the gate
        # parses each presentation once, itself.
        vct = presented_vct(item) if query else None
        placed.append((query_for_vct(query, vct) if query and vct else None, item))
    return placed


def placed_items(*, vp_token: object, presentations: object, query: Query | None) -> list[Placed]:
    if (vp_token is None) == (presentations is None):
        raise invalid("/vp_token", "give exactly one of vp_token and presentations")
    return parse_vp_token(vp_token) if vp_token is not None else place(presentations, query)


def _request_check(
    query: Query, answers: dict[str, list[PresentedCredential]], context: GateContext
) -> CheckResult:
    base_url = context.base_url or ""
    shortfalls = check_answer(query, answers)
    if not shortfalls:
        return passed("request_satisfied")
    by_id = {credential.id: credential for credential in query.credentials}
    reasons: list[str] = []
    for shortfall in shortfalls:
        claim = None
        credential = by_id.get(shortfall.query_id)
        if shortfall.path is not None and credential is not None:
            slug = type_slug(credential.vct_values[0], base_url=base_url)
            claim = label_for(slug, shortfall.path, context.language)
        text = reason_for("request_satisfied", shortfall.code, context.language, claim=claim)
        if text not in reasons:
            reasons.append(text)
    return CheckResult("request_satisfied", "failed", shortfalls[0].code, " ".join(reasons))


def run_gate(
    items: Sequence[Placed],
    *,
    policy: DoorPolicy,
    context: GateContext,
    expected: Expected,
    query: Query | None,
    request_id: str | None,
) -> tuple[VerificationReport, bool]:
    """Admit every presentation under ``policy`` and, with a query, check they satisfy it.

    Returns the report and whether any presentation's holder signed the expected nonce.
    """
    outcomes = [
        admit(item, policy=policy, context=context, expected=expected, query_id=query_id)
        for query_id, item in items
    ]
    checks: tuple[CheckResult, ...] = ()
    if query is not None:
        answers: dict[str, list[PresentedCredential]] = {}
        for (query_id, _), outcome in zip(items, outcomes, strict=True):
            if outcome.presented is not None:
                answers.setdefault(query_id or "", []).append(outcome.presented)
        checks = (_request_check(query, answers, context),)
    else:
        checks = (not_applicable("request_satisfied"),)
    report = VerificationReport(
        language=context.language,
        audience=expected.audience or "",
        presentations=tuple(outcome.report for outcome in outcomes),
        checks=checks,
        request_id=request_id,
    )
    return report, any(outcome.nonce_bound for outcome in outcomes)
