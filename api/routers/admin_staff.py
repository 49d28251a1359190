"""Admin endpoints for organisations' staff (the admin bearer token; 401 without).

- ``POST /v1/admin/staff``: create a staff account, optionally with a role in an organisation,
  or a platform admin;
- ``GET /v1/admin/organisations/{slug}/staff``: the organisation's staff and their roles;
- ``POST /v1/admin/organisations/{slug}/staff/invites``: a one-time invitation link's token
  (``/org/join?token=``), shown once, valid 7 days;
- ``DELETE /v1/admin/organisations/{slug}/staff/{account_id}``: take every role there.

Organisation admins do the same on their pages (``/org/{slug}/staff``).
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.auth import AdminDep
from api.deps import SessionDep, SettingsDep
from api.edge import StrictRoute
from api.flows.organisations import existing_organisation
from api.listings import ADMIN_MEMBERS, Cursor, model_size, page_after
from api.routers.wallet_deps import PasswordHashingDep
from api.schemas_staff import (
    InviteIn,
    InviteOut,
    StaffCreatedOut,
    StaffCreateIn,
    StaffListOut,
    StaffOut,
)
from wallet.staff import create_staff_account, invite_staff, list_staff, remove_staff

router = APIRouter(prefix="/v1/admin", tags=["admin"], route_class=StrictRoute)


@router.post("/staff", response_model=StaffCreatedOut, status_code=201)
def post_staff(
    body: StaffCreateIn,
    _admin: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    hashing: PasswordHashingDep,
) -> StaffCreatedOut:
    """Create a staff account (404 unknown organisation, 409 ``username_unavailable``, 422)."""
    if body.organisation is not None:
        existing_organisation(session, slug=body.organisation, base_url=settings.base_url)
    account_id = create_staff_account(
        session,
        username=body.username,
        password=body.password,
        name=body.name,
        hashing=hashing,
        now=datetime.now(UTC),
        organisation=body.organisation,
        role=body.role,
        platform_admin=body.platform_admin,
    )
    return StaffCreatedOut(id=account_id)


@router.get("/organisations/{slug}/staff", response_model=StaffListOut)
def get_staff(
    slug: str,
    _admin: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=ADMIN_MEMBERS.max_items)] = 100,
    cursor: Cursor = None,
) -> StaffListOut:
    """The organisation's staff and each one's role there, by name (a page: at most ``limit``
    or 256 KiB; 404 for an unknown organisation)."""
    existing_organisation(session, slug=slug, base_url=settings.base_url)
    staff = [
        StaffOut(id=m.id, username=m.username, name=m.name, role=role)
        for m, role in list_staff(session, organisation=slug)
    ]
    page, next_cursor = page_after(
        staff, ADMIN_MEMBERS, limit=limit, cursor=cursor, key=_order, size=model_size
    )
    return StaffListOut(staff=page, next_cursor=next_cursor)


def _order(member: StaffOut) -> str:
    return f"{member.name}\x00{member.role}\x00{member.id}"


@router.post("/organisations/{slug}/staff/invites", response_model=InviteOut, status_code=201)
def post_invite(
    slug: str, body: InviteIn, _admin: AdminDep, session: SessionDep, settings: SettingsDep
) -> InviteOut:
    """A one-time invitation to join the organisation in ``role``; the token is shown once."""
    existing_organisation(session, slug=slug, base_url=settings.base_url)
    created = invite_staff(session, organisation=slug, role=body.role, now=datetime.now(UTC))
    return InviteOut(
        token=created.token,
        path=f"/org/join?token={created.token}",
        expires_at=created.expires_at,
    )


@router.delete("/organisations/{slug}/staff/{account_id}", status_code=204)
def delete_staff(slug: str, account_id: str, _admin: AdminDep, session: SessionDep) -> Response:
    """Take every role in the organisation from the account (404 when it has none there)."""
    remove_staff(session, organisation=slug, account_id=account_id)
    return Response(status_code=204)
