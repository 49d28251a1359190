"""The issuer's signing keys: the keys it signs with and publishes, and rotating the signing key.

Issuer staff and admins see the keys (``/org/{slug}/signing-keys``); only an organisation admin
rotates, after a confirmation page that says what happens: new credentials are signed with a new
key, and the old key stays published while credentials it signed are still valid.
"""

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException
from fastapi.responses import RedirectResponse, Response

from api.deps import KEKDep, SessionDep
from api.web.org_access import ADMIN, AdminDep, IssuerStaffDep, StaffAt
from api.web.rendering import PageDep
from api.web.sessions import CheckedForm
from issuers.custody import list_keys, published_keys
from issuers.organisations import IssuerAccount, rotate_key

router = APIRouter()


def _issuer(here: StaffAt) -> IssuerAccount:
    if here.organisation.issuer is None:
        raise HTTPException(status_code=404)
    return here.organisation.issuer


@router.get("/org/{slug}/signing-keys")
def signing_keys(page: PageDep, here: IssuerStaffDep, session: SessionDep) -> Response:
    """The issuer's keys, newest first: which signs now and which are published."""
    issuer = _issuer(here)
    published = {
        key.kid for key in published_keys(session, issuer_id=issuer.id, now=datetime.now(UTC))
    }
    return page.render(
        "org_signing_keys.html",
        title=page._("Signing keys"),
        here=here,
        keys=list_keys(session, issuer_id=issuer.id),
        published=published,
        is_admin=here.may(ADMIN),
        org_nav=True,
    )


@router.get("/org/{slug}/signing-keys/rotate")
def rotate_confirm(page: PageDep, here: AdminDep) -> Response:
    """Ask once before rotating the signing key."""
    _issuer(here)
    return page.render(
        "org_rotate.html", title=page._("Change the signing key?"), here=here, org_nav=True
    )


@router.post("/org/{slug}/signing-keys/rotate")
def rotate(
    page: PageDep, here: AdminDep, form: CheckedForm, session: SessionDep, kek: KEKDep
) -> Response:
    """Make a new signing key (same algorithm); the old one stays published while needed."""
    issuer = _issuer(here)
    current = list_keys(session, issuer_id=issuer.id)
    alg = current[0].alg if current else "EdDSA"
    rotate_key(session, slug=issuer.slug, alg=alg, kek=kek, now=datetime.now(UTC))
    return RedirectResponse(f"/org/{issuer.slug}/signing-keys", status_code=303)
