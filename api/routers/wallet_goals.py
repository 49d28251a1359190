"""Goal occupations and skill gaps: ``/v1/wallet/goals`` (issue 16).

A goal is an ESCO occupation (named by its UUID, see ``/v1/occupations``). The gap
(``GET /v1/wallet/goals/{occupation}/gap``) checks every held credential through the one
verification gate at each read: only skills of credentials that pass now are verified.
"""

from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field

from api.deps import KEKDep, SessionDep
from api.edge import StrictRoute
from api.flows.goal_gap import GoalGap, read_goal_gap
from api.language import LanguageDep
from api.routers.issuer_opportunities import OpportunityOut, opportunity_out
from api.routers.wallet_deps import CheckerDep, CurrentHolder, NowDep
from wallet.goals import MAX_OCCUPATION_ID_CHARS, Goal, choose_goal, list_goals, remove_goal

router = APIRouter(
    prefix="/v1/wallet/goals", tags=["wallet", "wallet goals"], route_class=StrictRoute
)
OccupationId = Annotated[str, Path(max_length=MAX_OCCUPATION_ID_CHARS)]


class GoalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    occupation_id: str = Field(min_length=1, max_length=MAX_OCCUPATION_ID_CHARS)


class GoalOut(BaseModel):
    occupation_id: str
    occupation_uri: str
    label: str
    chosen_at: str


class GoalListOut(BaseModel):
    goals: list[GoalOut]


class GapSkillOut(BaseModel):
    uri: str
    label: str
    attested_by: list[str]


class GapOpportunityOut(OpportunityOut):
    closes_missing: list[str]
    closes_declared: list[str]


class GapOut(BaseModel):
    occupation_id: str
    occupation_uri: str
    occupation_label: str
    met: list[GapSkillOut]
    declared_only: list[GapSkillOut]
    missing: list[GapSkillOut]
    unmapped_skills: list[str]
    opportunities: list[GapOpportunityOut]


def goal_out(goal: Goal) -> GoalOut:
    return GoalOut(
        occupation_id=goal.occupation_id,
        occupation_uri=goal.occupation_uri,
        label=goal.label,
        chosen_at=goal.chosen_at.isoformat(),
    )


def gap_out(gap: GoalGap) -> GapOut:
    def skills(found: tuple[object, ...]) -> list[GapSkillOut]:
        return [GapSkillOut.model_validate(s, from_attributes=True) for s in found]

    return GapOut(
        occupation_id=gap.occupation_id,
        occupation_uri=gap.occupation_uri,
        occupation_label=gap.occupation_label,
        met=skills(gap.met),
        declared_only=skills(gap.declared_only),
        missing=skills(gap.missing),
        unmapped_skills=list(gap.unmapped),
        opportunities=[
            GapOpportunityOut(
                **opportunity_out(found.opportunity).model_dump(),
                closes_missing=list(found.closes_missing),
                closes_declared=list(found.closes_declared),
            )
            for found in gap.opportunities
        ],
    )


@router.get("", response_model=GoalListOut)
def get_goals(holder: CurrentHolder, session: SessionDep, kek: KEKDep) -> GoalListOut:
    """The person's goal occupations, in the order they chose them."""
    return GoalListOut(goals=[goal_out(g) for g in list_goals(session, holder_id=holder, kek=kek)])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GoalOut)
def post_goal(
    body: GoalIn, holder: CurrentHolder, session: SessionDep, kek: KEKDep, now: NowDep
) -> GoalOut:
    """Save an occupation as a goal (404 for an unknown one, 409 past the limit)."""
    goal = choose_goal(
        session, holder_id=holder, occupation_id=body.occupation_id, kek=kek, now=now
    )
    return goal_out(goal)


@router.delete("/{occupation_id}", status_code=204)
def delete_goal(
    occupation_id: OccupationId,
    holder: CurrentHolder,
    session: SessionDep,
    kek: KEKDep,
    now: NowDep,
) -> None:
    """Remove a goal occupation."""
    remove_goal(session, holder_id=holder, occupation_id=occupation_id, kek=kek, now=now)


@router.get("/{occupation_id}/gap", response_model=GapOut)
def get_gap(
    occupation_id: OccupationId,
    holder: CurrentHolder,
    session: SessionDep,
    kek: KEKDep,
    verify: CheckerDep,
    lang: LanguageDep,
    now: NowDep,
) -> GapOut:
    """The skills that meet the occupation (verified now), the declared-only, the missing, and
    the learning opportunities teaching the open ones (most missing skills first)."""
    gap = read_goal_gap(
        session,
        holder_id=holder,
        occupation_id=occupation_id,
        kek=kek,
        verify=verify,
        lang=lang,
        now=now,
    )
    return gap_out(gap)
