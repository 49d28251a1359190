"""Signing in and out in a browser, the same for people (``/login``) and staff (``/org/login``).

The two realms differ only in their authenticator, their session cookie and where they land:
the fields are checked the same way, a failed attempt answers with the same statuses and
messages (401 wrong, 429 throttled, 503 busy; nothing tells whether the username exists), and
a new or ended session replaces the CSRF seed, so a form page opened before cannot be posted
with the other session's token.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi.responses import RedirectResponse

from api.deps import SettingsDep
from api.web.rendering import Page
from api.web.sessions import CSRF_COOKIE, renew_csrf_seed, set_cookie
from wallet.errors import AuthenticationBusy, AuthenticationFailed, LoginThrottled


@dataclass(frozen=True)
class SignInAttempt:
    """A session token, or the errors to show at the fields and the status to answer with."""

    token: str | None
    errors: list[tuple[str, str]] = field(default_factory=list)
    status: int = 200


def attempt_sign_in(
    page: Page, *, username: str, password: str, start: Callable[[str, str], str]
) -> SignInAttempt:
    """Check that both fields are filled, then ``start(username, password)`` a session.

    ``start`` returns the new session's token and raises the realm's authentication errors
    (:class:`AuthenticationFailed`, :class:`LoginThrottled`, :class:`AuthenticationBusy`),
    which become messages at the username field.
    """
    errors: list[tuple[str, str]] = []
    if not username.strip():
        errors.append(("username", page._("Enter your username")))
    if not password:
        errors.append(("password", page._("Enter your password")))
    if errors:
        return SignInAttempt(None, errors, 422)
    try:
        return SignInAttempt(start(username, password))
    except AuthenticationFailed:
        return SignInAttempt(
            None, [("username", page._("The username or password is not correct"))], 401
        )
    except LoginThrottled:
        message = page._("Too many failed sign-ins. Wait a minute and try again.")
        return SignInAttempt(None, [("username", message)], 429)
    except AuthenticationBusy:
        message = page._("Many people are signing in right now. Try again in a moment.")
        return SignInAttempt(None, [("username", message)], 503)


def signed_in(
    page: Page, settings: SettingsDep, *, cookie: str, token: str, target: str
) -> RedirectResponse:
    """Go to ``target`` with the session in ``cookie`` and a new CSRF seed."""
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, page.request, settings, name=cookie, value=token)
    seed = renew_csrf_seed(page.request)
    set_cookie(response, page.request, settings, name=CSRF_COOKIE, value=seed)
    return response


def signed_out(page: Page, settings: SettingsDep, *, cookie: str, target: str) -> RedirectResponse:
    """Go to ``target`` without the session ``cookie`` and with a new CSRF seed."""
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(cookie, path="/")
    seed = renew_csrf_seed(page.request)
    set_cookie(response, page.request, settings, name=CSRF_COOKIE, value=seed)
    return response
