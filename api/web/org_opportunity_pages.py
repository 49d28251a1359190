"""Educators' learning opportunities: ``/org/{slug}/opportunities`` (issue 16).

Issuer staff and admins of an educator (an issuer accredited for qualifications or study
attainments; :data:`api.web.org_access.IssuerStaffDep`; 404 for any other issuer) list, add,
edit and remove what they teach, through the same service functions as the API
(:mod:`api.routers.issuer_opportunities`). The ESCO skills taught are chosen without JavaScript:
the form's "Search skills" button sends the form back with the matching skills as more boxes to
tick, keeping what was typed. Removing asks once, on a page of its own.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Annotated, Final, cast, get_args

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import RedirectResponse, Response

from api.deps import SessionDep
from api.web.accounts import field as form_field
from api.web.guidance_pages import duration_text, language_names, mode_names
from api.web.org_access import IssuerStaffDep, StaffAt
from api.web.rendering import Page, PageDep
from api.web.sessions import CheckedForm
from issuers.errors import OpportunityLimitReached
from issuers.opportunities import (
    EDUCATOR_TYPES,
    MAX_SKILLS,
    Mode,
    Opportunity,
    OpportunitySpec,
    list_opportunities,
    publish_opportunity,
    revise_opportunity,
    withdraw_opportunity,
)
from issuers.organisations import IssuerAccount
from schemas import skill_vocabulary
from wallet.live_skills import label_of

router = APIRouter()
SKILL_RESULTS: Final = 20
UNITS: Final = ("D", "W", "M", "Y")
MAX_DESCRIPTION: Final = 2000
LANGUAGE: Final = re.compile(r"[a-z]{2}")
LINK: Final = re.compile(r"https://[\x21-\x7e]{1,492}")
OpportunityId = Annotated[str, Path(max_length=40)]


@dataclass(frozen=True)
class Draft:
    """What the form holds: the fields as typed, and the skills ticked."""

    title: str = ""
    provider: str = ""
    description: str = ""
    skills: tuple[str, ...] = ()
    eqf_level: str = ""
    amount: str = ""
    unit: str = "W"
    mode: str = ""
    language: str = "fi"
    link: str = ""
    skill_q: str = ""
    found: tuple[str, ...] = field(default=())


def _educator(here: StaffAt) -> IssuerAccount:
    issuer = here.organisation.issuer
    if issuer is None or not EDUCATOR_TYPES & set(issuer.types):
        raise HTTPException(status_code=404)
    return issuer


def _draft_of(opportunity: Opportunity) -> Draft:
    found = re.findall(r"(\d+)([YMWD])", opportunity.duration)
    amount, unit = found[0] if len(found) == 1 else ("", "W")
    return Draft(
        title=opportunity.title,
        provider=opportunity.provider,
        description=opportunity.description,
        skills=opportunity.skills,
        eqf_level=str(opportunity.eqf_level or ""),
        amount=amount,
        unit=unit,
        mode=opportunity.mode,
        language=opportunity.language,
        link=opportunity.link,
    )


def _long_text(form: CheckedForm, name: str) -> str:
    """A text field longer than most: cut just past its limit, so that too long is an error."""
    value = form.get(name)
    return value[: MAX_DESCRIPTION + 1] if isinstance(value, str) else ""


def _draft_from(form: CheckedForm) -> Draft:
    vocabulary = skill_vocabulary()
    ticked = [str(v)[:200] for v in form.getlist("skill")][: MAX_SKILLS * 2]
    return Draft(
        title=form_field(form, "title").strip(),
        provider=form_field(form, "provider").strip(),
        description=_long_text(form, "description").strip(),
        skills=tuple(dict.fromkeys(u for u in ticked if vocabulary.contains(u))),
        eqf_level=form_field(form, "eqf_level"),
        amount=form_field(form, "amount").strip(),
        unit=form_field(form, "unit"),
        mode=form_field(form, "mode"),
        language=form_field(form, "language"),
        link=form_field(form, "link").strip(),
        skill_q=form_field(form, "skill_q")[:100],
    )


def _checked(page: Page, draft: Draft) -> tuple[OpportunitySpec | None, list[tuple[str, str]]]:
    """The spec the draft makes, or the problems at each field in plain language."""
    errors = []
    if not 1 <= len(draft.title) <= 200:
        errors.append(("title", page._("Enter a title of 1 to 200 characters")))
    if not 1 <= len(draft.provider) <= 200:
        errors.append(("provider", page._("Enter who teaches it, in 1 to 200 characters")))
    if len(draft.description) > MAX_DESCRIPTION:
        errors.append(("description", page._("Shorten the description to 2000 characters")))
    if not 1 <= len(draft.skills) <= MAX_SKILLS:
        message = page._("Tick 1 to %(max)s skills it teaches; search first", max=MAX_SKILLS)
        errors.append(("skill_q", message))
    if draft.eqf_level not in ("", *(str(n) for n in range(1, 9))):
        errors.append(("eqf_level", page._("Choose a level")))
    amount = int(draft.amount) if draft.amount.isascii() and draft.amount.isdigit() else 0
    if not (1 <= amount <= 999 and draft.unit in UNITS):
        errors.append(("amount", page._("Enter how long it takes as a whole number, 1 to 999")))
    if draft.mode not in get_args(Mode):
        errors.append(("mode", page._("Choose how it is taught")))
    if not LANGUAGE.fullmatch(draft.language):
        errors.append(("language", page._("Choose the language of teaching")))
    if not LINK.fullmatch(draft.link):
        errors.append(("link", page._("Enter an address that starts with https://")))
    if errors:
        return None, errors
    return OpportunitySpec(
        title=draft.title,
        provider=draft.provider,
        description=draft.description,
        skills=draft.skills,
        eqf_level=int(draft.eqf_level) if draft.eqf_level else None,
        duration=f"P{int(draft.amount)}{draft.unit}",
        mode=cast(Mode, draft.mode),
        language=draft.language,
        link=draft.link,
    ), []


def _form_page(
    page: Page,
    here: StaffAt,
    draft: Draft,
    *,
    action: str,
    title: str,
    status: int = 200,
    errors: list[tuple[str, str]] | None = None,
) -> Response:
    shown = list(dict.fromkeys([*draft.skills, *draft.found]))
    return page.render(
        "org_opportunity_form.html",
        title=title,
        status=status,
        errors=errors,
        here=here,
        draft=draft,
        skills=[(uri, label_of(uri)) for uri in shown],
        action=action,
        modes=mode_names(page),
        languages_named=language_names(page),
        units={
            "D": page._("days"),
            "W": page._("weeks"),
            "M": page._("months"),
            "Y": page._("years"),
        },
        org_nav=True,
    )


def _step(form: CheckedForm) -> str:
    """The button pressed. The form's default button (Enter pressed in a field) searches when
    the search box holds words it did not hold when the page was shown, and saves otherwise."""
    step = form_field(form, "step")
    if step != "enter":
        return step
    typed = form_field(form, "skill_q").strip()
    return "search" if typed and typed != form_field(form, "skill_searched").strip() else "save"


def _searched(draft: Draft) -> Draft:
    query = draft.skill_q.strip()
    found = [s.uri for s in skill_vocabulary().search(query, SKILL_RESULTS)] if query else []
    return replace(draft, found=tuple(found))


def _one(session: SessionDep, issuer: IssuerAccount, opportunity_id: str) -> Opportunity:
    for opportunity in list_opportunities(session, issuer_id=issuer.id):
        if opportunity.id == opportunity_id:
            return opportunity
    raise HTTPException(status_code=404)


@router.get("/org/{slug}/opportunities")
def opportunities(
    page: PageDep,
    here: IssuerStaffDep,
    session: SessionDep,
    done: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The educator's learning opportunities, oldest first, and the way to add one."""
    issuer = _educator(here)
    found = list_opportunities(session, issuer_id=issuer.id)
    return page.render(
        "org_opportunities.html",
        title=page._("Learning opportunities"),
        here=here,
        opportunities=found,
        labels={o.id: [label_of(u) for u in o.skills] for o in found},
        durations={o.id: duration_text(page, o.duration) for o in found},
        modes=mode_names(page),
        languages_named=language_names(page),
        done=done,
        org_nav=True,
    )


