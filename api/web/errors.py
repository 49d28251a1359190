"""Errors on pages: an HTML page in the person's language, never a problem+json body.

Taito's problem handlers answer every error of the JSON API. For the paths of the pages the
handlers installed here answer instead: a page that needs a signed-in person redirects to
``/login``; a refused form (CSRF) is a 403 page; anything else is a page with the same status
and a message chosen by the error's stable ``code`` (never the error's English detail).
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from api.web.language import LANGUAGE_COOKIE, N_, page_language
from api.web.rendering import Page, local_path
from api.web.sessions import SESSION_COOKIE, SignInRequired
from credentials.errors import TaitoError
from wallet.errors import AccessTokenInvalid
from wallet.web_sessions import web_session_holder

PAGE_PREFIXES: Final = (
    "/login",
    "/register",
    "/logout",
    "/language",
    "/wallet",
    "/s/",
    "/org",
    "/platform",
)

MESSAGES: Final[dict[str, str]] = {
    "csrf_failed": N_(
        "This form could not be accepted: it has expired or did not come from this page."
        " Go back, reload the page and try again."
    ),
    "credential_not_found": N_("There is no such credential in your wallet."),
    "share_not_found": N_("There is no such share."),
    "share_withdrawn": N_("The person who shared this has withdrawn it."),
    "share_expired": N_("This share has expired."),
    "share_views_exhausted": N_("This share has been opened as many times as the person allowed."),
    "presentation_request_not_found": N_("There is no such request."),
    "request_not_found": N_("There is no such request."),
    "presentation_request_expired": N_("This request has expired or has already been answered."),
    "request_expired": N_("This request has expired or has already been answered."),
    "skill_not_found": N_("There is no such skill in your profile."),
    "credential_check_unavailable": N_("Credentials cannot be checked right now. Try again later."),
    "login_throttled": N_("Too many failed sign-ins. Wait a minute and try again."),
    "organisation_not_found": N_("There is no such organisation, or you do not work for it."),
    "organisation_disabled": N_("This organisation is disabled. Ask the service's administrator."),
    "role_required": N_("Your role in this organisation does not allow this."),
    "staff_invite_invalid": N_(
        "This invitation link is not valid: it has been used or has expired. Ask for a new one."
    ),
    "staff_member_not_found": N_("There is no such staff member."),
    "issued_credential_not_found": N_("Your organisation has issued no credential with this id."),
    "status_change_refused": N_("A revoked credential cannot be suspended or reinstated."),
}
BY_STATUS: Final[dict[int, str]] = {
    400: N_("The request was not valid."),
    403: N_("You cannot do this."),
    404: N_("There is nothing at this address. Check the address or go back."),
    405: N_("This page cannot be used like that."),
    409: N_("This conflicts with what is already in your wallet."),
    410: N_("This is no longer available."),
    413: N_("What you sent is too large."),
    422: N_("Some of what you entered is not valid."),
    429: N_("Too many attempts. Wait a while and try again."),
}
TITLES: Final[dict[int, str]] = {
    403: N_("Not allowed"),
    404: N_("Page not found"),
    410: N_("No longer available"),
}


def is_page_path(path: str) -> bool:
    """Whether ``path`` belongs to the pages (not the JSON API or the public documents)."""
    return path == "/" or path.startswith(PAGE_PREFIXES)


def _page_for(request: Request) -> Page:
    settings = request.app.state.settings
    kek = request.app.state.kek
    engine = request.app.state.engine
    assert isinstance(engine, Engine)
    holder = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with Session(engine) as session:
            try:
                holder = web_session_holder(session, token=token, now=datetime.now(UTC))
            except AccessTokenInvalid:
                holder = None
    language = page_language(
        chosen=request.cookies.get(LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
    )
    return Page(request=request, settings=settings, kek=kek, language=language, holder=holder)


def error_page(request: Request, *, status: int, code: str | None) -> Response:
    """The error page for ``status`` with the message of ``code`` (or of the status)."""
    page = _page_for(request)
    message = MESSAGES.get(code or "") or BY_STATUS.get(status) or N_("Something went wrong.")
    title = TITLES.get(status) or N_("There is a problem")
    return page.render("error.html", title=page._(title), status=status, message=page._(message))


Handler = Callable[[Request, Exception], Awaitable[Response]]


def _for_pages(api_handler: Handler) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if not is_page_path(request.url.path):
            return await api_handler(request, exc)
        if isinstance(exc, SignInRequired):
            staff = request.url.path.startswith(("/org", "/platform"))
            login, home = ("/org/login", "/org") if staff else ("/login", "/wallet")
            target = local_path(str(request.url.path), default=home)
            query = urlencode({"next": target}) if request.method == "GET" else ""
            return RedirectResponse(login + (f"?{query}" if query else ""), status_code=303)
        if isinstance(exc, TaitoError):
            return error_page(request, status=exc.status, code=exc.code)
        if isinstance(exc, StarletteHTTPException):
            return error_page(request, status=exc.status_code, code=None)
        return error_page(request, status=400, code=None)

    return handle


def install_page_error_handlers(app: FastAPI) -> None:
    """Answer errors on page paths with pages; the API's problem handlers (installed before,
    by ``api.problems``) keep answering every other path."""
    for kind in (TaitoError, StarletteHTTPException, RequestValidationError):
        api_handler = app.exception_handlers[kind]
        app.add_exception_handler(kind, _for_pages(api_handler))  # type: ignore[arg-type]
