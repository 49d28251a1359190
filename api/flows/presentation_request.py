"""Ask a person for credentials: a presentation request and, where configured, its OpenID4VP link.

``POST /v1/verifiers/{slug}/requests`` and the verifier staff's page ``/org/{slug}/requests/new``
ask through this one function, so both give the same request: Taito's own link for the person's
wallet and the signed Authorization Request any wallet opens (OpenID4VP 1.0 §5).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from verifiers.language import Language
from verifiers.openid4vp import AuthorizationRequest, authorization_request
from verifiers.organisations import VerifierInfo
from verifiers.presentation_requests import CreatedRequest, ResponseMode, create_request
from verifiers.request_objects import RequestSigner


@dataclass(frozen=True)
class AskedRequest:
    """The new request, and its OpenID4VP Authorization Request (``None``: no certificate)."""

    created: CreatedRequest
    openid4vp: AuthorizationRequest | None


def ask_for_credentials(
    session: Session,
    *,
    verifier: VerifierInfo,
    dcql_query: object,
    form: object,
    purpose: str,
    expires_in: timedelta,
    language: Language,
    signer: RequestSigner | None,
    base_url: str,
    now: datetime,
    response_mode: ResponseMode = "direct_post",
) -> AskedRequest:
    """Create the request (the verifiers commit it) and its Authorization Request.

    Raises as :func:`~verifiers.presentation_requests.create_request`.
    """
    created = create_request(
        session,
        verifier=verifier,
        dcql_query=dcql_query,
        form=form,
        purpose=purpose,
        expires_in=expires_in,
        language=language,
        base_url=base_url,
        now=now,
        response_mode=response_mode,
    )
    openid4vp = None
    if signer is not None:
        openid4vp = authorization_request(
            verifier=verifier, request_id=created.id, signer=signer, base_url=base_url
        )
    return AskedRequest(created=created, openid4vp=openid4vp)