@router.get("/org/{slug}/opportunities/new")
def new_form(page: PageDep, here: IssuerStaffDep) -> Response:
    """An empty form for a new learning opportunity."""
    issuer = _educator(here)
    return _form_page(
        page,
        here,
        Draft(provider=issuer.name),
        action=f"/org/{issuer.slug}/opportunities/new",
        title=page._("Add a learning opportunity"),
    )


@router.post("/org/{slug}/opportunities/new")
def add(page: PageDep, here: IssuerStaffDep, form: CheckedForm, session: SessionDep) -> Response:
    """Search skills (the form comes back) or publish the opportunity."""
    issuer = _educator(here)
    draft = _draft_from(form)
    action, title = f"/org/{issuer.slug}/opportunities/new", page._("Add a learning opportunity")
    if _step(form) == "search":
        return _form_page(page, here, _searched(draft), action=action, title=title)
    spec, errors = _checked(page, draft)
    if spec is not None:
        try:
            publish_opportunity(session, issuer=issuer, spec=spec, now=datetime.now(UTC))
        except OpportunityLimitReached:
            errors = [("title", page._("Remove an old one first: you can publish at most 200"))]
        else:
            return RedirectResponse(f"/org/{issuer.slug}/opportunities?done=added", 303)
    return _form_page(page, here, draft, action=action, title=title, status=422, errors=errors)


