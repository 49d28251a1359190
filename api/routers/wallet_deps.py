"""Dependencies of the wallet routes: the current holder, clock, language, and the composition
points where the wallet meets the other services.

Composition points (the wallet never imports another service; the API hands functions in):

- :func:`credential_checker`: the verification gate the wallet receives and imports through
  (:class:`wallet.checker.CredentialChecker`). Until it is pointed at the verifiers service's
  gate it fails closed: every receipt answers 503 ``credential_check_unavailable``.
- :func:`presentation_requests`: finds a verifier's request for the wallet and submits the
  person's answer (:class:`RequestSource`). Until it is pointed at the verifiers service it
  finds nothing (404 ``presentation_request_not_found``).

Tests override these (``app.dependency_overrides``), as they do the clock and the argon2 cost.
"""

from datetime import UTC, datetime
from typing import Annotated, Any, Protocol

from fastapi import Depends, Header, Query
from sqlmodel import Session

from api.auth import BearerToken
from api.deps import SessionDep, SettingsDep
from credentials.keys import JWK
from schemas.type_metadata import primary_language
from wallet.accounts import Argon2Parameters
from wallet.checker import CheckedCredential, CredentialChecker
from wallet.errors import CredentialCheckUnavailable, PresentationRequestNotFound
from wallet.requests import PresentationRequest
from wallet.tokens import authenticate_access


def current_time() -> datetime:
    """The wall clock, UTC (the one place the wallet's routes read it)."""
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(current_time)]


def argon2_parameters() -> Argon2Parameters:
    """argon2id cost for passwords: RFC 9106 defaults (tests override with cheaper ones)."""
    return Argon2Parameters()


Argon2Dep = Annotated[Argon2Parameters, Depends(argon2_parameters)]


def current_holder(token: BearerToken, session: SessionDep, now: NowDep) -> str:
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


def _unavailable(credential: str, *, holder_jwk: JWK, now: datetime) -> CheckedCredential:
    raise CredentialCheckUnavailable("Credentials cannot be verified right now; try again later.")


def credential_checker(session: SessionDep, settings: SettingsDep) -> CredentialChecker:
    """The verification gate for receipts and imports (composition point; fails closed)."""
    return _unavailable


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


class _NoRequests:
    def find(self, session: Session, *, request_id: str, now: datetime) -> PresentationRequest:
        raise PresentationRequestNotFound("There is no such presentation request.")

    def submit(
        self,
        session: Session,
        *,
        request_id: str,
        vp_token: dict[str, list[str]],
        now: datetime,
    ) -> dict[str, Any] | None:
        raise PresentationRequestNotFound("There is no such presentation request.")


def presentation_requests(session: SessionDep, settings: SettingsDep) -> RequestSource:
    """The verifiers' requests as the wallet sees them (composition point; finds nothing)."""
    return _NoRequests()


RequestSourceDep = Annotated[RequestSource, Depends(presentation_requests)]
