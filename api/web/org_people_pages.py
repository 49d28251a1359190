"""Guidance counsellors' pages: the people who gave their organisation access (issue 16).

``/org/{slug}/people`` lists the grants to the organisation that are active now (what, why,
until when); ``/org/{slug}/people/{grant_id}`` shows exactly what one person granted, through
the same flow as the counsellors' API (:func:`api.flows.grant_access.read_grant`): each skill
verified by a credential that passes the one gate at this read, or only self-declared, and the
gap to the person's goal occupations (or an occupation the counsellor chooses) with the learning
opportunities that close it. Every load of a person's page is written to that person's activity
log. A grant the person withdrew, or one that ended, shows only that access has ended (410).

Verifier staff and admins of a verifier organisation marked as a guidance or employment service
(:data:`api.web.org_access.VerifierStaffDep`); for any other organisation these pages are 404.
"""

from datetime import UTC, datetime
from typing import Annotated, Final

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response

from api.deps import KEKDep, SessionDep, SettingsDep, SourcesDep
from api.flows.grant_access import read_grant
from api.web.guidance_pages import duration_text, language_names, mode_names
from api.web.org_access import StaffAt, VerifierStaffDep
from api.web.rendering import PageDep
from api.web.service_calls import checker_in
from schemas import occupation_vocabulary
from verifiers.organisations import VerifierInfo
from wallet.errors import GrantGone
from wallet.goals import MAX_OCCUPATION_ID_CHARS
from wallet.grants import grants_to

router = APIRouter()
SEARCH_RESULTS: Final = 15


def _guidance(here: StaffAt) -> VerifierInfo:
    verifier = here.organisation.verifier
    if verifier is None or not verifier.guidance:
        raise HTTPException(status_code=404)
    return verifier


@router.get("/org/{slug}/people")
def people(page: PageDep, here: VerifierStaffDep, session: SessionDep, kek: KEKDep) -> Response:
    """The people whose access to this organisation is active now, newest first."""
    verifier = _guidance(here)
    return page.render(
        "org_people.html",
        title=page._("People who gave you access"),
        here=here,
        grants=grants_to(session, grantee_id=verifier.id, kek=kek, now=datetime.now(UTC)),
        org_nav=True,
    )


@router.get("/org/{slug}/people/{grant_id}")
def person(
    grant_id: Annotated[str, Path(max_length=40)],
    page: PageDep,
    here: VerifierStaffDep,
    session: SessionDep,
    kek: KEKDep,
    settings: SettingsDep,
    sources: SourcesDep,
    occupation: Annotated[str, Query(max_length=MAX_OCCUPATION_ID_CHARS)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """What one person granted, checked now, and the gaps; the read is in their activity log."""
    verifier = _guidance(here)
    results = occupation_vocabulary().search(q, SEARCH_RESULTS) if q.strip() else []
    errors = []
    chosen = occupation or None
    if chosen is not None and occupation_vocabulary().by_id(chosen) is None:
        errors.append(("q", page._("Choose an occupation from the search results")))
        chosen = None
    try:
        view = read_grant(
            session,
            organisation_id=verifier.id,
            grant_id=grant_id,
            kek=kek,
            verify=checker_in(session, settings=settings, sources=sources, language=page.language),
            lang=page.language,
            now=datetime.now(UTC),
            occupation_id=chosen,
        )
    except GrantGone:
        return page.render(
            "org_person_ended.html",
            title=page._("Access has ended"),
            status=410,
            here=here,
            org_nav=True,
        )
    holdings = view.skills.holdings if view.skills is not None else ()
    names = {h.id: h.title or h.type_name for h in holdings}
    names.update({c.summary.id: c.summary.title or c.summary.type_name for c in view.credentials})
    opportunities = [o.opportunity for gap in view.gaps for o in gap.opportunities]
    return page.render(
        "org_person.html",
        title=page._("What the person gave you access to"),
        status=422 if errors else 200,
        errors=errors,
        here=here,
        view=view,
        names=names,
        q=q,
        results=results,
        modes=mode_names(page),
        languages_named=language_names(page),
        durations={o.id: duration_text(page, o.duration) for o in opportunities},
        org_nav=True,
    )
