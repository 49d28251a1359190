"""The verifier staff's requests: ask a person for credentials, wait for the answer, read it.

- ``/org/{slug}/requests/new``: choose the credential types, the claims wanted, conditions (an
  EQF level at least N; an ESCO skill chosen with a search that works without JavaScript) and
  the purpose in plain words. The request is made by the flow the API uses
  (:func:`api.flows.presentation_request.ask_for_credentials`).
- ``/org/{slug}/requests/{request_id}``: the links for the person (Taito's own and the
  ``openid4vp://`` link any wallet opens) with QR codes; the page reloads itself every few
  seconds (the ``Refresh`` header, no script; staff may stop it) until the person answers or
  the request expires, then shows what was asked, whether the conditions are met and the report
  in the page language (:mod:`api.web.report_view`).
- ``POST /org/{slug}/requests/{request_id}/verify-again``: the kept answer through the gate now
  (:func:`verifiers.kept_answers.verify_answer_again`); a revocation since shows as a failure.

Every page needs the verifier side and the verifier staff or admin role
(:data:`api.web.org_access.VerifierStaffDep`).
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final, Literal

import segno
from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from api.deps import KEKDep, RequestSignerDep, SessionDep, SettingsDep
from api.flows.presentation_request import ask_for_credentials
from api.routers.verifiers import SourcesDep
from api.web.accounts import field
from api.web.org_access import StaffAt, VerifierStaffDep
from api.web.rendering import Page, PageDep
from api.web.report_view import asked_of, shown_report
from api.web.sessions import CheckedForm
from credentials.errors import QueryInvalid
from schemas import credential_type, skill_vocabulary
from schemas.registry import SLUGS
from schemas.type_metadata import claim_label, type_display_name
from verifiers.kept_answers import verify_answer_again
from verifiers.openid4vp import authorization_request
from verifiers.organisations import VerifierInfo
from verifiers.presentation_requests import MAX_PURPOSE, get_request

router = APIRouter()

REFRESH_SECONDS: Final = 5
SEARCH_RESULTS: Final = 10
EQF_LEVELS: Final = tuple(range(1, 9))
LIFETIMES: Final = {"1": timedelta(hours=1), "24": timedelta(days=1), "168": timedelta(days=7)}
RequestId = Annotated[str, Path(max_length=40)]


def verifier_of(here: StaffAt) -> VerifierInfo:
    """The organisation's verifier side (404 for an organisation that only issues)."""
    if here.organisation.verifier is None:
        raise HTTPException(status_code=404)
    return here.organisation.verifier


def _properties(slug: str) -> dict[str, Any]:
    properties = credential_type(slug).schema.get("properties", {})
    return dict(properties)


def _types(page: Page) -> list[dict[str, Any]]:
    """Each type with its top-level claims, labelled in the page language."""
    found = []
    for slug in SLUGS:
        claims = [
            (name, claim_label(slug, (name,), page.language) or name)
            for name in _properties(slug)
            if name != "skills"
        ]
        if "skills" in _properties(slug):
            claims.append(("skills", claim_label(slug, ("skills",), page.language) or "skills"))
        found.append(
            {
                "slug": slug,
                "name": type_display_name(slug, page.language),
                "claims": claims,
                "eqf": "eqf_level" in _properties(slug),
                "skills": "skills" in _properties(slug),
            }
        )
    return found


def _ask_page(
    page: Page,
    here: StaffAt,
    *,
    q: str,
    chosen: dict[str, Any],
    errors: list[tuple[str, str]],
    status: int = 200,
) -> Response:
    results = skill_vocabulary().search(q, limit=SEARCH_RESULTS) if q.strip() else []
    skill = chosen.get("skill", "")
    skill_known = skill_vocabulary().get(skill) if skill else None
    return page.render(
        "org_request_new.html",
        title=page._("Ask for credentials"),
        status=status,
        errors=errors,
        here=here,
        types=_types(page),
        q=q,
        results=results,
        chosen=chosen,
        skill_known=skill_known,
        eqf_levels=EQF_LEVELS,
        org_nav=True,
    )


