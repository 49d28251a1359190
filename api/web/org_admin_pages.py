"""The organisation admin's pages: staff (invite by a one-time link, remove) and API keys.

Every page here needs the ``organisation_admin`` role in the organisation of the path (or a
platform admin): :data:`api.web.org_access.AdminDep`. Removing a member and revoking a key ask
once, on a page of their own, with the consequence spelled out; every form carries the CSRF
token. A new invitation link and a new API key are shown once.
"""

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException
from fastapi.responses import RedirectResponse, Response

from api.deps import SessionDep
from api.flows.organisations import (
    add_organisation_key,
    organisation_keys,
    revoke_organisation_key,
)
from api.web.accounts import field
from api.web.org_access import AdminDep, StaffAt
from api.web.org_pages import role_names
from api.web.rendering import Page, PageDep
from api.web.sessions import CheckedForm
from credentials.errors import TaitoError
from wallet.errors import StaffMemberNotFound
from wallet.staff import ROLES, invite_staff, list_staff, remove_staff

router = APIRouter()


def _staff_page(
    page: Page, here: StaffAt, session: SessionDep, *, errors: list[tuple[str, str]], status: int
) -> Response:
    return page.render(
        "org_staff.html",
        title=page._("Staff"),
        status=status,
        errors=errors,
        here=here,
        staff=list_staff(session, organisation=here.organisation.slug),
        roles=role_names(page),
        role_choices=ROLES,
        org_nav=True,
    )


@router.get("/org/{slug}/staff")
def staff(page: PageDep, here: AdminDep, session: SessionDep) -> Response:
    """The organisation's staff, and the form that invites one more."""
    return _staff_page(page, here, session, errors=[], status=200)


@router.post("/org/{slug}/staff/invite")
def invite(page: PageDep, here: AdminDep, form: CheckedForm, session: SessionDep) -> Response:
    """A one-time invitation link for the chosen role, shown once."""
    role = field(form, "role")
    if role not in ROLES:
        return _staff_page(
            page, here, session, errors=[("role", page._("Choose a role"))], status=422
        )
    created = invite_staff(
        session, organisation=here.organisation.slug, role=role, now=datetime.now(UTC)
    )
    link = f"{page.request.base_url}org/join?token={created.token}"
    return page.render(
        "org_invited.html",
        title=page._("Invitation link"),
        here=here,
        link=link,
        role=role_names(page)[role],
        expires_at=created.expires_at,
        org_nav=True,
    )


def _member(session: SessionDep, here: StaffAt, account_id: str) -> tuple[str, str]:
    for member, _role in list_staff(session, organisation=here.organisation.slug):
        if member.id == account_id:
            return member.id, member.name
    raise StaffMemberNotFound("there is no such staff member")


@router.get("/org/{slug}/staff/{account_id}/remove")
def remove_confirm(page: PageDep, here: AdminDep, account_id: str, session: SessionDep) -> Response:
    """Ask once before removing a member."""
    member_id, name = _member(session, here, account_id)
    return page.render(
        "org_remove.html",
        title=page._("Remove %(name)s?", name=name),
        here=here,
        member_id=member_id,
        name=name,
        org_nav=True,
    )


@router.post("/org/{slug}/staff/{account_id}/remove")
def remove(
    page: PageDep, here: AdminDep, account_id: str, form: CheckedForm, session: SessionDep
) -> Response:
    """Remove the member from this organisation at once."""
    remove_staff(session, organisation=here.organisation.slug, account_id=account_id)
    return RedirectResponse(f"/org/{here.organisation.slug}/staff", status_code=303)


def _keys_page(
    page: Page,
    here: StaffAt,
    session: SessionDep,
    *,
    errors: list[tuple[str, str]],
    status: int = 200,
    name: str = "",
) -> Response:
    organisation = here.organisation
    sides = (("issuer", organisation.issuer), ("verifier", organisation.verifier))
    kinds = [kind for kind, part in sides if part is not None]
    return page.render(
        "org_keys.html",
        title=page._("API keys"),
        status=status,
        errors=errors,
        here=here,
        keys=organisation_keys(session, organisation),
        kinds=kinds,
        name=name,
        org_nav=True,
    )


@router.get("/org/{slug}/api-keys")
def keys(page: PageDep, here: AdminDep, session: SessionDep) -> Response:
    """The organisation's API keys with their last use, and the form that adds one."""
    return _keys_page(page, here, session, errors=[])


@router.post("/org/{slug}/api-keys")
def add_key(page: PageDep, here: AdminDep, form: CheckedForm, session: SessionDep) -> Response:
    """Add a named key and show it once."""
    name = field(form, "name").strip()
    kind = field(form, "kind") or ("issuer" if here.organisation.issuer else "verifier")
    if not name or len(name) > 100:
        message = page._("Enter a name of 1 to 100 characters, such as the system that uses it")
        return _keys_page(page, here, session, errors=[("name", message)], status=422, name=name)
    try:
        secret = add_organisation_key(
            session, here.organisation, kind=kind, name=name, now=datetime.now(UTC)
        )
    except TaitoError:
        message = page._("Revoke a key first: an organisation has at most 20 keys")
        return _keys_page(page, here, session, errors=[("name", message)], status=422, name=name)
    return page.render(
        "org_key_created.html",
        title=page._("Your new API key"),
        here=here,
        secret=secret,
        name=name,
        org_nav=True,
    )


@router.get("/org/{slug}/api-keys/{key_id}/revoke")
def revoke_confirm(page: PageDep, here: AdminDep, key_id: str, session: SessionDep) -> Response:
    """Ask once before revoking a key."""
    for key in organisation_keys(session, here.organisation):
        if key.id == key_id and key.revoked_at is None:
            return page.render(
                "org_key_revoke.html",
                title=page._("Revoke the key “%(name)s”?", name=key.name),
                here=here,
                key=key,
                org_nav=True,
            )
    raise HTTPException(status_code=404)


@router.post("/org/{slug}/api-keys/{key_id}/revoke")
def revoke(
    page: PageDep, here: AdminDep, key_id: str, form: CheckedForm, session: SessionDep
) -> Response:
    """Revoke the key at once."""
    revoke_organisation_key(session, here.organisation, key_id=key_id, now=datetime.now(UTC))
    return RedirectResponse(f"/org/{here.organisation.slug}/api-keys", status_code=303)
