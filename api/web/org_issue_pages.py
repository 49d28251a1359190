"""Issuing one credential: choose a type, fill its form, hand the person a pickup offer.

``/org/{slug}/issue`` lists the types the issuer is accredited for; ``/org/{slug}/issue/{type}``
is the form generated from the type's schema (:mod:`api.web.issue_form`). ESCO skills are found
with a search box that posts the form back (no JavaScript needed; nothing personal goes into an
address) and picked as checkboxes. Issuing makes the same offer as ``POST
/v1/issuers/{slug}/offers`` (:func:`issuers.offers.create_offer` with a pre-authorized code and
a transaction code): the result page shows the pickup code, the transaction code, the links and
a QR code once. The hidden ``attempt`` value is the offer's idempotency key, so sending the
same form twice makes one offer.
"""

import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import segno
from fastapi import APIRouter, HTTPException
from fastapi.responses import Response
from markupsafe import Markup

from api.deps import KEKDep, SessionDep, SettingsDep
from api.web.issue_form import (
    FormField,
    FormState,
    field_errors,
    form_fields,
    read_claims,
    read_state,
    skill_label,
    skill_results,
    typed_search,
)
from api.web.language import DISPLAY_TIME_ZONE
from api.web.org_access import IssuerStaffDep, StaffAt
from api.web.rendering import Page, PageDep
from api.web.sessions import CheckedForm
from issuers.errors import ClaimsInvalid, IssuerError, ValidityInvalid
from issuers.issuance_input import CredentialRequest, check_claims
from issuers.offers import OPENID_OFFER_LIFETIME, create_offer
from issuers.oid4vci import offer_links
from issuers.organisations import IssuerAccount
from schemas import type_display_name

router = APIRouter()

VALID_UNTIL: Final = "valid_until"


def issuer_of(here: StaffAt) -> IssuerAccount:
    """The organisation's issuer (404 for an organisation that only verifies)."""
    if here.organisation.issuer is None:
        raise HTTPException(status_code=404)
    return here.organisation.issuer


def type_names(page: Page, issuer: IssuerAccount) -> dict[str, str]:
    """The issuer's accredited types, by slug, named in the page language."""
    return {slug: type_display_name(slug, page.language) for slug in issuer.types}


@router.get("/org/{slug}/issue")
def choose_type(page: PageDep, here: IssuerStaffDep) -> Response:
    """The types this issuer may issue, each a link to its form."""
    issuer = issuer_of(here)
    return page.render(
        "org_issue_types.html",
        title=page._("Issue a credential"),
        here=here,
        types=type_names(page, issuer),
        org_nav=True,
    )


def _type(here: StaffAt, type_slug: str) -> str:
    if type_slug not in issuer_of(here).types:
        raise HTTPException(status_code=404)
    return type_slug


def _form_page(
    page: Page,
    here: StaffAt,
    type_slug: str,
    fields: tuple[FormField, ...],
    state: FormState,
    *,
    attempt: str,
    errors: list[tuple[str, str]],
    status: int = 200,
) -> Response:
    chosen = {
        key: [(uri, skill_label(uri) or "") for uri in uris if skill_label(uri)]
        for key, uris in state.skills.items()
    }
    results = {}
    for key, query in state.searches.items():
        picked = set(state.skills.get(key, []))
        results[key] = [(uri, label) for uri, label in skill_results(query) if uri not in picked]
    name = type_display_name(type_slug, page.language)
    return page.render(
        "org_issue_form.html",
        title=page._("Issue: %(type)s", type=name),
        status=status,
        errors=errors,
        here=here,
        type_slug=type_slug,
        fields=fields,
        values=state.values,
        chosen=chosen,
        searches=state.searches,
        results=results,
        attempt=attempt,
        org_nav=True,
    )


@router.get("/org/{slug}/issue/{type_slug}")
def issue_form(page: PageDep, here: IssuerStaffDep, type_slug: str) -> Response:
    """The empty form of one type."""
    slug = _type(here, type_slug)
    fields = form_fields(slug, page.t)
    return _form_page(
        page, here, slug, fields, FormState(), attempt=secrets.token_urlsafe(16), errors=[]
    )


