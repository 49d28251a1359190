"""Dependencies of the wallet routes: the current holder, the clock, the argon2 cost, and the
ports through which the wallet's flows reach the verifiers (``api.flows.ports``).

Tests override these (``app.dependency_overrides``): the clock, the argon2 cost, the credential
checker and the request source.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

from api.auth import AccessToken
from api.deps import KEKDep, SessionDep, SettingsDep, SourcesDep
from api.flows.ports import RequestSource, VerifierRequests
from api.flows.ports import credential_checker as gate_checker
from wallet.accounts import Argon2Parameters
from wallet.checker import CredentialChecker
from wallet.passwords import HashingSlots, PasswordHashing
from wallet.tokens import authenticate_access


def current_time() -> datetime:
    """The wall clock, UTC (the one place the wallet's routes read it)."""
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(current_time)]


def argon2_parameters() -> Argon2Parameters:
    """argon2id cost for passwords: RFC 9106 defaults (tests override with cheaper ones)."""
    return Argon2Parameters()


Argon2Dep = Annotated[Argon2Parameters, Depends(argon2_parameters)]


def password_hashing(request: Request, argon2: Argon2Dep) -> PasswordHashing:
    """argon2id at ``argon2``'s cost, inside the app's bound on concurrent hashes."""
    slots = request.app.state.hashing_slots
    assert isinstance(slots, HashingSlots)
    return PasswordHashing(hasher=argon2.hasher(), slots=slots)


PasswordHashingDep = Annotated[PasswordHashing, Depends(password_hashing)]


def client_address(request: Request) -> str:
    """The address the request came from, as the server sees it (rate limits count by it).

    Behind a reverse proxy this is the proxy, unless uvicorn is told to trust its
    ``X-Forwarded-For`` (``--forwarded-allow-ips``; docs/security.md).
    """
    return request.client.host if request.client is not None else "unknown"


ClientAddressDep = Annotated[str, Depends(client_address)]


def current_holder(token: AccessToken, session: SessionDep, now: NowDep) -> str:
    """The holder id of the request's access token; 401 problem when missing or not live."""
    return authenticate_access(session, access_token=token, now=now)


CurrentHolder = Annotated[str, Depends(current_holder)]


def credential_checker(
    session: SessionDep, settings: SettingsDep, sources: SourcesDep
) -> CredentialChecker:
    """The verification gate for receipts and imports: the verifiers service's one gate."""
    return gate_checker(session, sources=sources, base_url=settings.base_url)


CheckerDep = Annotated[CredentialChecker, Depends(credential_checker)]


def presentation_requests(settings: SettingsDep, sources: SourcesDep, kek: KEKDep) -> RequestSource:
    """The verifiers' requests as the wallet sees them."""
    return VerifierRequests(sources=sources, kek=kek, base_url=settings.base_url)


RequestSourceDep = Annotated[RequestSource, Depends(presentation_requests)]
