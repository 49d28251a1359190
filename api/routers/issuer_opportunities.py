"""Learning opportunities: ``/v1/issuers/{slug}/opportunities`` with the issuer's API key.

Educators (issuers accredited for qualifications or study attainments) publish what they teach,
naming the ESCO skills; a person's gap to a goal occupation lists the ones that close it (issue
16). Authorization as in :mod:`api.routers.issuers`: 401 without a valid key, 404 on another
issuer's path or for another issuer's opportunity.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SessionDep
from api.edge import StrictRoute
from api.routers.issuers import IssuerDep
from issuers.opportunities import (
    MAX_SKILLS,
    Mode,
    Opportunity,
    OpportunitySpec,
    list_opportunities,
    publish_opportunity,
    revise_opportunity,
    withdraw_opportunity,
)

router = APIRouter(
    prefix="/v1/issuers/{slug}/opportunities", tags=["issuers"], route_class=StrictRoute
)


class OpportunityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    provider: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    skills: list[Annotated[str, Field(max_length=200)]] = Field(
        min_length=1, max_length=MAX_SKILLS, description="ESCO skill URIs the opportunity teaches."
    )
    eqf_level: int | None = Field(default=None, ge=1, le=8)
    duration: str = Field(max_length=20, description="ISO 8601 duration, such as P10W.")
    mode: Mode
    language: str = Field(min_length=2, max_length=2, description="ISO 639-1 code.")
    link: str = Field(max_length=500, description="An https URL.")


class OpportunityOut(BaseModel):
    id: str
    issuer_slug: str
    issuer_name: str
    title: str
    provider: str
    description: str
    skills: list[str]
    eqf_level: int | None
    duration: str
    mode: str
    language: str
    link: str
    created_at: datetime


class OpportunityListOut(BaseModel):
    opportunities: list[OpportunityOut]


def opportunity_out(opportunity: Opportunity) -> OpportunityOut:
    return OpportunityOut.model_validate(opportunity, from_attributes=True)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=OpportunityOut)
def post_opportunity(body: OpportunityIn, issuer: IssuerDep, session: SessionDep) -> OpportunityOut:
    """Publish a learning opportunity (403 for an issuer that is not an educator)."""
    spec = OpportunitySpec(**body.model_dump() | {"skills": tuple(body.skills)})
    published = publish_opportunity(session, issuer=issuer, spec=spec, now=datetime.now(UTC))
    return opportunity_out(published)


@router.get("", response_model=OpportunityListOut)
def get_opportunities(issuer: IssuerDep, session: SessionDep) -> OpportunityListOut:
    """The issuer's own learning opportunities, oldest first."""
    found = list_opportunities(session, issuer_id=issuer.id)
    return OpportunityListOut(opportunities=[opportunity_out(o) for o in found])


@router.put("/{opportunity_id}", response_model=OpportunityOut)
def put_opportunity(
    opportunity_id: Annotated[str, Path(max_length=40)],
    body: OpportunityIn,
    issuer: IssuerDep,
    session: SessionDep,
) -> OpportunityOut:
    """Replace what one of the issuer's learning opportunities says (its id stays)."""
    spec = OpportunitySpec(**body.model_dump() | {"skills": tuple(body.skills)})
    revised = revise_opportunity(session, issuer=issuer, opportunity_id=opportunity_id, spec=spec)
    return opportunity_out(revised)


@router.delete("/{opportunity_id}", status_code=204)
def delete_opportunity(
    opportunity_id: Annotated[str, Path(max_length=40)], issuer: IssuerDep, session: SessionDep
) -> None:
    """Withdraw one of the issuer's learning opportunities."""
    withdraw_opportunity(session, issuer_id=issuer.id, opportunity_id=opportunity_id)
