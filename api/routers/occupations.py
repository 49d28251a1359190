"""``GET /v1/occupations``: the ESCO occupations a person may choose as goals (public).

This service uses the ESCO classification of the European Commission (© European Union); see
:mod:`schemas.vocabulary`. An occupation is named by its ESCO UUID, the end of its URI.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from api.edge import StrictRoute
from schemas import Occupation, occupation_vocabulary
from wallet.goals import MAX_OCCUPATION_ID_CHARS, find_occupation
from wallet.live_skills import label_of

router = APIRouter(prefix="/v1/occupations", tags=["occupations"], route_class=StrictRoute)


class OccupationSkillOut(BaseModel):
    uri: str
    label: str


class OccupationSummaryOut(BaseModel):
    id: str
    uri: str
    label: str
    alt_labels: list[str]


class OccupationOut(OccupationSummaryOut):
    description: str
    essential_skills: list[OccupationSkillOut]
    unmapped_skills: list[str]


class OccupationListOut(BaseModel):
    occupations: list[OccupationSummaryOut]


def _summary(occupation: Occupation) -> OccupationSummaryOut:
    return OccupationSummaryOut(
        id=occupation.id,
        uri=occupation.uri,
        label=occupation.label,
        alt_labels=list(occupation.alt_labels),
    )


@router.get("", response_model=OccupationListOut)
def get_occupations(
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> OccupationListOut:
    """Occupations whose labels contain every word of ``q`` as a word prefix, best first.

    Without ``q``, the first ``limit`` occupations in label order.
    """
    vocabulary = occupation_vocabulary()
    found = (
        vocabulary.search(q, limit)
        if q.strip()
        else sorted(vocabulary, key=lambda o: o.label.casefold())[:limit]
    )
    return OccupationListOut(occupations=[_summary(o) for o in found])


@router.get("/{occupation_id}", response_model=OccupationOut)
def get_occupation(
    occupation_id: Annotated[str, Path(max_length=MAX_OCCUPATION_ID_CHARS)],
) -> OccupationOut:
    """One occupation with its essential skills as ESCO skill URIs (404 when unknown)."""
    occupation = find_occupation(occupation_id)
    return OccupationOut(
        **_summary(occupation).model_dump(),
        description=occupation.description,
        essential_skills=[
            OccupationSkillOut(uri=uri, label=label_of(uri))
            for uri in occupation.essential_skill_uris
        ],
        unmapped_skills=list(occupation.unmapped_skills),
    )
