"""Open and answer a request from a verifier anywhere (an ``openid4vp://`` link).

Each step fetches the Request Object afresh through the SSRF-safe fetcher and authenticates it
(:mod:`wallet.outside_requests`): nothing of an unauthenticated request is shown or kept. The
answer is built by the wallet from the person's approvals (only those claims, KB-JWT for the
verifier's Client Identifier and nonce) and posted to the verifier's ``response_uri``
(OpenID4VP 1.0 §8.2); the wallet's log entry is committed only once the verifier accepted it.

No transaction is open while the wallet waits for a verifier: each network step comes after
the request's session ended what the dependencies began (:func:`_end_reads`). A verifier may
answer slowly, and on SQLite a transaction holds the one write lock (docs/architecture.md), so a
verifier on this same instance could otherwise never answer.
"""

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cryptography import x509
from sqlmodel import Session

from api.flows.transaction import transaction
from credentials.errors import FetchFailed
from verifiers.fetching import Fetched
from wallet.errors import OutsideRequestInvalid, OutsideRequestUnreachable, OutsideResponseRefused
from wallet.outside_requests import (
    OutsideRequest,
    authenticate_request_object,
    parse_link,
    response_fields,
)
from wallet.request_answers import (
    Approval,
    RequestMatch,
    match_request,
    prepare_answer,
    record_answer,
)

REQUEST_OBJECT_MEDIA = "application/oauth-authz-req+jwt"


class FormFetcher(Protocol):
    """GET and form POST under the fetcher's rules (:class:`api.fetch.RemoteFetcher`)."""

    def __call__(self, url: str) -> Fetched: ...

    def post_form(self, url: str, fields: Mapping[str, str], *, accept: str = "*/*") -> Fetched: ...


@dataclass(frozen=True)
class VerifierAccess:
    """How the wallet reaches verifiers: the fetcher, its trust anchors, loopback or not."""

    fetcher: FormFetcher
    anchors: tuple[x509.Certificate, ...]
    allow_loopback_http: bool


@dataclass(frozen=True)
class OutsideAnswer:
    """What the person sees after answering: declined or not, and where the verifier leads."""

    declined: bool
    redirect_uri: str | None
    verifier_name: str


def _end_reads(session: Session) -> None:
    """End the transaction the request's dependencies or a read step began (nothing is pending:
    steps that write commit through :func:`transaction`)."""
    with transaction(session):
        pass


def fetch_outside_request(link: str, *, access: VerifierAccess, now: datetime) -> OutsideRequest:
    """Fetch the Request Object the link names and authenticate it (OpenID4VP 1.0 §5.10).

    Raises :class:`OutsideRequestInvalid` and :class:`OutsideRequestUnreachable`.
    """
    parsed = parse_link(link)
    wallet_nonce = None
    try:
        if parsed.request_uri_method == "post":
            wallet_nonce = secrets.token_urlsafe(16)
            fetched = access.fetcher.post_form(
                parsed.request_uri, {"wallet_nonce": wallet_nonce}, accept=REQUEST_OBJECT_MEDIA
            )
        else:
            fetched = access.fetcher(parsed.request_uri)
        token = fetched.body.decode("ascii").strip()
    except FetchFailed:
        raise OutsideRequestUnreachable("The verifier's request could not be fetched.") from None
    except UnicodeDecodeError:
        raise OutsideRequestInvalid("The verifier's request is not a JWT.") from None
    return authenticate_request_object(
        token,
        link=parsed,
        anchors=access.anchors,
        wallet_nonce=wallet_nonce,
        allow_loopback_http=access.allow_loopback_http,
        now=now,
    )


def open_outside_request(
    session: Session,
    *,
    holder_id: str,
    link: str,
    access: VerifierAccess,
    kek: bytes,
    base_url: str,
    lang: str,
    now: datetime,
) -> tuple[OutsideRequest, RequestMatch]:
    """The authenticated request and what each held credential would reveal; reads only.

    Raises as :func:`fetch_outside_request` and :func:`~wallet.request_answers.match_request`.
    """
    _end_reads(session)
    outside = fetch_outside_request(link, access=access, now=now)
    match = match_request(
        session,
        holder_id=holder_id,
        request=outside.request,
        kek=kek,
        base_url=base_url,
        lang=lang,
        now=now,
    )
    return outside, match


def answer_outside_request(
    session: Session,
    *,
    holder_id: str,
    link: str,
    approvals: Sequence[Approval],
    access: VerifierAccess,
    kek: bytes,
    now: datetime,
) -> OutsideAnswer:
    """Present only the approved claims and post them to the verifier, then log the answer.

    No approvals declines: the verifier is told ``access_denied`` (OpenID4VP 1.0 §8.5). The
    answer is logged once the verifier accepted it; a refused post logs nothing. Raises as
    :func:`fetch_outside_request` and :func:`~wallet.request_answers.answer_request`, and
    :class:`OutsideResponseRefused`.
    """
    _end_reads(session)
    outside = fetch_outside_request(link, access=access, now=now)
    prepared = prepare_answer(
        session,
        holder_id=holder_id,
        request=outside.request,
        approvals=approvals,
        kek=kek,
        now=now,
    )
    _end_reads(session)
    fields = response_fields(outside, vp_token=None if prepared.declined else prepared.vp_token)
    try:
        reply = access.fetcher.post_form(outside.response_uri, fields)
        body = json.loads(reply.body) if reply.body.strip() else {}
    except (FetchFailed, ValueError, RecursionError):
        raise OutsideResponseRefused("The verifier did not accept the answer.") from None
    with transaction(session):
        record_answer(
            session,
            holder_id=holder_id,
            request=outside.request,
            prepared=prepared,
            kek=kek,
            now=now,
        )
    redirect = body.get("redirect_uri") if isinstance(body, dict) else None
    return OutsideAnswer(
        declined=prepared.declined,
        verifier_name=outside.verifier_name,
        redirect_uri=redirect
        if isinstance(redirect, str) and redirect.startswith("https://")
        else None,
    )
