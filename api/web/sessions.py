"""Who is signed in, and the CSRF check of every form that changes something.

- The session cookie (``taito_session``) holds a random value the wallet stores only hashed
  (:mod:`wallet.web_sessions`); it is HttpOnly, SameSite=Lax, path ``/``, and Secure except on
  a non-production instance served over plain http (``make run`` on 127.0.0.1).
- CSRF: the signed double-submit pattern (OWASP CSRF Cheat Sheet). A random ``taito_csrf``
  cookie (HttpOnly, SameSite=Lax) seeds the form token ``HMAC(key, seed)``, the key derived
  from the KEK; a form is accepted only when its ``csrf_token`` field matches the cookie's
  HMAC. Signing in or out replaces the seed. Missing or wrong: 403, nothing changed.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Annotated, Final

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from api.deps import KEKDep, SessionDep
from api.settings import Environment, Settings
from credentials.errors import TaitoError
from wallet.errors import AccessTokenInvalid
from wallet.web_sessions import web_session_holder

SESSION_COOKIE: Final = "taito_session"
CSRF_COOKIE: Final = "taito_csrf"
CSRF_FIELD: Final = "csrf_token"
MAX_FORM_FIELDS: Final = 400
MAX_FORM_PART_BYTES: Final = 64 * 1024


class SignInRequired(TaitoError):
    """The page needs a signed-in person; pages answer with a redirect to ``/login``."""

    code = "sign_in_required"
    title = "Sign in to see this page"
    status = 401


class FormRejected(TaitoError):
    """The form's CSRF token is missing or wrong (it came from elsewhere or is too old)."""

    code = "csrf_failed"
    title = "The form could not be accepted"
    status = 403


def cookie_is_secure(request: Request, settings: Settings) -> bool:
    """Secure cookies everywhere except a non-production instance on plain http."""
    if settings.environment is Environment.PRODUCTION:
        return True
    return request.url.scheme == "https"


def set_cookie(
    response: Response, request: Request, settings: Settings, *, name: str, value: str
) -> None:
    """A browser-session cookie with the attributes above."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=cookie_is_secure(request, settings),
        path="/",
    )


def _csrf_key(kek: bytes) -> bytes:
    return hmac.new(kek, b"taito-web-csrf-v1", hashlib.sha256).digest()


def csrf_seed(request: Request) -> str:
    """This browser's CSRF seed: the cookie's, or a new one (set by the page response)."""
    seed = getattr(request.state, "csrf_seed", None)
    if isinstance(seed, str):
        return seed
    cookie = request.cookies.get(CSRF_COOKIE, "")
    seed = cookie if 20 <= len(cookie) <= 100 else secrets.token_urlsafe(32)
    request.state.csrf_seed = seed
    return seed


def renew_csrf_seed(request: Request) -> str:
    """A fresh seed (at sign-in and sign-out), replacing the cookie's."""
    seed = secrets.token_urlsafe(32)
    request.state.csrf_seed = seed
    return seed


def csrf_token(seed: str, *, kek: bytes) -> str:
    """The form token for ``seed``."""
    return hmac.new(_csrf_key(kek), seed.encode(), hashlib.sha256).hexdigest()


async def checked_form(request: Request, kek: KEKDep) -> FormData:
    """The posted form, after its CSRF token matched this browser's seed.

    Raises :class:`FormRejected` (403) when the cookie or the field is missing or wrong.
    """
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_PART_BYTES)
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get(CSRF_FIELD)
    if not cookie or not isinstance(sent, str) or not sent:
        raise FormRejected("The form has no security token.")
    if not hmac.compare_digest(sent.encode(), csrf_token(cookie, kek=kek).encode()):
        raise FormRejected("The form's security token is not valid.")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def signed_in_holder(request: Request, session: SessionDep) -> str | None:
    """The holder id of this browser's live session, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return web_session_holder(session, token=token, now=datetime.now(UTC))
    except AccessTokenInvalid:
        return None


def current_person(request: Request, session: SessionDep) -> str:
    """The signed-in holder; :class:`SignInRequired` (a redirect to ``/login``) otherwise."""
    holder = signed_in_holder(request, session)
    if holder is None:
        raise SignInRequired("Sign in to see this page.")
    return holder


MaybePerson = Annotated[str | None, Depends(signed_in_holder)]
CurrentPerson = Annotated[str, Depends(current_person)]
