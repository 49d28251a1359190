"""The presentation doors of the gate: verifier API, request answers and share views.

- :func:`verify_submission` (``POST /v1/verifications``, policy
  :data:`~verifiers.policy.VERIFICATION_API`): presentations with a ``request_id`` or with a nonce
  this verifier obtained from ``POST /v1/verifiers/{slug}/nonces``;
- :func:`submit_request_response` (:data:`~verifiers.policy.REQUEST_ANSWER`): the person's wallet
  answering a request (``vp_token``);
- :func:`receive_authorization_response` (:data:`~verifiers.policy.OPENID4VP_RESPONSE`): any
  wallet's OpenID4VP ``direct_post`` response to a signed Request Object;
- :func:`verify_shared_presentations` (:data:`~verifiers.policy.SHARE_VIEW`): a share link viewed
  (status as of now, nothing consumed).

Each door chooses its policy and what it expects, runs :func:`verifiers.gate.admit` through
:func:`verifiers.vp_token.run_gate` and interprets the report; the checks are the gate's.

Nonces are single use (RFC 9901 §7.3 step 5, OpenID4VP 1.0 §14.1): a nonce is consumed once a
presentation shows that its holder signed it (a valid KB-JWT carrying it), in the same
transaction that records the request's outcome; a replay then answers 409 ``nonce_reused``. A
presentation that does not carry our nonce under its holder's signature consumes nothing, so a
stranger cannot burn a request.
"""

import json
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from credentials.clock import require_aware
from credentials.dcql import parse_query
from verifiers.admission import Expected
from verifiers.errors import (
    AudienceNotOwn,
    NonceExpired,
    NonceReused,
    NonceUnknown,
    RequestExpired,
    RequestNotFound,
    ResponseForExpiredRequest,
    ResponseMalformed,
    ResponseModeMismatch,
    ResponseRejected,
    ResponseReplayed,
    StateUnknown,
    SubmissionInvalid,
)
from verifiers.gate_sources import gate_context
from verifiers.issuer_trust import Sources, TrustVersion
from verifiers.kept_answers import seal_answer
from verifiers.language import Language, as_language
from verifiers.nonces import (
    ConsumedNonce,
    consume_nonce,
    consume_usable_nonce,
    release_nonce,
    usable_nonce,
)
from verifiers.organisations import (
    VerifierInfo,
    api_key_hash,
    authenticate_verifier,
    verifier_by_id,
)
from verifiers.policy import (
    OPENID4VP_RESPONSE,
    REQUEST_ANSWER,
    SHARE_VIEW,
    VERIFICATION_API,
    DoorPolicy,
    NonceUse,
)
from verifiers.presentation_requests import load_request, seal_outcome, status_of
from verifiers.report import VerificationReport
from verifiers.tables import VerifierRequest
from verifiers.vp_token import invalid, place, placed_items, run_gate

MAX_VP_TOKEN_CHARS = 1024 * 1024
"""Largest ``vp_token`` form field (the request body limit is the outer bound)."""
MAX_FAILED_LISTED = 20


def _answer_request(
    session: Session,
    *,
    policy: DoorPolicy,
    row: VerifierRequest,
    verifier: VerifierInfo,
    vp_token: object,
    presentations: object,
    sources: Sources,
    kek: bytes,
    base_url: str,
    now: datetime,
    audience: str | None = None,
) -> VerificationReport:
    if row.status != "pending":
        raise NonceReused("the request has already been answered")
    if status_of(row, now) == "expired":
        raise RequestExpired("the presentation request has expired")
    usable_nonce(session, verifier_id=verifier.id, nonce=row.nonce, now=now)
    query = parse_query(row.query)
    items = placed_items(vp_token=vp_token, presentations=presentations, query=query)
    language = as_language(row.language)
    context = gate_context(session, sources=sources, language=language, base_url=base_url, now=now)
    expected = Expected(audience=audience or verifier.client_id, nonce=row.nonce)
    report, bound = run_gate(
        items, policy=policy, context=context, expected=expected, query=query, request_id=row.id
    )
    if policy is OPENID4VP_RESPONSE and not report.verified:
        raise ResponseRejected(
            "the presentations are not verified or do not satisfy the request",
            errors=_failed_checks(report),
        )
    if bound and policy.nonce is NonceUse.SINGLE_USE:
        consume_nonce(session, verifier_id=verifier.id, nonce=row.nonce, now=now)
        row.status = "verified" if report.verified else "rejected"
        row.answered_at = now
        row.sealed_outcome = seal_outcome(row, report.to_json(), kek=kek)
        row.sealed_answer = seal_answer(row, items, audience=expected.audience or "", kek=kek)
        session.add(row)
    return report


