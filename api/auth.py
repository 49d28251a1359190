"""Bearer credentials at the edge: extracting them and the admin check.

Issuer, verifier and wallet credentials are checked by their services (which own the tables);
this module only reads the ``Authorization`` header and answers 401 the same way everywhere.
"""

import hmac
from typing import Annotated, ClassVar

from fastapi import Depends, Request

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


BearerToken = Annotated[str, Depends(_bearer_token)]


async def require_admin(token: BearerToken, settings: SettingsDep) -> None:
    """Allow only the configured admin token (constant-time comparison)."""
    expected = settings.admin_token
    if expected is None or not hmac.compare_digest(
        token.encode(), expected.get_secret_value().encode()
    ):
        raise Unauthenticated("The admin token is missing or not valid.")


AdminDep = Annotated[None, Depends(require_admin)]
