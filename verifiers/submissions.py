"""The gate's entry points for presentations: verifier API, request answers and share views.

- :func:`verify_submission` (``POST /v1/verifications``): presentations with a ``request_id`` or
  with a nonce this verifier obtained from ``POST /v1/verifiers/{slug}/nonces``;
- :func:`submit_request_response`: the person's wallet answering a request (``vp_token``);
- :func:`verify_shared_presentations`: a share link viewed (status as of now, nothing consumed).

Nonces are single use (RFC 9901 §7.3 step 5, OpenID4VP 1.0 §14.1): a nonce is consumed once a
presentation shows that its holder signed it (a valid KB-JWT carrying it), in the same
transaction that records the request's outcome; a replay then answers 409 ``nonce_reused``. A
presentation that does not carry our nonce under its holder's signature consumes nothing, so a
stranger cannot burn a request.
"""

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session

from credentials.errors import CredentialError
from credentials.jws import parse_compact, payload_object
from credentials.sd_jwt import split_sd_jwt
from verifiers.dcql import PresentedCredential, Query, check_answer, parse_query, query_for_vct
from verifiers.errors import AudienceNotOwn, NonceReused, RequestExpired, SubmissionInvalid
from verifiers.issuer_trust import IssuerTrust, Sources, find_issuer_trust
from verifiers.language import Language, as_language, label_for, type_slug
from verifiers.nonces import consume_nonce, usable_nonce
from verifiers.organisations import VerifierInfo, verifier_by_id
from verifiers.reasons import reason_for
from verifiers.report import CheckResult, VerificationReport, not_applicable, passed
from verifiers.requests import load_request, seal_outcome, status_of
from verifiers.tables import VerifierRequest, require_aware
from verifiers.verification import (
    KB_MAX_AGE,
    Binding,
    GateContext,
    TrustLookup,
    verify_presentation,
)

MAX_PRESENTATIONS = 20
_QUERY_ID = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")
Placed = tuple[str | None, str]
"""A presentation and the id of the Credential Query it answers (``None``: none known)."""


def trust_lookup(session: Session, *, sources: Sources, now: datetime) -> TrustLookup:
    """The gate's view of the trust registry and local issuers, memoised per verification."""
    found: dict[str, IssuerTrust | None] = {}

    def lookup(identifier: str) -> IssuerTrust | None:
        if identifier not in found:
            found[identifier] = find_issuer_trust(
                session, identifier=identifier, sources=sources, now=now
            )
        return found[identifier]

    return lookup


def _invalid(pointer: str, message: str) -> SubmissionInvalid:
    return SubmissionInvalid(
        "the presentations are not in the expected shape",
        errors=[{"pointer": pointer, "message": message}],
    )


def parse_vp_token(vp_token: object) -> list[Placed]:
    """An OpenID4VP ``vp_token`` (§8.1): Credential Query id → array of presentations."""
    if not isinstance(vp_token, dict) or not vp_token:
        raise _invalid("/vp_token", "must be an object of credential query ids")
    placed: list[Placed] = []
    for key, value in vp_token.items():
        if not isinstance(key, str) or not _QUERY_ID.match(key):
            raise _invalid("/vp_token", "a key is not a credential query id")
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise _invalid(f"/vp_token/{key}", "must be a non-empty array of presentations")
        placed.extend((key, item) for item in value)
    if len(placed) > MAX_PRESENTATIONS:
        raise _invalid("/vp_token", f"at most {MAX_PRESENTATIONS} presentations")
    return placed


def presented_vct(presentation: str) -> str | None:
    """The ``vct`` a presentation claims (unverified; only to place it under a query)."""
    try:
        parts = split_sd_jwt(presentation)
        vct = payload_object(parse_compact(parts.issuer_jwt)).get("vct")
    except CredentialError:
        return None
    return vct if isinstance(vct, str) else None


