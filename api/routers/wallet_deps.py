"""Dependencies of the wallet routes: the current holder, clock, language, and the composition
points where the wallet meets the other services.

Composition points (the wallet never imports another service; the API hands functions in):

- :func:`credential_checker`: the verification gate the wallet receives and imports through
  (:class:`wallet.checker.CredentialChecker`), backed by the verifiers service's one gate
  (``verifiers.receiving.check_received_credential``, THREATS.md promise 1).
- :func:`presentation_requests`: finds a verifier's request for the wallet and submits the
  person's answer (:class:`RequestSource`), backed by ``verifiers.presentation_requests`` and
  ``verifiers.submissions``.

Tests override these (``app.dependency_overrides``), as they do the clock and the argon2 cost.
"""

from datetime import UTC, datetime
from typing import Annotated, Any, Protocol

from fastapi import Depends, Header, Query
from sqlmodel import Session

from api.auth import AccessToken
from api.deps import KEKDep, SessionDep, SettingsDep
from api.routers.verifiers import SourcesDep
from credentials.keys import JWK
from schemas.type_metadata import primary_language
from verifiers.errors import RequestNotFound as VerifierRequestNotFound
from verifiers.issuer_trust import Sources
from verifiers.language import DEFAULT_LANGUAGE
from verifiers.presentation_requests import request_public_view
from verifiers.receiving import check_received_credential
from verifiers.submissions import submit_request_response
from wallet.accounts import Argon2Parameters
from wallet.checker import CheckedCredential, CredentialChecker
from wallet.errors import PresentationRequestNotFound
from wallet.request_answers import PresentationRequest
from wallet.tokens import authenticate_access


def current_time() -> datetime:
    """The wall clock, UTC (the one place the wallet's routes read it)."""
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(current_time)]


def argon2_parameters() -> Argon2Parameters:
    """argon2id cost for passwords: RFC 9106 defaults (tests override with cheaper ones)."""
    return Argon2Parameters()


Argon2Dep = Annotated[Argon2Parameters, Depends(argon2_parameters)]


def current_holder(token: AccessToken, session: SessionDep, now: NowDep) -> str:
    """The holder id of the request's access token; 401 problem when missing or not live."""
    return authenticate_access(session, access_token=token, now=now)


CurrentHolder = Annotated[str, Depends(current_holder)]


def language(
    lang: Annotated[str | None, Query(max_length=35)] = None,
    accept_language: Annotated[str | None, Header(alias="Accept-Language")] = None,
) -> str:
    """``fi``, ``sv`` or ``en`` from ``?lang=`` or the first supported ``Accept-Language``."""
    if lang:
        return primary_language(lang)
    for part in (accept_language or "").split(",")[:10]:
        tag = part.split(";", 1)[0].strip()
        if tag and primary_language(tag) == tag.split("-", 1)[0].lower():
            return primary_language(tag)
    return "en"


LanguageDep = Annotated[str, Depends(language)]


def credential_checker(
    session: SessionDep, settings: SettingsDep, sources: SourcesDep
) -> CredentialChecker:
    """The verification gate for receipts and imports: the verifiers service's one gate."""

    def check(credential: str, *, holder_jwk: JWK, now: datetime) -> CheckedCredential:
        received = check_received_credential(
            session,
            credential,
            holder_jwk=holder_jwk,
            sources=sources,
            language=DEFAULT_LANGUAGE,
            base_url=settings.base_url,
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


CheckerDep = Annotated[CredentialChecker, Depends(credential_checker)]


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


class _VerifierRequests:
    """The verifiers service's requests, as the wallet sees and answers them."""

    def __init__(self, *, sources: Sources, kek: bytes, base_url: str) -> None:
        self.sources = sources
        self.kek = kek
        self.base_url = base_url

    def find(self, session: Session, *, request_id: str, now: datetime) -> PresentationRequest:
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


def presentation_requests(settings: SettingsDep, sources: SourcesDep, kek: KEKDep) -> RequestSource:
    """The verifiers' requests as the wallet sees them."""
    return _VerifierRequests(sources=sources, kek=kek, base_url=settings.base_url)


RequestSourceDep = Annotated[RequestSource, Depends(presentation_requests)]
