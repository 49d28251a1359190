"""Receive an OpenID4VP response: a wallet's ``direct_post`` (or ``direct_post.jwt``) to a
verifier's Response URI."""

from datetime import datetime
from typing import Any

from sqlmodel import Session

from api.flows.transaction import transaction
from verifiers.errors import ResponseMalformed
from verifiers.issuer_trust import Sources
from verifiers.openid4vp import acknowledge_wallet_error
from verifiers.organisations import get_verifier
from verifiers.response_encryption import open_encrypted_response
from verifiers.submissions import receive_authorization_response


def answer_authorization_response(
    session: Session,
    *,
    slug: str,
    state: str | None,
    response: str | None,
    vp_token: str | None,
    wallet_error: str | None,
    client_id: str,
    sources: Sources,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> dict[str, Any]:
    """The verifiers' gate on the response, its outcome stored with the request; one transaction.

    OpenID4VP 1.0 §8.2: the JSON object the Response URI answers with (no ``redirect_uri``: the
    verifier reads the outcome from ``GET /v1/verifiers/{slug}/requests/{id}``). An encrypted
    ``response`` (§8.3.1) is decrypted with its request's key first and then goes the same way.
    A wallet's error response, encrypted or not (§8.3.1 allows a plain one), is acknowledged and
    stores nothing. Raises :class:`~verifiers.errors.VerifierNotFound` and
    :class:`~verifiers.errors.AuthorizationResponseRefused` (nothing stored).
    """
    with transaction(session):
        verifier = get_verifier(session, slug=slug, base_url=base_url)
        if response is not None:
            opened = open_encrypted_response(session, verifier=verifier, response=response, kek=kek)
            state, vp_token, wallet_error = opened.state, opened.vp_token, opened.error
        if state is None:
            raise ResponseMalformed("state is missing")
        if vp_token is None:
            if wallet_error is None:
                raise ResponseMalformed("vp_token is missing")
            acknowledge_wallet_error(session, verifier=verifier, state=state, now=now)
            return {}
        receive_authorization_response(
            session,
            verifier=verifier,
            client_id=client_id,
            state=state,
            vp_token=vp_token,
            encrypted=response is not None,
            sources=sources,
            kek=kek,
            base_url=base_url,
            now=now,
        )
    return {}