def place(presentations: object, query: Query | None) -> list[Placed]:
    """A bare list of presentations, each placed under the first query accepting its ``vct``."""
    if not isinstance(presentations, list) or not presentations:
        raise _invalid("/presentations", "must be a non-empty array of presentations")
    if len(presentations) > MAX_PRESENTATIONS or not all(isinstance(p, str) for p in presentations):
        raise _invalid("/presentations", f"must be 1-{MAX_PRESENTATIONS} strings")
    placed: list[Placed] = []
    for item in presentations:
        vct = presented_vct(item)
        placed.append((query_for_vct(query, vct) if query and vct else None, item))
    return placed


def _items(*, vp_token: object, presentations: object, query: Query | None) -> list[Placed]:
    if (vp_token is None) == (presentations is None):
        raise _invalid("/vp_token", "give exactly one of vp_token and presentations")
    return parse_vp_token(vp_token) if vp_token is not None else place(presentations, query)


def _request_check(
    query: Query, answers: dict[str, list[PresentedCredential]], context: GateContext
) -> CheckResult:
    shortfalls = check_answer(query, answers)
    if not shortfalls:
        return passed("request_satisfied")
    by_id = {credential.id: credential for credential in query.credentials}
    reasons: list[str] = []
    for shortfall in shortfalls:
        claim = None
        credential = by_id.get(shortfall.query_id)
        if shortfall.path is not None and credential is not None:
            slug = type_slug(credential.vct_values[0], base_url=context.base_url)
            claim = label_for(slug, shortfall.path, context.language)
        text = reason_for("request_satisfied", shortfall.code, context.language, claim=claim)
        if text not in reasons:
            reasons.append(text)
    return CheckResult("request_satisfied", "failed", shortfalls[0].code, " ".join(reasons))


def run_gate(
    items: Sequence[Placed],
    *,
    binding: Binding,
    context: GateContext,
    query: Query | None,
    request_id: str | None,
) -> tuple[VerificationReport, bool]:
    """Verify every presentation and, with a query, whether together they satisfy it.

    Returns the report and whether any presentation's holder signed the expected nonce.
    """
    outcomes = [
        verify_presentation(item, binding=binding, context=context, query_id=query_id)
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
        audience=binding.audience,
        presentations=tuple(outcome.report for outcome in outcomes),
        checks=checks,
        request_id=request_id,
    )
    return report, any(outcome.nonce_bound for outcome in outcomes)


def _context(
    session: Session, *, sources: Sources, language: Language, base_url: str, now: datetime
) -> GateContext:
    return GateContext(
        trust=trust_lookup(session, sources=sources, now=now),
        fetch=sources.fetch,
        cache=sources.cache,
        now=now,
        language=language,
        base_url=base_url,
    )


