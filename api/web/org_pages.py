"""Organisations' pages: staff sign in at ``/org/login`` and land on ``/org/{slug}``.

``/org/login`` posts ``username`` and ``password``
(:class:`wallet.staff.StaffPasswordAuthenticator`: the same bounded hashing and throttling as
people's sign-in); a correct one starts a staff
session (cookie ``taito_staff``) and replaces the CSRF seed. ``/org/join?token=`` is the
one-time invitation link: the invited person chooses a username and password there. Access
checks: :mod:`api.web.org_access`.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response

from api.deps import KEKDep, SessionDep, SettingsDep
from api.flows.organisations import find_organisation
from api.routers.wallet_deps import ClientAddressDep, PasswordHashingDep
from api.web.accounts import field
from api.web.org_access import ADMIN, STAFF_COOKIE, CurrentStaff, MaybeStaff, MemberDep
from api.web.rendering import Page, PageDep, local_path
from api.web.sessions import CSRF_COOKIE, CheckedForm, renew_csrf_seed, set_cookie
from schemas import type_display_name
from wallet.errors import (
    AuthenticationBusy,
    AuthenticationFailed,
    LoginThrottled,
    PasswordRejected,
    PasswordTooCommon,
    StaffInviteInvalid,
    UsernameRejected,
    UsernameUnavailable,
)
from wallet.staff import (
    StaffPasswordAuthenticator,
    accept_invite,
    end_staff_session,
    open_invite,
    start_staff_session,
)

router = APIRouter()


def role_names(page: Page) -> dict[str, str]:
    """The roles in the page language."""
    return {
        "issuer_staff": page._("Issues credentials"),
        "verifier_staff": page._("Checks credentials"),
        ADMIN: page._("Organisation admin"),
    }


def _signed_in(page: Page, settings: SettingsDep, token: str, target: str) -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, page.request, settings, name=STAFF_COOKIE, value=token)
    set_cookie(
        response, page.request, settings, name=CSRF_COOKIE, value=renew_csrf_seed(page.request)
    )
    return response


def _render_login(
    page: Page, *, username: str, next: str, errors: list[tuple[str, str]], status: int = 200
) -> Response:
    return page.render(
        "org_login.html",
        title=page._("Sign in for organisations"),
        status=status,
        errors=errors,
        username=username,
        next=next,
    )


@router.get("/org/login")
def login_form(
    page: PageDep,
    staff: MaybeStaff,
    next: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    """The staff sign-in form."""
    if staff is not None:
        return RedirectResponse(local_path(next, default="/org"), status_code=303)
    return _render_login(page, username="", next=local_path(next, default="/org"), errors=[])


@router.post("/org/login")
def login(
    page: PageDep,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    hashing: PasswordHashingDep,
    client: ClientAddressDep,
) -> Response:
    """Check the username and password and start a staff session."""
    username, password = field(form, "username"), field(form, "password")
    target = local_path(field(form, "next"), default="/org")
    errors: list[tuple[str, str]] = []
    if not username.strip():
        errors.append(("username", page._("Enter your username")))
    if not password:
        errors.append(("password", page._("Enter your password")))
    status = 422
    if not errors:
        authenticator = StaffPasswordAuthenticator(username, password, kek, hashing, client)
        try:
            token = start_staff_session(session, authenticator=authenticator, now=datetime.now(UTC))
            return _signed_in(page, settings, token, target)
        except AuthenticationFailed:
            status = 401
            errors.append(("username", page._("The username or password is not correct")))
        except LoginThrottled:
            status = 429
            errors.append(
                ("username", page._("Too many failed sign-ins. Wait a minute and try again."))
            )
        except AuthenticationBusy:
            status = 503
            errors.append(
                ("username", page._("Many people are signing in right now. Try again in a moment."))
            )
    return _render_login(page, username=username, next=target, errors=errors, status=status)


@router.post("/org/logout")
def logout(
    page: PageDep, form: CheckedForm, session: SessionDep, settings: SettingsDep
) -> Response:
    """End this browser's staff session."""
    token = page.request.cookies.get(STAFF_COOKIE)
    if token:
        end_staff_session(session, token=token, now=datetime.now(UTC))
    response = RedirectResponse("/org/login", status_code=303)
    response.delete_cookie(STAFF_COOKIE, path="/")
    set_cookie(
        response, page.request, settings, name=CSRF_COOKIE, value=renew_csrf_seed(page.request)
    )
    return response