@router.get("/org/{slug}/opportunities/{opportunity_id}")
def edit_form(
    opportunity_id: OpportunityId, page: PageDep, here: IssuerStaffDep, session: SessionDep
) -> Response:
    """The form with what the opportunity says now."""
    issuer = _educator(here)
    opportunity = _one(session, issuer, opportunity_id)
    return _form_page(
        page,
        here,
        _draft_of(opportunity),
        action=f"/org/{issuer.slug}/opportunities/{opportunity.id}",
        title=page._("Edit %(title)s", title=opportunity.title),
    )


@router.post("/org/{slug}/opportunities/{opportunity_id}")
def edit(
    opportunity_id: OpportunityId,
    page: PageDep,
    here: IssuerStaffDep,
    form: CheckedForm,
    session: SessionDep,
) -> Response:
    """Search skills (the form comes back) or save the changes."""
    issuer = _educator(here)
    opportunity = _one(session, issuer, opportunity_id)
    draft = _draft_from(form)
    action = f"/org/{issuer.slug}/opportunities/{opportunity.id}"
    title = page._("Edit %(title)s", title=opportunity.title)
    if _step(form) == "search":
        return _form_page(page, here, _searched(draft), action=action, title=title)
    spec, errors = _checked(page, draft)
    if spec is None:
        return _form_page(page, here, draft, action=action, title=title, status=422, errors=errors)
    revise_opportunity(session, issuer=issuer, opportunity_id=opportunity.id, spec=spec)
    return RedirectResponse(f"/org/{issuer.slug}/opportunities?done=saved", 303)


@router.get("/org/{slug}/opportunities/{opportunity_id}/remove")
def remove_confirm(
    opportunity_id: OpportunityId, page: PageDep, here: IssuerStaffDep, session: SessionDep
) -> Response:
    """Ask once before removing an opportunity."""
    opportunity = _one(session, _educator(here), opportunity_id)
    return page.render(
        "org_opportunity_remove.html",
        title=page._("Remove %(title)s?", title=opportunity.title),
        here=here,
        opportunity=opportunity,
        org_nav=True,
    )


@router.post("/org/{slug}/opportunities/{opportunity_id}/remove")
def remove(
    opportunity_id: OpportunityId,
    here: IssuerStaffDep,
    form: CheckedForm,
    session: SessionDep,
) -> Response:
    """Remove the opportunity at once: people's gaps no longer list it."""
    issuer = _educator(here)
    withdraw_opportunity(session, issuer_id=issuer.id, opportunity_id=opportunity_id)
    return RedirectResponse(f"/org/{issuer.slug}/opportunities?done=removed", 303)
