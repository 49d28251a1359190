"""Wallet accounts: ``/v1/auth/register``, ``/login``, ``/refresh``, ``/logout``, ``/password``.

Access tokens (``tat_``, 15 minutes) and rotating refresh tokens (``trt_``, 30 days) are opaque;
reusing a rotated refresh token ends every session of its family (401). Changing the password
takes the current one again and ends every session (a new pair is returned). Failed logins slow
further attempts down per address and per account (429 with ``Retry-After``) without locking
anyone out, too many passwords checked at once answer 503 with ``Retry-After``, and no answer
tells whether an account exists (wallet.accounts). Token responses are ``no-store`` (RFC 6749 §5.1).
"""

from fastapi import APIRouter, Response, status

from api.auth import AccessToken
from api.deps import KEKDep, SessionDep
from api.edge import StrictRoute
from api.routers.wallet_deps import ClientAddressDep, CurrentHolder, NowDep, PasswordHashingDep
from api.routers.wallet_models import Credentials, PasswordChangeIn, RefreshIn, TokensOut
from wallet.accounts import PasswordAuthenticator, register
from wallet.reauthentication import change_password
from wallet.tokens import TokenPair, login, logout, refresh_tokens

router = APIRouter(route_class=StrictRoute, prefix="/v1/auth", tags=["wallet", "wallet accounts"])


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
    hashing: PasswordHashingDep,
    client: ClientAddressDep,
    now: NowDep,
) -> TokensOut:
    """Create a wallet (with its holder key) and log it in."""
    registration = register(
        session,
        username=body.username,
        password=body.password,
        kek=kek,
        hashing=hashing,
        client=client,
        now=now,
    )
    return _tokens(registration.tokens, response)


@router.post("/login")
def log_in(
    body: Credentials,
    response: Response,
    session: SessionDep,
    kek: KEKDep,
    hashing: PasswordHashingDep,
    client: ClientAddressDep,
    now: NowDep,
) -> TokensOut:
    """Log in with username and password."""
    authenticator = PasswordAuthenticator(body.username, body.password, kek, hashing, client)
    return _tokens(login(session, authenticator=authenticator, now=now), response)


@router.post("/refresh")
def refresh(body: RefreshIn, response: Response, session: SessionDep, now: NowDep) -> TokensOut:
    """Swap a refresh token for a new pair; the old refresh token is spent."""
    return _tokens(refresh_tokens(session, refresh_token=body.refresh_token, now=now), response)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def log_out(token: AccessToken, session: SessionDep, now: NowDep) -> None:
    """End the session of the access token used (its whole token family)."""
    logout(session, access_token=token, now=now)


@router.post("/password")
def change_own_password(
    body: PasswordChangeIn,
    response: Response,
    holder: CurrentHolder,
    session: SessionDep,
    kek: KEKDep,
    hashing: PasswordHashingDep,
    client: ClientAddressDep,
    now: NowDep,
) -> TokensOut:
    """Change the password (the current one again); every session ends, a new pair is returned."""
    tokens = change_password(
        session,
        holder_id=holder,
        current_password=body.current_password,
        new_password=body.new_password,
        kek=kek,
        hashing=hashing,
        client=client,
        now=now,
    )
    return _tokens(tokens, response)
