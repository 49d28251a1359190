"""Wallet accounts: ``/v1/auth/register``, ``/login``, ``/refresh``, ``/logout``.

Access tokens (``tat_``, 15 minutes) and rotating refresh tokens (``trt_``, 30 days) are opaque;
reusing a rotated refresh token ends every session of its family (401). Five failed logins lock
the account for 15 minutes (429 with ``Retry-After``). Token responses are ``no-store``
(RFC 6749 §5.1).
"""

from fastapi import APIRouter, Response, status

from api.auth import AccessToken
from api.deps import KEKDep, SessionDep
from api.edge import StrictRoute
from api.routers.wallet_deps import Argon2Dep, NowDep
from api.routers.wallet_models import Credentials, RefreshIn, TokensOut
from wallet.accounts import PasswordAuthenticator, register
from wallet.tokens import TokenPair, login, logout, refresh_tokens

router = APIRouter(route_class=StrictRoute, prefix="/v1/auth", tags=["wallet accounts"])


def _tokens(pair: TokenPair, response: Response) -> TokensOut:
    response.headers["Cache-Control"] = "no-store"
    return TokensOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        token_type="Bearer",  # noqa: S106 - the OAuth token type, not a secret
        expires_in=pair.expires_in,
        refresh_expires_in=pair.refresh_expires_in,
    )


@router.post("/register", status_code=status.HTTP_201_CREATED)
def register_account(
    body: Credentials,
    response: Response,
    session: SessionDep,
    kek: KEKDep,
    argon2: Argon2Dep,
    now: NowDep,
) -> TokensOut:
    """Create a wallet (with its holder key) and log it in."""
    registration = register(
        session, username=body.username, password=body.password, kek=kek, argon2=argon2, now=now
    )
    return _tokens(registration.tokens, response)


@router.post("/login")
def log_in(
    body: Credentials,
    response: Response,
    session: SessionDep,
    kek: KEKDep,
    argon2: Argon2Dep,
    now: NowDep,
) -> TokensOut:
    """Log in with username and password."""
    authenticator = PasswordAuthenticator(body.username, body.password, kek, argon2)
    return _tokens(login(session, authenticator=authenticator, now=now), response)


@router.post("/refresh")
def refresh(body: RefreshIn, response: Response, session: SessionDep, now: NowDep) -> TokensOut:
    """Swap a refresh token for a new pair; the old refresh token is spent."""
    return _tokens(refresh_tokens(session, refresh_token=body.refresh_token, now=now), response)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def log_out(token: AccessToken, session: SessionDep, now: NowDep) -> None:
    """End the session of the access token used (its whole token family)."""
    logout(session, access_token=token, now=now)
