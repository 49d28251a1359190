"""What people granted a guidance organisation: ``/v1/verifiers/{slug}/grants`` (issue 16).

Authorization as for every verifier endpoint: the organisation's API key (401 without, 404 on
another verifier's path). A grant to another organisation is 404 ``grant_not_found``; a grant
the person withdrew or that ended is 410 (``grant_withdrawn``, ``grant_expired``). Each read of
a grant shows exactly what was granted, each credential verified live through the one gate, and
is written to the person's activity log.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from api.deps import KEKDep, SessionDep
from api.edge import StrictRoute
from api.flows.grant_access import GrantedView, read_grant
from api.language import LanguageDep
from api.routers.verifiers import VerifierDep
from api.routers.wallet_deps import CheckerDep, NowDep
from api.routers.wallet_goals import GapOut, gap_out
from api.routers.wallet_grants import GrantOut, grant_out
from api.routers.wallet_models import CredentialDetailOut
from api.routers.wallet_views import detail_out
from wallet.goals import MAX_OCCUPATION_ID_CHARS
from wallet.grants import grants_to

router = APIRouter(
    prefix="/v1/verifiers/{slug}/grants", tags=["verifiers"], route_class=StrictRoute
)


class GrantedSkillOut(BaseModel):
    uri: str
    label: str
    verified: bool
    self_declared: bool
    attested_by: list[str]


class GrantedViewOut(BaseModel):
    grant: GrantOut
    skills: list[GrantedSkillOut] | None
    gaps: list[GapOut]
    credentials: list[CredentialDetailOut]


class GrantedListOut(BaseModel):
    grants: list[GrantOut]


def view_out(view: GrantedView) -> GrantedViewOut:
    return GrantedViewOut(
        grant=grant_out(view.grant),
        skills=None
        if view.skills is None
        else [GrantedSkillOut.model_validate(s, from_attributes=True) for s in view.skills.skills],
        gaps=[gap_out(g) for g in view.gaps],
        credentials=[detail_out(c) for c in view.credentials],
    )


@router.get("", response_model=GrantedListOut)
def get_granted(
    verifier: VerifierDep, session: SessionDep, kek: KEKDep, now: NowDep
) -> GrantedListOut:
    """The grants to this organisation that are active now (what, why, until when)."""
    found = grants_to(session, grantee_id=verifier.id, kek=kek, now=now)
    return GrantedListOut(grants=[grant_out(g) for g in found])


@router.get("/{grant_id}", response_model=GrantedViewOut)
def get_grant(
    grant_id: Annotated[str, Path(max_length=40)],
    verifier: VerifierDep,
    session: SessionDep,
    kek: KEKDep,
    verify: CheckerDep,
    lang: LanguageDep,
    now: NowDep,
    occupation: Annotated[
        str | None,
        Query(
            max_length=MAX_OCCUPATION_ID_CHARS,
            description="An occupation's id: its gap follows those to the person's goals.",
        ),
    ] = None,
) -> GrantedViewOut:
    """Exactly what the person granted: profile and gaps and/or credentials, checked live.

    With ``occupation`` (and the profile granted) the gaps include the one to that occupation;
    an unknown one is 404 ``occupation_not_found`` and nothing is read.
    """
    view = read_grant(
        session,
        organisation_id=verifier.id,
        grant_id=grant_id,
        kek=kek,
        verify=verify,
        lang=lang,
        now=now,
        occupation_id=occupation,
    )
    return view_out(view)
