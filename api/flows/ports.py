"""How one service reaches another: the API hands each service a function, never a module.

Services never import each other (docs/architecture.md, "Layers"). Where the wallet needs the
verifiers, the flows hand it one of these adapters:

- :func:`credential_checker`: the verification gate the wallet receives and imports through
  (:class:`wallet.checker.CredentialChecker`), backed by the verifiers' gate
  (``verifiers.receiving.check_received_credential``; docs/security.md);
- :class:`VerifierRequests`: finds a verifier's request for the wallet and delivers the person's
  answer (:class:`RequestSource`), backed by ``verifiers.presentation_requests`` and
  ``verifiers.submissions``.

Tests hand in their own (through ``app.dependency_overrides`` on the wallet's dependencies).
"""

from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session

from credentials.keys import JWK
from verifiers.errors import RequestNotFound as VerifierRequestNotFound
from verifiers.issuer_trust import Sources
from verifiers.language import DEFAULT_LANGUAGE, Language
from verifiers.presentation_requests import request_public_view
from verifiers.receiving import check_received_credential
from verifiers.submissions import submit_request_response
from wallet.checker import CheckedCredential, CredentialChecker
from wallet.errors import PresentationRequestNotFound
from wallet.request_answers import PresentationRequest


def credential_checker(
    session: Session, *, sources: Sources, base_url: str, language: Language = DEFAULT_LANGUAGE
) -> CredentialChecker:
    """The verifiers' gate as the wallet's :class:`~wallet.checker.CredentialChecker`.

    ``language`` is that of the refusal reasons (the pages show them to the person).
    """

    def check(credential: str, *, holder_jwk: JWK, now: datetime) -> CheckedCredential:
        received = check_received_credential(
            session,
            credential,
            holder_jwk=holder_jwk,
            sources=sources,
            language=language,
            base_url=base_url,
            now=now,
        )
        return CheckedCredential(
            format=received.format,
            issuer=received.issuer,
            issuer_name=received.issuer_name,
            vct=received.vct,
            claims=received.claims,
            valid_from=received.valid_from,
            valid_until=received.valid_until,
            status=received.status,
        )

    return check


class RequestSource(Protocol):
    """Where the wallet finds a verifier's request and sends the person's answer."""

    def find(self, session: Session, *, request_id: str, now: datetime) -> PresentationRequest: ...

    def submit(
        self,
        session: Session,
        *,
        request_id: str,
        vp_token: dict[str, list[str]],
        now: datetime,
    ) -> dict[str, Any] | None: ...


class VerifierRequests:
    """The verifiers service's requests, as the wallet sees and answers them."""

    def __init__(self, *, sources: Sources, kek: bytes, base_url: str) -> None:
        self.sources = sources
        self.kek = kek
        self.base_url = base_url

    def find(self, session: Session, *, request_id: str, now: datetime) -> PresentationRequest:
        """The request as the wallet needs it. Raises :class:`PresentationRequestNotFound`."""
        try:
            view = request_public_view(
                session, request_id=request_id, base_url=self.base_url, now=now
            )
        except VerifierRequestNotFound:
            raise PresentationRequestNotFound("There is no such presentation request.") from None
        return PresentationRequest(
            request_id=view.id,
            audience=view.audience,
            nonce=view.nonce,
            query=view.query,
            purpose=view.purpose,
            verifier_name=view.verifier_name,
            expires_at=view.expires_at,
        )

    def submit(
        self,
        session: Session,
        *,
        request_id: str,
        vp_token: dict[str, list[str]],
        now: datetime,
    ) -> dict[str, Any] | None:
        """Deliver the answer through the verifiers' gate; the report as JSON."""
        report = submit_request_response(
            session,
            request_id=request_id,
            vp_token=vp_token,
            sources=self.sources,
            kek=self.kek,
            base_url=self.base_url,
            now=now,
        )
        return report.to_json()
