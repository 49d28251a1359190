"""Presentation requests: what a verifier asks for, why, until when, and what came back.

A request holds a DCQL query (OpenID4VP 1.0 §6, the subset of :mod:`credentials.dcql`, or the
convenience form of :mod:`verifiers.query_form`), a purpose in plain language (shown to the
person before they decide, OpenID4VP §6.4.2 and §15.3), an expiry, a single-use nonce and the
verifier's client identifier as audience. The person opens ``{base_url}/wallet/requests/{id}``
in their wallet; the wallet reads the public view and submits the answer
(:func:`verifiers.submissions.submit_request_response`). The outcome, a report holding the
disclosed claims, is sealed under the KEK (docs/security.md, data at rest).
"""

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlmodel import Session, col, func, select

from credentials.clock import as_utc, require_aware
from credentials.dcql import Query, parse_query
from credentials.errors import QueryInvalid
from sealing.aead import open_sealed, seal
from verifiers.errors import (
    RequestAnswered,
    RequestExpired,
    RequestLimitReached,
    RequestNotFound,
    VerifierInvalid,
)
from verifiers.language import Language
from verifiers.nonces import add_nonce, new_nonce
from verifiers.organisations import VerifierInfo, verifier_by_id
from verifiers.query_form import expand_query
from verifiers.tables import VerifierRequest

MIN_LIFETIME = timedelta(minutes=1)
MAX_LIFETIME = timedelta(days=30)
MAX_PURPOSE = 500
MAX_OPEN_REQUESTS = 10_000
"""Unanswered, unexpired requests a verifier may have at once (each holds a query and a nonce)."""
RequestStatus = Literal["pending", "verified", "rejected", "expired"]
ResponseMode = Literal["direct_post", "direct_post.jwt"]
"""How an OpenID4VP wallet answers (OpenID4VP 1.0 §8.2; §8.3.1 encrypts the response)."""
RESPONSE_MODES: tuple[ResponseMode, ...] = ("direct_post", "direct_post.jwt")


@dataclass(frozen=True)
class CreatedRequest:
    """A new request: what the verifier sends the person, and what their wallet will bind to."""

    id: str
    nonce: str
    audience: str
    link: str
    purpose: str
    query: dict[str, Any]
    created_at: datetime
    expires_at: datetime
    response_mode: ResponseMode = "direct_post"


@dataclass(frozen=True)
class RequestState:
    """A request as its verifier reads it: status and, once answered, the report."""

    id: str
    status: RequestStatus
    purpose: str
    query: dict[str, Any]
    audience: str
    link: str
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    outcome: dict[str, Any] | None


@dataclass(frozen=True)
class RequestView:
    """What the person's wallet shows and binds to (OpenID4VP §5.2 ``client_id``, ``nonce``)."""

    id: str
    verifier_name: str
    verifier_slug: str
    purpose: str
    query: dict[str, Any]
    nonce: str
    audience: str
    expires_at: datetime


def request_link(request_id: str, *, base_url: str) -> str:
    """The link the person opens in their wallet."""
    return f"{base_url.rstrip('/')}/wallet/requests/{request_id}"


def outcome_context(request_id: str) -> bytes:
    """The associated data that binds a sealed outcome to its request."""
    return b"verifier-request-outcome|" + request_id.encode("ascii")


def read_query(*, dcql_query: object, form: object, base_url: str) -> Query:
    """Exactly one of a DCQL query and the convenience form, as a validated query.

    Raises :class:`QueryInvalid`.
    """
    if (dcql_query is None) == (form is None):
        raise QueryInvalid(
            "give either dcql_query or credentials",
            errors=[
                {
                    "pointer": "/dcql_query",
                    "message": "give exactly one of dcql_query and credentials",
                }
            ],
        )
    if dcql_query is not None:
        return parse_query(dcql_query)
    return expand_query({"credentials": form}, base_url=base_url)


def _purpose(purpose: str) -> str:
    text = purpose.strip()
    if not 0 < len(text) <= MAX_PURPOSE or any(ord(c) < 0x20 and c not in "\n\t" for c in text):
        raise VerifierInvalid(f"the purpose must be 1-{MAX_PURPOSE} characters of plain text")
    return text


def _check_open_requests(session: Session, *, verifier_id: str, now: datetime) -> None:
    table = VerifierRequest
    open_requests = session.exec(
        select(func.count()).where(
            col(table.verifier_id) == verifier_id,
            col(table.status) == "pending",
            col(table.expires_at) > now,
        )
    ).one()
    if open_requests >= MAX_OPEN_REQUESTS:
        raise RequestLimitReached(
            f"A verifier has at most {MAX_OPEN_REQUESTS} open requests: wait until some are "
            "answered or expire."
        )