def _answer_request(
    session: Session,
    *,
    row: VerifierRequest,
    verifier: VerifierInfo,
    vp_token: object,
    presentations: object,
    sources: Sources,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> VerificationReport:
    if row.status != "pending":
        raise NonceReused("the request has already been answered")
    if status_of(row, now) == "expired":
        raise RequestExpired("the presentation request has expired")
    usable_nonce(session, verifier_id=verifier.id, nonce=row.nonce, now=now)
    query = parse_query(row.query)
    items = _items(vp_token=vp_token, presentations=presentations, query=query)
    language = as_language(row.language)
    context = _context(session, sources=sources, language=language, base_url=base_url, now=now)
    binding = Binding(audience=verifier.client_id, nonce=row.nonce, max_age=KB_MAX_AGE)
    report, bound = run_gate(
        items, binding=binding, context=context, query=query, request_id=row.id
    )
    if bound:
        consume_nonce(session, verifier_id=verifier.id, nonce=row.nonce, now=now)
        row.status = "verified" if report.verified else "rejected"
        row.answered_at = now
        row.sealed_outcome = seal_outcome(row, report.to_json(), kek=kek)
        session.add(row)
        session.commit()
    return report


def verify_submission(
    session: Session,
    *,
    verifier: VerifierInfo,
    request_id: str | None,
    nonce: str | None,
    audience: str | None,
    vp_token: object,
    presentations: object,
    sources: Sources,
    kek: bytes,
    language: Language,
    base_url: str,
    now: datetime,
) -> VerificationReport:
    """``POST /v1/verifications``: verify presentations for ``verifier`` and return the report.

    With ``request_id`` the presentations answer that request (its nonce, its query, the
    report stored as its outcome, in the request's language); otherwise ``nonce`` must be one
    issued to this verifier (``audience``, if given, must be its client identifier). RFC 9901
    §7.3; OpenID4VP 1.0 §6.4, §8.1, §14.1. Raises :class:`SubmissionInvalid`,
    :class:`AudienceNotOwn`, :class:`~verifiers.errors.RequestNotFound`,
    :class:`RequestExpired`, :class:`~verifiers.errors.NonceUnknown`,
    :class:`~verifiers.errors.NonceExpired` and :class:`NonceReused` (409: a replay).
    """
    now = require_aware(now)
    if audience is not None and audience != verifier.client_id:
        raise AudienceNotOwn("the audience is not this verifier's client identifier")
    if request_id is None and nonce is not None:
        request_id = usable_nonce(session, verifier_id=verifier.id, nonce=nonce, now=now).request_id
        if request_id is None:
            items = _items(vp_token=vp_token, presentations=presentations, query=None)
            context = _context(
                session, sources=sources, language=language, base_url=base_url, now=now
            )
            binding = Binding(audience=verifier.client_id, nonce=nonce, max_age=KB_MAX_AGE)
            report, bound = run_gate(
                items, binding=binding, context=context, query=None, request_id=None
            )
            if bound:
                consume_nonce(session, verifier_id=verifier.id, nonce=nonce, now=now)
                session.commit()
            return report
    if request_id is None:
        raise _invalid("/request_id", "give a request_id, or a nonce from this verifier")
    row = load_request(session, request_id=request_id, verifier_id=verifier.id)
    if nonce is not None and nonce != row.nonce:
        raise _invalid("/nonce", "the nonce is not the request's")
    return _answer_request(
        session,
        row=row,
        verifier=verifier,
        vp_token=vp_token,
        presentations=presentations,
        sources=sources,
        kek=kek,
        base_url=base_url,
        now=now,
    )


def submit_request_response(
    session: Session,
    *,
    request_id: str,
    vp_token: object,
    sources: Sources,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> VerificationReport:
    """The person's wallet answers a request with an OpenID4VP ``vp_token`` (§8.1).

    The report (in the verifier's language) is stored as the request's outcome once the nonce
    is consumed. Raises as :func:`verify_submission`.
    """
    now = require_aware(now)
    row = load_request(session, request_id=request_id, verifier_id=None)
    verifier = verifier_by_id(session, verifier_id=row.verifier_id, base_url=base_url)
    return _answer_request(
        session,
        row=row,
        verifier=verifier,
        vp_token=vp_token,
        presentations=None,
        sources=sources,
        kek=kek,
        base_url=base_url,
        now=now,
    )


def verify_shared_presentations(
    session: Session,
    *,
    presentations: Sequence[str],
    audience: str,
    nonce: str,
    max_kb_age: timedelta,
    sources: Sources,
    language: Language,
    base_url: str,
    now: datetime,
) -> VerificationReport:
    """Verify a share's stored presentations live (status as of ``now``); nothing is consumed.

    The wallet made each KB-JWT for the share's own ``audience`` and ``nonce`` when the share
    was created; ``max_kb_age`` is how old it may be (the share's lifetime). RFC 9901 §7.3.
    Raises :class:`SubmissionInvalid` for an empty or oversized list.
    """
    if max_kb_age <= timedelta(0):
        raise ValueError("max_kb_age must be positive")
    items = place(list(presentations), None)
    context = _context(
        session, sources=sources, language=language, base_url=base_url, now=require_aware(now)
    )
    binding = Binding(audience=audience, nonce=nonce, max_age=max_kb_age)
    report, _ = run_gate(items, binding=binding, context=context, query=None, request_id=None)
    return report