@router.post("/org/{slug}/issue/{type_slug}")
def issue(
    page: PageDep,
    here: IssuerStaffDep,
    type_slug: str,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
) -> Response:
    """Search ESCO skills (the form comes back with the matches) or make the offer."""
    slug = _type(here, type_slug)
    issuer = issuer_of(here)
    fields = form_fields(slug, page.t)
    state = read_state(fields, form)
    sent_attempt = form.get("attempt")
    attempt = (
        sent_attempt if isinstance(sent_attempt, str) and 16 <= len(sent_attempt) <= 64 else ""
    )
    attempt = attempt or secrets.token_urlsafe(16)
    action = form.get("action")
    if action == "enter":  # the form's default button: Enter pressed in one of its fields
        action = "search:" if typed_search(fields, form) else "issue"
    if isinstance(action, str) and action.startswith("search:"):
        return _form_page(page, here, slug, fields, state, attempt=attempt, errors=[])
    state.searches = {}
    claims, errors = read_claims(fields, state, page.t)
    until, until_error = _valid_until(page, state.values.get(VALID_UNTIL, ""))
    if errors or until_error:  # also what the service says about the rest: all show at once
        try:
            check_claims(slug, claims)
        except ClaimsInvalid as refused:
            found = [(v.pointer, v.message) for v in refused.violations]
            unread = {field_id for field_id, _ in errors}
            errors += [e for e in field_errors(fields, found, page.t) if e[0] not in unread]
            order = [leaf.id for group in fields for leaf in group.leaves]
            errors.sort(key=lambda e: order.index(e[0]) if e[0] in order else 0)
    if until_error:
        errors.append((VALID_UNTIL, until_error))
    if errors:
        return _form_page(
            page, here, slug, fields, state, attempt=attempt, errors=errors, status=422
        )
    try:
        offer = create_offer(
            session,
            issuer=issuer,
            request=CredentialRequest(type=slug, claims=claims, holder=None, valid_until=until),
            idempotency_key=attempt,
            kek=kek,
            base_url=settings.base_url,
            now=datetime.now(UTC),
            pre_authorized=True,
            lifetime=OPENID_OFFER_LIFETIME,
        )
    except ClaimsInvalid as refused:
        found = [(v.pointer, v.message) for v in refused.violations]
        return _form_page(
            page,
            here,
            slug,
            fields,
            state,
            attempt=attempt,
            errors=field_errors(fields, found, page.t),
            status=422,
        )
    except ValidityInvalid:
        message = page._("Enter a date after today, at most 100 years ahead")
        return _form_page(
            page,
            here,
            slug,
            fields,
            state,
            attempt=attempt,
            errors=[(VALID_UNTIL, message)],
            status=422,
        )
    except IssuerError:
        message = page._("The offer could not be made. Check the details and try again.")
        return _form_page(
            page,
            here,
            slug,
            fields,
            state,
            attempt=secrets.token_urlsafe(16),
            errors=[(fields[0].leaves[0].id, message)],
            status=422,
        )
    links = offer_links(offer, slug=issuer.slug, base_url=settings.base_url)
    pickup_url = f"{settings.base_url.rstrip('/')}/wallet/receive?code={offer.pickup_code}"
    return page.render(
        "org_offer_made.html",
        title=page._("The credential is ready to pick up"),
        here=here,
        offer=offer,
        type_name=type_display_name(slug, page.language),
        offer_link=links.offer_link,
        pickup_url=pickup_url,
        pickup_qr=_qr(pickup_url, page._("QR code of the pickup link")),
        offer_qr=_qr(links.offer_link, page._("QR code of the offer for other wallets")),
        org_nav=True,
    )


def _valid_until(page: Page, typed: str) -> tuple[datetime | None, str | None]:
    """The end of the day typed (Finland's time) as the credential's expiry, or an error."""
    if not typed.strip():
        return None, None
    try:
        day = date.fromisoformat(typed.strip())
    except ValueError:
        return None, page._("Enter a real date, such as 31.5.2024")
    zone = ZoneInfo(DISPLAY_TIME_ZONE)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC), None


def _qr(text: str, title: str) -> Markup:
    svg = segno.make(text, error="m").svg_inline(scale=4, border=2, title=title)
    return Markup(svg)  # noqa: S704 - segno's own SVG markup of our link
