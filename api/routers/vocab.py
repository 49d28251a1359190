"""``GET /v1/vocab/skills?q=``: find ESCO skills by label words (public, no authentication).

This service uses the ESCO classification of the European Commission (© European Union); see
:mod:`schemas.vocabulary`. The skill URIs found here are the ones credentials may carry.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.edge import StrictRoute
from api.listings import VOCABULARY_SKILLS
from schemas import Skill, skill_vocabulary

router = APIRouter(route_class=StrictRoute, prefix="/v1/vocab", tags=["vocabulary"])


class SkillOut(BaseModel):
    uri: str
    label: str
    skill_type: str | None


@router.get("/skills", response_model=list[SkillOut])
def get_skills(
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=VOCABULARY_SKILLS.max_items)] = 20,
) -> list[SkillOut]:
    """ESCO skills whose labels contain every word of ``q`` as a word prefix, best first."""
    return [_out(skill) for skill in skill_vocabulary().search(q, limit)]


def _out(skill: Skill) -> SkillOut:
    return SkillOut(uri=skill.uri, label=skill.label, skill_type=skill.skill_type)