def _confirm_key(
    session: Session, *, verifier: VerifierInfo, api_key: str | None, base_url: str
) -> None:
    # A remembered verifier: read its key again (raises VerifierKeyInvalid when it is gone).
    if api_key is not None:
        authenticate_verifier(session, api_key=api_key, slug=verifier.slug, base_url=base_url)


def _verify_with_nonce(
    session: Session,
    *,
    verifier: VerifierInfo,
    consumed: ConsumedNonce,
    vp_token: object,
    presentations: object,
    sources: Sources,
    language: Language,
    base_url: str,
    now: datetime,
) -> VerificationReport:
    # The nonce is consumed already (one statement, with the registry's version); it is given
    # back unless a presentation carries it under its holder's signature. Should anything here
    # raise, the caller does not commit, and the consumption goes with the transaction.
    items = placed_items(vp_token=vp_token, presentations=presentations, query=None)
    context = gate_context(
        session,
        sources=sources,
        language=language,
        base_url=base_url,
        now=now,
        trust_version=TrustVersion(consumed.trust_version),
    )
    expected = Expected(audience=verifier.client_id, nonce=consumed.nonce)
    report, bound = run_gate(
        items,
        policy=VERIFICATION_API,
        context=context,
        expected=expected,
        query=None,
        request_id=None,
    )
    if not (bound and VERIFICATION_API.nonce is NonceUse.SINGLE_USE):
        release_nonce(session, verifier_id=verifier.id, consumed=consumed)
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
    confirm_api_key: str | None = None,
) -> VerificationReport:
    """``POST /v1/verifications``: :func:`submit_presentations`, committed (one transaction).

    Raises as :func:`submit_presentations`; nothing is consumed or stored then.
    """
    report = submit_presentations(
        session,
        verifier=verifier,
        request_id=request_id,
        nonce=nonce,
        audience=audience,
        vp_token=vp_token,
        presentations=presentations,
        sources=sources,
        kek=kek,
        language=language,
        base_url=base_url,
        now=now,
        confirm_api_key=confirm_api_key,
    )
    session.commit()
    return report