@router.get("/org")
def organisations(
    page: PageDep, member: CurrentStaff, session: SessionDep, settings: SettingsDep
) -> Response:
    """The member's organisations; with exactly one, straight to it."""
    found = []
    for slug in sorted(member.roles):
        organisation = find_organisation(session, slug=slug, base_url=settings.base_url)
        if organisation is not None:
            found.append(organisation)
    if len(found) == 1:
        return RedirectResponse(f"/org/{found[0].slug}", status_code=303)
    return page.render(
        "org_choose.html",
        title=page._("Your organisations"),
        member=member,
        organisations=found,
        org_nav=True,
    )


@router.get("/org/join")
def join_form(
    page: PageDep,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The invitation link: who invites, as what, and the form to create a staff account."""
    slug, role = open_invite(session, token=token, now=datetime.now(UTC))
    organisation = find_organisation(session, slug=slug, base_url=settings.base_url)
    if organisation is None or organisation.disabled:
        raise StaffInviteInvalid("This invitation link is not valid.")
    return _render_join(page, token=token, name=organisation.name, role=role, errors=[])


def _render_join(
    page: Page,
    *,
    token: str,
    name: str,
    role: str,
    errors: list[tuple[str, str]],
    status: int = 200,
    username: str = "",
    full_name: str = "",
) -> Response:
    return page.render(
        "org_join.html",
        title=page._("Join %(organisation)s", organisation=name),
        status=status,
        errors=errors,
        token=token,
        role=role_names(page)[role],
        username=username,
        full_name=full_name,
    )


@router.post("/org/join")
def join(
    page: PageDep,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    hashing: PasswordHashingDep,
) -> Response:
    """Create the invited person's staff account; then they sign in."""
    token = field(form, "token")
    now = datetime.now(UTC)
    slug, role = open_invite(session, token=token, now=now)
    organisation = find_organisation(session, slug=slug, base_url=settings.base_url)
    if organisation is None or organisation.disabled:
        raise StaffInviteInvalid("This invitation link is not valid.")
    username, password = field(form, "username"), field(form, "password")
    full_name = field(form, "name")
    errors: list[tuple[str, str]] = []
    if not full_name.strip():
        errors.append(("name", page._("Enter your name")))
    if not username.strip():
        errors.append(("username", page._("Choose a username")))
    if not password:
        errors.append(("password", page._("Choose a password")))
    if not errors:
        try:
            accept_invite(
                session,
                token=token,
                username=username,
                password=password,
                name=full_name,
                hashing=hashing,
                now=now,
            )
            return RedirectResponse(f"/org/login?next=/org/{slug}", status_code=303)
        except UsernameUnavailable:
            errors.append(("username", page._("This username is taken. Choose another one.")))
        except UsernameRejected:
            errors.append(("username", page._("Enter a username of 3 to 254 characters")))
        except PasswordTooCommon:
            errors.append(
                (
                    "password",
                    page._("This password is too common or too easy to guess. Choose another one."),
                )
            )
        except PasswordRejected:
            errors.append(
                (
                    "password",
                    page._("Enter a password of at least 10 characters that is not your username"),
                )
            )
    return _render_join(
        page,
        token=token,
        name=organisation.name,
        role=role,
        errors=errors,
        status=422,
        username=username,
        full_name=full_name,
    )


@router.get("/org/{slug}")
def organisation_home(page: PageDep, here: MemberDep) -> Response:
    """The organisation's start page: what the member may do here."""
    roles = here.member.roles.get(here.organisation.slug, frozenset())
    return page.render(
        "org_home.html",
        title=here.organisation.name,
        here=here,
        roles=[role_names(page)[r] for r in sorted(roles)],
        issued_types=[
            type_display_name(slug, page.language)
            for slug in (here.organisation.issuer.types if here.organisation.issuer else ())
        ],
        is_admin=here.may(ADMIN),
        org_nav=True,
    )
