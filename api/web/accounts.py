"""The start page, signing in and out, registering, and the language switch.

``/login`` posts ``username`` and ``password`` (the same :class:`PasswordAuthenticator` as the
API's login); a correct one starts a browser session (:mod:`wallet.web_sessions`) and replaces
the CSRF seed. ``/logout`` ends this browser's session, or every session of the person.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response

from api.deps import KEKDep, SessionDep, SettingsDep
from api.routers.wallet_deps import ClientAddressDep, PasswordHashingDep
from api.web.language import LANGUAGE_COOKIE
from api.web.rendering import PageDep, local_path
from api.web.sessions import (
    SESSION_COOKIE,
    CheckedForm,
    MaybePerson,
    set_cookie,
)
from api.web.sign_in import attempt_sign_in, signed_in, signed_out
from schemas.type_metadata import LANGUAGES
from wallet.accounts import PasswordAuthenticator, register
from wallet.errors import (
    AuthenticationBusy,
    PasswordCharactersInvalid,
    PasswordRejected,
    PasswordTooCommon,
    PasswordTooLong,
    RegistrationThrottled,
    UsernameCharactersInvalid,
    UsernameRejected,
    UsernameUnavailable,
)
from wallet.web_sessions import (
    end_all_sessions,
    end_web_session,
    open_web_session,
    start_web_session,
)

router = APIRouter()

MAX_FIELD = 1024


def field(form: CheckedForm, name: str) -> str:
    """A text field of a posted form ("" when absent or not text), cut at a sane length."""
    value = form.get(name)
    return value[:MAX_FIELD] if isinstance(value, str) else ""


@router.get("/")
def start(page: PageDep) -> Response:
    """What Taito is, and the way in."""
    return page.render("index.html", title=page._("Your skills, in your hands"))


@router.get("/login")
def login_form(
    page: PageDep, next: Annotated[str | None, Query(max_length=300)] = None
) -> Response:
    """The sign-in form."""
    if page.holder is not None:
        return RedirectResponse(local_path(next), status_code=303)
    return page.render("login.html", title=page._("Sign in"), next=local_path(next), username="")


@router.post("/login")
def login(
    page: PageDep,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    hashing: PasswordHashingDep,
    client: ClientAddressDep,
) -> Response:
    """Check the username and password and start a browser session."""
    target = local_path(field(form, "next"))
    username = field(form, "username")

    def start(name: str, password: str) -> str:
        authenticator = PasswordAuthenticator(name, password, kek, hashing, client)
        return start_web_session(session, authenticator=authenticator, now=datetime.now(UTC))

    attempt = attempt_sign_in(
        page, username=username, password=field(form, "password"), start=start
    )
    if attempt.token is not None:
        return signed_in(page, settings, cookie=SESSION_COOKIE, token=attempt.token, target=target)
    return page.render(
        "login.html",
        title=page._("Sign in"),
        status=attempt.status,
        errors=attempt.errors,
        next=target,
        username=username,
    )


@router.get("/register")
def register_form(page: PageDep) -> Response:
    """The form that opens a wallet."""
    return page.render("register.html", title=page._("Create an account"), username="")


@router.post("/register")
def register_account(
    page: PageDep,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    hashing: PasswordHashingDep,
    client: ClientAddressDep,
) -> Response:
    """Open a wallet and sign it in."""
    username, password = field(form, "username"), field(form, "password")
    now = datetime.now(UTC)
    errors: list[tuple[str, str]] = []
    status = 422
    try:
        registration = register(
            session,
            username=username,
            password=password,
            kek=kek,
            hashing=hashing,
            client=client,
            now=now,
        )
        token = open_web_session(session, holder_id=registration.holder_id, now=now)
        return signed_in(page, settings, cookie=SESSION_COOKIE, token=token, target="/wallet")
    except UsernameUnavailable:
        status = 409
        errors.append(
            (
                "username",
                page._(
                    "This username cannot be used. Choose another one, or sign in if it is yours."
                ),
            )
        )
    except UsernameCharactersInvalid:
        errors.append(
            ("username", page._("Use letters, digits and punctuation only, with no spaces inside"))
        )
    except UsernameRejected:
        errors.append(("username", page._("Enter a username of 3 to 254 characters")))
    except PasswordTooCommon:
        errors.append(
            (
                "password",
                page._("This password is too common or too easy to guess. Choose another one."),
            )
        )
    except PasswordCharactersInvalid:
        errors.append(("password", page._("The password cannot contain control characters")))
    except PasswordTooLong:
        errors.append(("password", page._("Enter a password of at most 1,024 characters")))
    except PasswordRejected:
        errors.append(
            (
                "password",
                page._("Enter a password of at least 10 characters that is not your username"),
            )
        )
    except RegistrationThrottled:
        status = 429
        errors.append(
            ("username", page._("Too many new accounts from here. Wait a moment and try again."))
        )
    except AuthenticationBusy:
        status = 503
        errors.append(
            ("username", page._("Many people are signing in right now. Try again in a moment."))
        )
    return page.render(
        "register.html",
        title=page._("Create an account"),
        status=status,
        errors=errors,
        username=username,
    )


@router.get("/logout")
def logout_page(page: PageDep) -> Response:
    """Sign out here or everywhere (a form: signing out changes something)."""
    return page.render("logout.html", title=page._("Sign out"))


@router.post("/logout")
def logout(
    page: PageDep,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    holder: MaybePerson,
) -> Response:
    """End this browser's session, or (``everywhere``) every session and API token."""
    now = datetime.now(UTC)
    token = page.request.cookies.get(SESSION_COOKIE, "")
    if field(form, "everywhere") and holder is not None:
        end_all_sessions(session, holder_id=holder, now=now)
    elif token:
        end_web_session(session, token=token, now=now)
    return signed_out(page, settings, cookie=SESSION_COOKIE, target="/logout")


@router.get("/language")
def choose_language(
    page: PageDep,
    settings: SettingsDep,
    lang: Annotated[str, Query(max_length=5)] = "",
    next: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    """Remember the chosen language for this browser session and go back to the page."""
    response = RedirectResponse(local_path(next, default="/"), status_code=303)
    if lang in LANGUAGES:
        set_cookie(response, page.request, settings, name=LANGUAGE_COOKIE, value=lang)
    return response