def submit_presentations(
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
    confirm_api_key: str | None = None,
) -> VerificationReport:
    """Verify presentations for ``verifier``, in the caller's transaction (no commit).

    With ``request_id`` the presentations answer that request (its nonce, its query, the
    report stored as its outcome, in the request's language); otherwise ``nonce`` must be one
    issued to this verifier (``audience``, if given, must be its client identifier). RFC 9901
    §7.3; OpenID4VP 1.0 §6.4, §8.1, §14.1. Raises :class:`SubmissionInvalid`,
    :class:`AudienceNotOwn`, :class:`~verifiers.errors.RequestNotFound`,
    :class:`RequestExpired`, :class:`~verifiers.errors.NonceUnknown`,
    :class:`~verifiers.errors.NonceExpired` and :class:`NonceReused` (409: a replay).

    ``confirm_api_key``: ``verifier`` was remembered for this API key rather than read now
    (:data:`~verifiers.organisations.RememberedVerifiers`), so the key is confirmed in the
    statement that consumes the nonce, or read again on every other path
    (:class:`~verifiers.errors.VerifierKeyInvalid` when it is no longer the verifier's).
    """
    now = require_aware(now)
    if audience is not None and audience != verifier.client_id:
        _confirm_key(session, verifier=verifier, api_key=confirm_api_key, base_url=base_url)
        raise AudienceNotOwn("the audience is not this verifier's client identifier")
    if request_id is None and nonce is not None:
        consumed = consume_usable_nonce(
            session,
            verifier_id=verifier.id,
            nonce=nonce,
            now=now,
            api_key_hash=None if confirm_api_key is None else api_key_hash(confirm_api_key),
            also_read=None if sources.local_version is None else sources.local_version.sql,
        )
        if consumed is not None:
            if sources.local_version is not None:
                sources.local_version.give(consumed.also_read)
            return _verify_with_nonce(
                session,
                verifier=verifier,
                consumed=consumed,
                vp_token=vp_token,
                presentations=presentations,
                sources=sources,
                language=language,
                base_url=base_url,
                now=now,
            )
        _confirm_key(session, verifier=verifier, api_key=confirm_api_key, base_url=base_url)
        request_id = usable_nonce(session, verifier_id=verifier.id, nonce=nonce, now=now).request_id
        if request_id is None:
            # Usable yet not consumable: another presentation holds it at this moment.
            raise NonceReused("the nonce has already been used")
    else:
        _confirm_key(session, verifier=verifier, api_key=confirm_api_key, base_url=base_url)
    if request_id is None:
        raise invalid("/request_id", "give a request_id, or a nonce from this verifier")
    row = load_request(session, request_id=request_id, verifier_id=verifier.id)
    if nonce is not None and nonce != row.nonce:
        raise invalid("/nonce", "the nonce is not the request's")
    return _answer_request(
        session,
        policy=VERIFICATION_API,
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
    is consumed, in the caller's transaction (no commit: the answer flow commits it together
    with the wallet's log entry). Raises as :func:`submit_presentations`.
    """
    now = require_aware(now)
    row = load_request(session, request_id=request_id, verifier_id=None)
    verifier = verifier_by_id(session, verifier_id=row.verifier_id, base_url=base_url)
    return _answer_request(
        session,
        policy=REQUEST_ANSWER,
        row=row,
        verifier=verifier,
        vp_token=vp_token,
        presentations=None,
        sources=sources,
        kek=kek,
        base_url=base_url,
        now=now,
    )


def _failed_checks(report: VerificationReport) -> list[dict[str, str]]:
    """The failed checks by name and code only (no claim value, key or token)."""
    failed = [
        {"check": check.check, "code": check.code or ""}
        for presentation in report.presentations
        for check in presentation.checks
        if check.outcome == "failed"
    ]
    failed += [
        {"check": check.check, "code": check.code or ""}
        for check in report.checks
        if check.outcome == "failed"
    ]
    return failed[:MAX_FAILED_LISTED]


def receive_authorization_response(
    session: Session,
    *,
    verifier: VerifierInfo,
    client_id: str,
    state: str,
    vp_token: str,
    encrypted: bool,
    sources: Sources,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> VerificationReport:
    """Any wallet's OpenID4VP response, posted to ``verifier``'s Response URI (§8.2, §8.6).

    ``state`` names one of ``verifier``'s requests; ``vp_token`` is the form field (or the
    decrypted response's member, ``encrypted``, §8.3.1), a JSON object of Credential Query id to
    presentations (§8.1); every KB-JWT must name ``client_id`` (the prefixed Client Identifier
    of the Request Object) and the request's nonce. A verified response is stored as the
    request's outcome and consumes the nonce, in the caller's transaction (no commit). Raises
    :class:`AuthorizationResponseRefused` (nothing stored, nothing consumed) for an unknown or
    another verifier's ``state``, a response not in the request's response mode (a plain
    ``vp_token`` where ``direct_post.jwt`` was asked for), an expired or answered request, a
    malformed ``vp_token``, and presentations that are not verified or do not satisfy the query.
    """
    now = require_aware(now)
    try:
        row = load_request(session, request_id=state, verifier_id=verifier.id)
    except RequestNotFound:
        raise StateUnknown("the state names no open request of this verifier") from None
    if (row.response_mode == "direct_post.jwt") != encrypted:
        raise ResponseModeMismatch(
            f"this request asked for a {row.response_mode} response; it must be answered so"
        )
    if len(vp_token) > MAX_VP_TOKEN_CHARS:
        raise ResponseMalformed("the vp_token is too large")
    try:
        parsed = json.loads(vp_token)
        return _answer_request(
            session,
            policy=OPENID4VP_RESPONSE,
            row=row,
            verifier=verifier,
            vp_token=parsed,
            presentations=None,
            sources=sources,
            kek=kek,
            base_url=base_url,
            now=now,
            audience=client_id,
        )
    except (ValueError, RecursionError, SubmissionInvalid):
        raise ResponseMalformed(
            "the vp_token is not a JSON object of credential query ids to presentations"
        ) from None
    except (NonceReused, NonceUnknown):
        raise ResponseReplayed("the request has already been answered") from None
    except (RequestExpired, NonceExpired):
        raise ResponseForExpiredRequest("the request has expired") from None


def verify_shared_presentations(
    session: Session,
    *,
    presentations: Sequence[str],
    audience: str,
    nonce: str,
    sources: Sources,
    language: Language,
    base_url: str,
    now: datetime,
) -> VerificationReport:
    """Verify the presentations a share made for this view, live; nothing is consumed.

    The wallet made each KB-JWT just now for the share's own ``audience`` and the view's
    ``nonce`` (never stored, so there is nothing to consume); the usual 5-minute age applies
    (:data:`verifiers.policy.SHARE_VIEW`). RFC 9901 §7.3. Raises :class:`SubmissionInvalid` for
    an empty or oversized list.
    """
    items = place(list(presentations), None)
    context = gate_context(
        session, sources=sources, language=language, base_url=base_url, now=require_aware(now)
    )
    expected = Expected(audience=audience, nonce=nonce)
    report, _ = run_gate(
        items, policy=SHARE_VIEW, context=context, expected=expected, query=None, request_id=None
    )
    return report
