"""``/wallet/goals`` (goal occupations, the gap and the courses that close it) and
``/wallet/grants`` (who may see what, until when; give access; withdraw), issue 16."""

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Final

from fastapi import APIRouter, Path, Query
from fastapi.responses import RedirectResponse, Response

from api.deps import KEKDep, SessionDep, SettingsDep, SourcesDep
from api.flows.goal_gap import read_goal_gap
from api.flows.grant_access import GrantRequest, grant_access, organisations_to_grant
from api.web.accounts import field
from api.web.rendering import PageDep
from api.web.service_calls import checker_in
from api.web.sessions import CheckedForm, CurrentPerson
from credentials.errors import TaitoError
from schemas import occupation_vocabulary
from wallet.consent import GRANT_CONSENT, list_receipts
from wallet.credentials import CredentialFilter, list_credentials
from wallet.goals import MAX_OCCUPATION_ID_CHARS, choose_goal, list_goals, remove_goal
from wallet.grants import MAX_LABEL_CHARS, list_grants, withdraw_grant
from wallet.shares.rules import add_months

router = APIRouter()
SEARCH_RESULTS: Final = 15
OccupationId = Annotated[str, Path(max_length=MAX_OCCUPATION_ID_CHARS)]


@router.get("/wallet/goals")
def goals_page(
    page: PageDep,
    holder: CurrentPerson,
    session: SessionDep,
    kek: KEKDep,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Your goal occupations, and a search of the occupations to choose one."""
    results = occupation_vocabulary().search(q, SEARCH_RESULTS) if q.strip() else []
    return page.render(
        "goals.html",
        title=page._("Your career goals"),
        goals=list_goals(session, holder_id=holder, kek=kek),
        q=q,
        results=results,
    )


@router.post("/wallet/goals")
def choose(
    page: PageDep, holder: CurrentPerson, form: CheckedForm, session: SessionDep, kek: KEKDep
) -> Response:
    """Save an occupation as a goal, then show its gap."""
    goal = choose_goal(
        session,
        holder_id=holder,
        occupation_id=field(form, "occupation")[:MAX_OCCUPATION_ID_CHARS],
        kek=kek,
        now=datetime.now(UTC),
    )
    return RedirectResponse(f"/wallet/goals/{goal.occupation_id}", status_code=303)


@router.get("/wallet/goals/{occupation_id}")
def gap_page(
    occupation_id: OccupationId,
    page: PageDep,
    holder: CurrentPerson,
    session: SessionDep,
    kek: KEKDep,
    settings: SettingsDep,
    sources: SourcesDep,
) -> Response:
    """The gap to one occupation, on skills your credentials prove today, and matching courses."""
    gap = read_goal_gap(
        session,
        holder_id=holder,
        occupation_id=occupation_id,
        kek=kek,
        verify=checker_in(session, settings=settings, sources=sources, language=page.language),
        lang=page.language,
        now=datetime.now(UTC),
    )
    goals = list_goals(session, holder_id=holder, kek=kek)
    return page.render(
        "goal.html",
        title=gap.occupation_label,
        gap=gap,
        chosen=any(g.occupation_id == gap.occupation_id for g in goals),
        modes=mode_names(page),
        languages_named=language_names(page),
        durations={
            o.opportunity.id: duration_text(page, o.opportunity.duration) for o in gap.opportunities
        },
    )


def mode_names(page: PageDep) -> dict[str, str]:
    """How a learning opportunity is taught, in words of the page's language."""
    return {
        "in_person": page._("In person"),
        "online": page._("Online"),
        "blended": page._("Partly online, partly in person"),
    }


def language_names(page: PageDep) -> dict[str, str]:
    """The teaching languages the pages name in words (others are shown as their code)."""
    return {"fi": page._("Finnish"), "sv": page._("Swedish"), "en": page._("English")}


def duration_text(page: PageDep, duration: str) -> str:
    """An ISO 8601 duration (``P1Y2M10W3D``) in words of the page's language."""
    found = {unit: int(number) for number, unit in re.findall(r"(\d+)([YMWD])", duration)}
    t = page.t
    parts = [
        t.ngettext("%(num)s year", "%(num)s years", found["Y"]) if "Y" in found else "",
        t.ngettext("%(num)s month", "%(num)s months", found["M"]) if "M" in found else "",
        t.ngettext("%(num)s week", "%(num)s weeks", found["W"]) if "W" in found else "",
        t.ngettext("%(num)s day", "%(num)s days", found["D"]) if "D" in found else "",
    ]
    return ", ".join(str(part) for part in parts if part) or duration


@router.post("/wallet/goals/{occupation_id}/remove")
def remove(
    occupation_id: OccupationId,
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    kek: KEKDep,
) -> Response:
    """Remove a goal occupation."""
    remove_goal(
        session, holder_id=holder, occupation_id=occupation_id, kek=kek, now=datetime.now(UTC)
    )
    return RedirectResponse("/wallet/goals", status_code=303)


def _grants_page(
    page: PageDep,
    holder: str,
    session: SessionDep,
    kek: bytes,
    *,
    status: int = 200,
    errors: list[tuple[str, str]] | None = None,
    form: dict[str, object] | None = None,
    done: str = "",
) -> Response:
    now = datetime.now(UTC)
    credentials = list_credentials(
        session, holder_id=holder, kek=kek, lang=page.language, filters=CredentialFilter()
    )
    grants = list_grants(session, holder_id=holder, kek=kek, now=now)
    return page.render(
        "grants.html",
        title=page._("Access for guidance services"),
        status=status,
        errors=errors,
        active=[g for g in grants if g.state == "active"],
        past=[g for g in grants if g.state != "active"],
        receipts=list_receipts(session, holder_id=holder, kek=kek),
        organisations=organisations_to_grant(session, base_url=page.settings.base_url),
        credentials=credentials,
        names={c.id: c.title or c.type_name for c in credentials},
        consent=GRANT_CONSENT.text(page.language),
        default_until=add_months(now, 3).date().isoformat(),
        form=form or {},
        done=done,
    )


@router.get("/wallet/grants")
def grants_page(
    page: PageDep,
    holder: CurrentPerson,
    session: SessionDep,
    kek: KEKDep,
    done: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """Who may see what and until when; give a guidance service access; withdraw access."""
    return _grants_page(page, holder, session, kek, done=done)


def _until(text: str) -> datetime | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return datetime.combine(day, time(23, 59), tzinfo=UTC)


@router.post("/wallet/grants")
def give_access(
    page: PageDep,
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    kek: KEKDep,
    settings: SettingsDep,
) -> Response:
    """Give a guidance service access; errors are shown at the top and at each field."""
    chosen = [str(v)[:40] for v in form.getlist("credential")][:50]
    values: dict[str, object] = {
        "organisation": field(form, "organisation"),
        "purpose": field(form, "purpose").strip(),
        "profile": field(form, "profile") == "yes",
        "credentials": chosen,
        "until": field(form, "until"),
        "label": field(form, "label").strip(),
    }
    errors = []
    if not values["organisation"]:
        errors.append(("organisation", page._("Choose the service that may see your skills")))
    if not values["profile"] and not chosen:
        errors.append(("profile", page._("Choose your skills, a credential, or both")))
    if not values["purpose"]:
        errors.append(("purpose", page._("Say why, for example: Career guidance in spring")))
    if len(str(values["label"])) > MAX_LABEL_CHARS:
        errors.append(("label", page._("Shorten the name to 100 characters, or leave it empty")))
    until = _until(str(values["until"]))
    now = datetime.now(UTC)
    if until is None or not now < until <= now + timedelta(days=366):
        errors.append(("until", page._("Enter a date within the next 12 months")))
    if field(form, "agree") != "yes":
        errors.append(("agree", page._("Tick the box to agree, or do not give access")))
    if not errors:
        request = GrantRequest(
            organisation=str(values["organisation"]),
            purpose=str(values["purpose"]),
            profile=bool(values["profile"]),
            credential_ids=tuple(chosen),
            consent_version=GRANT_CONSENT.version,
            expires_at=until,
            label=str(values["label"]),
        )
        try:
            grant_access(
                session,
                holder_id=holder,
                request=request,
                kek=kek,
                base_url=settings.base_url,
                now=now,
            )
        except TaitoError:
            errors.append(("organisation", page._("Access could not be given. Check your choices")))
        else:
            return RedirectResponse("/wallet/grants?done=granted", status_code=303)
    return _grants_page(page, holder, session, kek, status=422, errors=errors, form=values)


@router.post("/wallet/grants/{grant_id}/withdraw")
def withdraw(
    grant_id: Annotated[str, Path(max_length=40)],
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    kek: KEKDep,
) -> Response:
    """Withdraw access at once."""
    withdraw_grant(session, holder_id=holder, grant_id=grant_id, kek=kek, now=datetime.now(UTC))
    return RedirectResponse("/wallet/grants?done=withdrawn", status_code=303)