@router.get("/org/{slug}/requests/new")
def ask_form(
    page: PageDep,
    here: VerifierStaffDep,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The form: types, claims, conditions, purpose; the skill search above it (no script)."""
    verifier_of(here)
    return _ask_page(page, here, q=q, chosen={"types": [], "claims": {}}, errors=[])


def _chosen(form: CheckedForm) -> dict[str, Any]:
    types = [v for v in form.getlist("type") if isinstance(v, str) and v in SLUGS]
    claims = {
        slug: [v for v in form.getlist(f"claim-{slug}") if isinstance(v, str)][:50]
        for slug in SLUGS
    }
    return {
        "types": types,
        "claims": claims,
        "eqf_min": field(form, "eqf_min"),
        "skill": field(form, "skill"),
        "purpose": field(form, "purpose").strip(),
        "expires": field(form, "expires") or "24",
    }


def _query_form(chosen: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """The API's convenience form of the choices, and the fields that are wrong."""
    wrong: list[str] = []
    eqf = chosen["eqf_min"]
    eqf_min = int(eqf) if eqf.isdigit() and int(eqf) in EQF_LEVELS else None
    if eqf and eqf_min is None:
        wrong.append("eqf_min")
    skill = chosen["skill"]
    if skill and not skill_vocabulary().contains(skill):
        wrong.append("skill")
    credentials = []
    for slug in chosen["types"]:
        properties = _properties(slug)
        wanted: list[Any] = [
            name
            for name in chosen["claims"][slug]
            if name in properties
            and not (name == "eqf_level" and eqf_min is not None)
            and not (name == "skills" and skill)
        ]
        if eqf_min is not None and "eqf_level" in properties:
            wanted.append({"path": "eqf_level", "min": eqf_min})
        if skill and "skills" in properties:
            wanted.append({"has_skill": skill})
        if not wanted:
            wrong.append("query")
        credentials.append({"id": slug, "type": slug, "claims": wanted})
    if not chosen["types"]:
        wrong.append("type")
    elif eqf_min is not None and not any("eqf_level" in _properties(s) for s in chosen["types"]):
        wrong.append("eqf_min")
    elif skill and not any("skills" in _properties(s) for s in chosen["types"]):
        wrong.append("skill")
    if not 0 < len(chosen["purpose"]) <= MAX_PURPOSE:
        wrong.append("purpose")
    return credentials, wrong


def _messages(page: Page) -> dict[str, str]:
    return {
        "type": page._("Choose at least one type of credential"),
        "eqf_min": page._("Choose an EQF level, and a type of credential that has one"),
        "skill": page._("Choose a skill from the search results, and a type that lists skills"),
        "purpose": page._("Tell the person why you ask, in at most 500 characters"),
        "query": page._("Choose what you want to see of each type of credential"),
    }


@router.post("/org/{slug}/requests/new")
def ask(
    page: PageDep,
    here: VerifierStaffDep,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    signer: RequestSignerDep,
) -> Response:
    """Create the request as the API does and go to its page."""
    verifier = verifier_of(here)
    chosen = _chosen(form)
    credentials, wrong = _query_form(chosen)
    messages = _messages(page)
    if wrong:
        errors = [("type" if name == "query" else name, messages[name]) for name in wrong]
        return _ask_page(page, here, q="", chosen=chosen, errors=errors, status=422)
    try:
        asked = ask_for_credentials(
            session,
            verifier=verifier,
            dcql_query=None,
            form=credentials,
            purpose=chosen["purpose"],
            expires_in=LIFETIMES.get(chosen["expires"], LIFETIMES["24"]),
            language=page.language,
            signer=signer,
            base_url=settings.base_url,
            now=datetime.now(UTC),
        )
    except QueryInvalid:
        errors = [("type", messages["query"])]
        return _ask_page(page, here, q="", chosen=chosen, errors=errors, status=422)
    return RedirectResponse(
        f"/org/{here.organisation.slug}/requests/{asked.created.id}", status_code=303
    )


def _qr(link: str, title: str) -> Markup:
    svg = segno.make(link, error="m").svg_inline(scale=4, title=title, border=2)
    return Markup(svg)  # noqa: S704 - segno's own SVG markup of our link


@router.get("/org/{slug}/requests/{request_id}")
def request_page(
    request_id: RequestId,
    page: PageDep,
    here: VerifierStaffDep,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    signer: RequestSignerDep,
    updates: Annotated[Literal["on", "off"], Query()] = "on",
) -> Response:
    """Waiting: the links and QR codes, reloading itself; answered: the report.

    The reload is the ``Refresh`` response header (no script, nothing in the page that a
    screen reader would announce as a timer), and the page offers to stop it (WCAG 2.2.1).
    """
    verifier = verifier_of(here)
    state = get_request(
        session,
        verifier=verifier,
        request_id=request_id,
        kek=kek,
        base_url=settings.base_url,
        now=datetime.now(UTC),
    )
    openid4vp = None
    if state.status == "pending" and signer is not None:
        openid4vp = authorization_request(
            verifier=verifier, request_id=state.id, signer=signer, base_url=settings.base_url
        )
    report = (
        shown_report(state.outcome, t=page.t, base_url=settings.base_url) if state.outcome else None
    )
    response = page.render(
        "org_request.html",
        title=page._("Request: %(purpose)s", purpose=state.purpose),
        here=here,
        state=state,
        asked=asked_of(state.query, t=page.t, base_url=settings.base_url),
        report=report,
        openid4vp=openid4vp,
        taito_qr=_qr(state.link, page._("QR code of the link for Taito"))
        if state.status == "pending"
        else None,
        openid4vp_qr=_qr(openid4vp.uri, page._("QR code of the link for any wallet"))
        if openid4vp
        else None,
        refresh=REFRESH_SECONDS if state.status == "pending" else None,
        updating=updates == "on",
        org_nav=True,
    )
    if state.status == "pending" and updates == "on":
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@router.post("/org/{slug}/requests/{request_id}/verify-again")
def verify_again(
    request_id: RequestId,
    page: PageDep,
    here: VerifierStaffDep,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    sources: SourcesDep,
) -> Response:
    """The kept answer verified again now, shown as a report (nothing is stored)."""
    verifier = verifier_of(here)
    now = datetime.now(UTC)
    state = get_request(
        session,
        verifier=verifier,
        request_id=request_id,
        kek=kek,
        base_url=settings.base_url,
        now=now,
    )
    again = verify_answer_again(
        session,
        verifier=verifier,
        request_id=request_id,
        sources=sources,
        kek=kek,
        language=page.language,
        base_url=settings.base_url,
        now=now,
    )
    return page.render(
        "org_request.html",
        title=page._("Request: %(purpose)s", purpose=state.purpose),
        here=here,
        state=state,
        asked=asked_of(state.query, t=page.t, base_url=settings.base_url),
        report=shown_report(again.to_json(), t=page.t, base_url=settings.base_url),
        checked_again=now,
        openid4vp=None,
        taito_qr=None,
        openid4vp_qr=None,
        refresh=None,
        updating=False,
        org_nav=True,
    )
