"""A verifier's presentation request, offered to any wallet over OpenID4VP 1.0.

:func:`authorization_request` is what ``POST /v1/verifiers/{slug}/requests`` adds to its answer:
the ``openid4vp://`` link (for a link or a QR code) naming the Client Identifier and the
``request_uri``. :func:`request_object` serves that ``request_uri`` (GET, or POST with
``wallet_nonce``, OpenID4VP 1.0 §5.10): the signed Request Object of
:mod:`verifiers.request_objects`, while the request is open. The response comes back to
:func:`verifiers.submissions.receive_authorization_response`; ``state`` is the request's id.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from credentials.clock import as_utc, require_aware
from verifiers.errors import (
    RequestExpired,
    RequestNotFound,
    ResponseForExpiredRequest,
    StateUnknown,
)
from verifiers.organisations import VerifierInfo, get_verifier
from verifiers.policy import ACCEPTED_ALGORITHMS
from verifiers.presentation_requests import load_request, status_of
from verifiers.request_objects import (
    RequestSigner,
    authorization_request_uri,
    request_uri_for,
    response_uri_for,
    sign_request_object,
)
from verifiers.response_encryption import ENCRYPTED, response_client_metadata


@dataclass(frozen=True)
class AuthorizationRequest:
    """How a wallet opens a request: the link and the values it carries (OpenID4VP 1.0 §5)."""

    client_id: str
    request_uri: str
    response_uri: str
    uri: str


def authorization_request(
    *, verifier: VerifierInfo, request_id: str, signer: RequestSigner, base_url: str
) -> AuthorizationRequest:
    """The ``openid4vp://`` Authorization Request by reference to ``request_id``'s object."""
    request_uri = request_uri_for(verifier.slug, request_id, base_url=base_url)
    return AuthorizationRequest(
        client_id=signer.client_id,
        request_uri=request_uri,
        response_uri=response_uri_for(verifier.slug, base_url=base_url),
        uri=authorization_request_uri(client_id=signer.client_id, request_uri=request_uri),
    )


def request_object(
    session: Session,
    *,
    slug: str,
    request_id: str,
    signer: RequestSigner,
    wallet_nonce: str | None,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> str:
    """The signed Request Object of ``slug``'s open request ``request_id`` (RFC 9101 §5.2).

    A request asking for ``direct_post.jwt`` carries its own encryption key, derived from
    ``kek`` (:mod:`verifiers.response_encryption`).

    Raises :class:`~verifiers.errors.VerifierNotFound`, :class:`RequestNotFound` (also for
    another verifier's request) and :class:`RequestExpired` (410: expired or answered; the
    wallet then stops, OpenID4VP 1.0 §5.10.2). ``ValueError`` for a malformed ``wallet_nonce``.
    """
    now = require_aware(now)
    verifier = get_verifier(session, slug=slug, base_url=base_url)
    row = load_request(session, request_id=request_id, verifier_id=verifier.id)
    if status_of(row, now) != "pending":
        raise RequestExpired("the presentation request is no longer open")
    return sign_request_object(
        signer,
        response_uri=response_uri_for(verifier.slug, base_url=base_url),
        dcql_query=row.query,
        nonce=row.nonce,
        state=row.id,
        algorithms=ACCEPTED_ALGORITHMS,
        wallet_nonce=wallet_nonce,
        now=now,
        expires_at=as_utc(row.expires_at),
        encryption=(
            response_client_metadata(kek, request_id=row.id)
            if row.response_mode == ENCRYPTED
            else None
        ),
    )


def acknowledge_wallet_error(
    session: Session, *, verifier: VerifierInfo, state: str, now: datetime
) -> None:
    """A wallet's Authorization Error Response (OpenID4VP 1.0 §8.2, §8.5) for an open request of
    ``verifier``: acknowledged, nothing stored (the request stays open until it expires).

    Raises :class:`~verifiers.errors.AuthorizationResponseRefused` for an unknown, another
    verifier's, expired or answered ``state``.
    """
    try:
        row = load_request(session, request_id=state, verifier_id=verifier.id)
    except RequestNotFound:
        raise StateUnknown("the state names no open request of this verifier") from None
    if status_of(row, require_aware(now)) != "pending":
        raise ResponseForExpiredRequest("the request is no longer open")