def create_request(
    session: Session,
    *,
    verifier: VerifierInfo,
    dcql_query: object,
    form: object,
    purpose: str,
    expires_in: timedelta,
    language: Language,
    base_url: str,
    now: datetime,
    response_mode: ResponseMode = "direct_post",
) -> CreatedRequest:
    """Create a presentation request with a fresh single-use nonce (OpenID4VP 1.0 §5, §6).

    ``language`` is the verifier's, used for the report; ``response_mode`` how an OpenID4VP
    wallet must answer (``direct_post.jwt``: encrypted, §8.3.1). Raises :class:`QueryInvalid`,
    :class:`VerifierInvalid` (purpose, a lifetime outside 1 minute-30 days, or an unknown
    response mode) and :class:`RequestLimitReached` (409) at :data:`MAX_OPEN_REQUESTS` open
    requests.
    """
    query = read_query(dcql_query=dcql_query, form=form, base_url=base_url)
    text = _purpose(purpose)
    if not MIN_LIFETIME <= expires_in <= MAX_LIFETIME:
        raise VerifierInvalid("a request lives between 1 minute and 30 days")
    if response_mode not in RESPONSE_MODES:
        raise VerifierInvalid("the response mode is direct_post or direct_post.jwt")
    now = require_aware(now)
    _check_open_requests(session, verifier_id=verifier.id, now=now)
    request_id = "req_" + secrets.token_urlsafe(16)
    nonce = new_nonce()
    row = VerifierRequest(
        id=request_id,
        verifier_id=verifier.id,
        query=query.to_json(),
        purpose=text,
        language=language,
        nonce=nonce,
        created_at=now,
        expires_at=now + expires_in,
        status="pending",
        response_mode=response_mode,
    )
    session.add(row)
    session.flush()
    add_nonce(
        session,
        verifier_id=verifier.id,
        nonce=nonce,
        request_id=request_id,
        now=now,
        expires_at=now + expires_in,
    )
    session.commit()
    return CreatedRequest(
        id=request_id,
        nonce=nonce,
        audience=verifier.client_id,
        link=request_link(request_id, base_url=base_url),
        purpose=text,
        query=row.query,
        created_at=now,
        expires_at=now + expires_in,
        response_mode=response_mode,
    )


def load_request(session: Session, *, request_id: str, verifier_id: str | None) -> VerifierRequest:
    """The request row; with ``verifier_id`` it must be that verifier's. Raises
    :class:`RequestNotFound` (also for another verifier's request: 404, never 403)."""
    query = (
        select(VerifierRequest)
        .where(col(VerifierRequest.id) == request_id)
        .execution_options(populate_existing=True)
    )
    row = session.exec(query).first() if 0 < len(request_id) <= 40 else None
    if row is None or (verifier_id is not None and row.verifier_id != verifier_id):
        raise RequestNotFound("there is no such presentation request")
    return row


def status_of(row: VerifierRequest, now: datetime) -> RequestStatus:
    """``pending`` turns ``expired`` once the expiry has passed unanswered."""
    if row.status == "pending" and require_aware(now) >= as_utc(row.expires_at):
        return "expired"
    status: RequestStatus = (
        "verified"
        if row.status == "verified"
        else ("rejected" if row.status == "rejected" else "pending")
    )
    return status


def get_request(
    session: Session,
    *,
    verifier: VerifierInfo,
    request_id: str,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> RequestState:
    """The request's status and, once answered, its report (the sealed outcome opened).

    Raises :class:`RequestNotFound` for an unknown request or another verifier's.
    """
    row = load_request(session, request_id=request_id, verifier_id=verifier.id)
    outcome = None
    if row.sealed_outcome is not None:
        opened = open_sealed(kek, row.sealed_outcome, context=outcome_context(row.id))
        outcome = json.loads(opened)
    return RequestState(
        id=row.id,
        status=status_of(row, now),
        purpose=row.purpose,
        query=row.query,
        audience=verifier.client_id,
        link=request_link(row.id, base_url=base_url),
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        answered_at=as_utc(row.answered_at) if row.answered_at else None,
        outcome=outcome,
    )


def request_public_view(
    session: Session, *, request_id: str, base_url: str, now: datetime
) -> RequestView:
    """What the person's wallet needs to show the request and answer it.

    Raises :class:`RequestNotFound`, :class:`RequestExpired` (410) for a request that has
    expired and :class:`RequestAnswered` (409) for one that has already been answered.
    """
    row = load_request(session, request_id=request_id, verifier_id=None)
    state = status_of(row, now)
    if state == "expired":
        raise RequestExpired("the presentation request has expired")
    if state != "pending":
        raise RequestAnswered("the presentation request has already been answered")
    verifier = verifier_by_id(session, verifier_id=row.verifier_id, base_url=base_url)
    return RequestView(
        id=row.id,
        verifier_name=verifier.name,
        verifier_slug=verifier.slug,
        purpose=row.purpose,
        query=row.query,
        nonce=row.nonce,
        audience=verifier.client_id,
        expires_at=as_utc(row.expires_at),
    )


def seal_outcome(row: VerifierRequest, outcome: dict[str, Any], *, kek: bytes) -> bytes:
    """The report sealed under the KEK, bound to its request."""
    plaintext = json.dumps(outcome, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return seal(kek, plaintext, context=outcome_context(row.id), nonce=secrets.token_bytes(12))
