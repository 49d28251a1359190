"""Bearer credentials at the edge: extracting them and the admin check.

Issuer, verifier and wallet credentials are checked by their services (which own the tables);
this module only reads the ``Authorization`` header and answers 401 the same way everywhere.
"""

import hmac
from typing import Annotated, ClassVar

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import SettingsDep
from credentials.errors import TaitoError


class Unauthenticated(TaitoError):
    code = "unauthenticated"
    title = "Authentication is required"
    status = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": "Bearer"}


def bearer_token(request: Request) -> str:
    """The token of ``Authorization: Bearer <token>``; 401 problem when absent or malformed."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 512:
        raise Unauthenticated("Send your credential as 'Authorization: Bearer <token>'.")
    return token


async def _bearer_token(request: Request) -> str:
    # A dependency of pure CPU work: ``async`` keeps it on the event loop, off the thread pool.
    return bearer_token(request)


# One documented scheme per kind of token, so that /docs offers each under "Authorize" and every
# operation names the one it takes. They only document: :func:`bearer_token` reads the header and
# answers 401 (``auto_error=False`` keeps FastAPI's own 403 out).
_ISSUER_KEY = HTTPBearer(
    scheme_name="issuer_api_key",
    description="An issuer's API key (tik_...), on /v1/issuers/{slug}/... of that issuer.",
    auto_error=False,
)
_VERIFIER_KEY = HTTPBearer(
    scheme_name="verifier_api_key",
    description="A verifier's API key (tvk_...): /v1/verifiers/{slug}/... and /v1/verifications.",
    auto_error=False,
)
_ACCESS_TOKEN = HTTPBearer(
    scheme_name="wallet_access_token",
    description="A wallet access token (tat_...) from /v1/auth/login, for /v1/wallet/...",
    auto_error=False,
)
_ADMIN_TOKEN = HTTPBearer(
    scheme_name="admin_token",
    description="The instance's admin token (TAITO_ADMIN_TOKEN), for /v1/admin/...",
    auto_error=False,
)
_Documented = HTTPAuthorizationCredentials | None


async def issuer_key(request: Request, _: Annotated[_Documented, Security(_ISSUER_KEY)]) -> str:
    """The bearer token, documented as an issuer's API key."""
    return bearer_token(request)


async def verifier_key(request: Request, _: Annotated[_Documented, Security(_VERIFIER_KEY)]) -> str:
    """The bearer token, documented as a verifier's API key."""
    return bearer_token(request)


async def access_token(request: Request, _: Annotated[_Documented, Security(_ACCESS_TOKEN)]) -> str:
    """The bearer token, documented as a wallet access token."""
    return bearer_token(request)


async def admin_token(request: Request, _: Annotated[_Documented, Security(_ADMIN_TOKEN)]) -> str:
    """The bearer token, documented as the admin token."""
    return bearer_token(request)


IssuerKey = Annotated[str, Depends(issuer_key)]
VerifierKey = Annotated[str, Depends(verifier_key)]
AccessToken = Annotated[str, Depends(access_token)]
AdminToken = Annotated[str, Depends(admin_token)]
BearerToken = Annotated[str, Depends(_bearer_token)]


async def require_admin(token: AdminToken, settings: SettingsDep) -> None:
    """Allow only the configured admin token (constant-time comparison)."""
    expected = settings.admin_token
    if expected is None or not hmac.compare_digest(
        token.encode(), expected.get_secret_value().encode()
    ):
        raise Unauthenticated("The admin token is missing or not valid.")


AdminDep = Annotated[None, Depends(require_admin)]
