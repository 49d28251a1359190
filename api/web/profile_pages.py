"""``/wallet/profile`` (the skills profile, self-declared skills added and removed with an ESCO
search) and ``/wallet/activity`` (the activity log, paged)."""

from datetime import UTC, datetime
from typing import Annotated, Final

from fastapi import APIRouter, Path, Query
from fastapi.responses import RedirectResponse, Response

from api.deps import KEKDep, SessionDep
from api.web.accounts import field
from api.web.language import N_
from api.web.rendering import PageDep
from api.web.sessions import CheckedForm, CurrentPerson
from schemas import skill_vocabulary
from wallet.activity import list_activity
from wallet.errors import SkillInvalid
from wallet.profile import (
    declare_skill,
    list_declared_skills,
    remove_declared_skill,
    skills_profile,
)

router = APIRouter()
PAGE_SIZE: Final = 25
SEARCH_RESULTS: Final = 15

ACTIVITY: Final[dict[str, str]] = {
    "account_created": N_("You opened your wallet"),
    "credential_received": N_("You received a credential"),
    "credential_deleted": N_("You deleted a credential"),
    "skill_declared": N_("You added a skill"),
    "skill_removed": N_("You removed a skill"),
    "share_created": N_("You shared credentials"),
    "share_viewed": N_("Someone opened your share"),
    "share_withdrawn": N_("You withdrew a share"),
    "request_answered": N_("You answered a request"),
    "request_declined": N_("You declined a request"),
    "wallet_exported": N_("You downloaded your wallet"),
    "wallet_imported": N_("You imported a wallet file"),
    "goal_chosen": N_("You chose a career goal"),
    "goal_removed": N_("You removed a career goal"),
    "grant_created": N_("You gave a guidance service access"),
    "grant_read": N_("A guidance service looked at what you gave it access to"),
    "grant_withdrawn": N_("You withdrew a guidance service's access"),
}


@router.get("/wallet/profile")
def profile_page(
    page: PageDep,
    holder: CurrentPerson,
    session: SessionDep,
    kek: KEKDep,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Every skill, its best level and who attests it; an ESCO search to add your own."""
    profile = skills_profile(session, holder_id=holder, kek=kek, lang=page.language)
    declared = {s.uri: s.id for s in list_declared_skills(session, holder_id=holder, kek=kek)}
    results = skill_vocabulary().search(q, limit=SEARCH_RESULTS) if q.strip() else []
    return page.render(
        "profile.html",
        title=page._("Your skills"),
        profile=profile,
        declared=declared,
        q=q,
        results=results,
    )


@router.post("/wallet/profile/skills")
def add_skill(
    page: PageDep, holder: CurrentPerson, form: CheckedForm, session: SessionDep, kek: KEKDep
) -> Response:
    """Declare an ESCO skill yourself (marked self-declared, never verified)."""
    try:
        declare_skill(
            session,
            holder_id=holder,
            uri=field(form, "uri"),
            level=None,
            kek=kek,
            now=datetime.now(UTC),
        )
    except SkillInvalid:
        return page.render(
            "error.html",
            title=page._("There is a problem"),
            status=422,
            message=page._("Choose a skill from the search results"),
        )
    return RedirectResponse("/wallet/profile", status_code=303)


@router.post("/wallet/profile/skills/{skill_id}/remove")
def remove_skill(
    skill_id: Annotated[str, Path(max_length=40)],
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    kek: KEKDep,
) -> Response:
    """Remove a self-declared skill."""
    remove_declared_skill(
        session, holder_id=holder, skill_id=skill_id, kek=kek, now=datetime.now(UTC)
    )
    return RedirectResponse("/wallet/profile", status_code=303)


@router.get("/wallet/activity")
def activity_page(
    page: PageDep,
    holder: CurrentPerson,
    session: SessionDep,
    kek: KEKDep,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """The activity log, newest first, a page at a time."""
    entries = list_activity(session, holder_id=holder, kek=kek, limit=PAGE_SIZE + 1, before=before)
    more = len(entries) > PAGE_SIZE
    shown = entries[:PAGE_SIZE]
    return page.render(
        "activity.html",
        title=page._("Your activity"),
        entries=[(e, page._(ACTIVITY.get(e.kind.value, e.kind.value))) for e in shown],
        older=shown[-1].seq if more and shown else None,
        first_page=before is None,
    )
