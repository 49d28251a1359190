"""Who works here: the staff session cookie and the checks every organisation page makes.

- The staff session cookie (``taito_staff``) holds a random value stored only hashed
  (:mod:`wallet.staff`); same attributes as the people's session cookie, and the same CSRF check
  (:func:`api.web.sessions.checked_form`) guards every form.
- Every page under ``/org/{slug}`` asks :func:`staff_in` for the signed-in member and the roles
  the page needs. Signed out: a redirect to ``/org/login``. Not a member of the organisation
  (another organisation's staff), or no such organisation: 404, the same page, so nothing tells
  whether it exists. A member without the role, or of a disabled organisation: 403. Nothing is
  read or changed before these checks pass.
- Platform pages under ``/platform`` (the trust registry) ask :func:`platform_admin` instead:
  signed out, a redirect to ``/org/login``; any other staff member, 403 with nothing of the
  page's content.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Final

from fastapi import Depends, Request
from sqlmodel import Session

from api.deps import SessionDep, SettingsDep
from api.flows.organisations import Organisation, find_organisation
from api.web.sessions import SignInRequired
from credentials.errors import TaitoError
from wallet.errors import AccessTokenInvalid
from wallet.staff import StaffMember, staff_member

STAFF_COOKIE: Final = "taito_staff"
ADMIN: Final = "organisation_admin"
ISSUER_STAFF: Final = "issuer_staff"
VERIFIER_STAFF: Final = "verifier_staff"


class StaffSignInRequired(SignInRequired):
    """The page needs a signed-in staff member; pages answer with a redirect to ``/org/login``."""

    code = "staff_sign_in_required"


class OrganisationNotFound(TaitoError):
    """No such organisation, or not one of the member's: the same answer (nothing revealed)."""

    code = "organisation_not_found"
    title = "There is no such organisation"
    status = 404


class RoleRequired(TaitoError):
    code = "role_required"
    title = "Your role in this organisation does not allow this"
    status = 403


class OrganisationDisabled(TaitoError):
    code = "organisation_disabled"
    title = "This organisation is disabled"
    status = 403


def signed_in_staff(request: Request, session: SessionDep) -> StaffMember | None:
    """The staff member of this browser's live staff session, or None."""
    token = request.cookies.get(STAFF_COOKIE)
    if not token:
        return None
    try:
        return staff_member(session, token=token, now=datetime.now(UTC))
    except AccessTokenInvalid:
        return None


def current_staff(request: Request, session: SessionDep) -> StaffMember:
    """The signed-in staff member; :class:`StaffSignInRequired` otherwise."""
    member = signed_in_staff(request, session)
    if member is None:
        raise StaffSignInRequired("Sign in to see this page.")
    return member


MaybeStaff = Annotated[StaffMember | None, Depends(signed_in_staff)]
CurrentStaff = Annotated[StaffMember, Depends(current_staff)]


@dataclass(frozen=True)
class StaffAt:
    """A signed-in member at one of their organisations."""

    member: StaffMember
    organisation: Organisation

    def may(self, *roles: str) -> bool:
        """Whether the member holds one of ``roles`` here (a platform admin holds them all)."""
        return self.member.platform_admin or self.member.has_role(self.organisation.slug, *roles)


def staff_in(
    session: Session, member: StaffMember, *, slug: str, base_url: str, roles: tuple[str, ...]
) -> StaffAt:
    """The member at ``slug`` when they hold one of ``roles`` there.

    Raises :class:`OrganisationNotFound` (404) for no such organisation or none of theirs,
    :class:`OrganisationDisabled` (403) and :class:`RoleRequired` (403).
    """
    if not (member.platform_admin or member.roles.get(slug)):
        raise OrganisationNotFound("There is no such organisation.")
    organisation = find_organisation(session, slug=slug, base_url=base_url)
    if organisation is None:
        raise OrganisationNotFound("There is no such organisation.")
    if organisation.disabled:
        raise OrganisationDisabled("This organisation is disabled.")
    here = StaffAt(member=member, organisation=organisation)
    if roles and not here.may(*roles):
        raise RoleRequired("Your role does not allow this.")
    return here


def any_role(
    slug: str, member: CurrentStaff, session: SessionDep, settings: SettingsDep
) -> StaffAt:
    """A page any member of the organisation may see."""
    return staff_in(session, member, slug=slug, base_url=settings.base_url, roles=())


def admin_role(
    slug: str, member: CurrentStaff, session: SessionDep, settings: SettingsDep
) -> StaffAt:
    """A page only the organisation's admins (and platform admins) may see."""
    return staff_in(session, member, slug=slug, base_url=settings.base_url, roles=(ADMIN,))


def issuer_role(
    slug: str, member: CurrentStaff, session: SessionDep, settings: SettingsDep
) -> StaffAt:
    """A page of the issuing side: its issuer staff and admins."""
    return staff_in(
        session, member, slug=slug, base_url=settings.base_url, roles=(ISSUER_STAFF, ADMIN)
    )


def verifier_role(
    slug: str, member: CurrentStaff, session: SessionDep, settings: SettingsDep
) -> StaffAt:
    """A page of the verifying side: its verifier staff and admins."""
    return staff_in(
        session, member, slug=slug, base_url=settings.base_url, roles=(VERIFIER_STAFF, ADMIN)
    )


MemberDep = Annotated[StaffAt, Depends(any_role)]
IssuerStaffDep = Annotated[StaffAt, Depends(issuer_role)]
VerifierStaffDep = Annotated[StaffAt, Depends(verifier_role)]
AdminDep = Annotated[StaffAt, Depends(admin_role)]


def platform_admin(member: CurrentStaff) -> StaffMember:
    """A page only platform admins may see (the trust registry); :class:`RoleRequired` else."""
    if not member.platform_admin:
        raise RoleRequired("Your role does not allow this.")
    return member


PlatformAdminDep = Annotated[StaffMember, Depends(platform_admin)]
