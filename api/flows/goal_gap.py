"""The gap to a goal occupation: the person's skills checked live, against its essential skills."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from schemas.skill_gap import skill_gap
from wallet.checker import CredentialChecker
from wallet.goals import find_occupation
from wallet.live_skills import LiveSkills, label_of, live_skills


@dataclass(frozen=True)
class GapSkill:
    """An essential skill of the occupation, and the credentials that verify it now (if any)."""

    uri: str
    label: str
    attested_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class GoalGap:
    """Issue 16's gap: met (verified), declared only, missing, and labels ESCO maps to no skill."""

    occupation_id: str
    occupation_uri: str
    occupation_label: str
    met: tuple[GapSkill, ...]
    declared_only: tuple[GapSkill, ...]
    missing: tuple[GapSkill, ...]
    unmapped: tuple[str, ...]


def gap_of(occupation_id: str, skills: LiveSkills) -> GoalGap:
    """The gap between ``skills`` and an occupation. Raises ``OccupationNotFound`` (404)."""
    occupation = find_occupation(occupation_id)
    gap = skill_gap(
        occupation.essential_skill_uris, verified=skills.verified, declared=skills.declared
    )
    attested = {s.uri: s.attested_by for s in skills.skills}
    return GoalGap(
        occupation_id=occupation.id,
        occupation_uri=occupation.uri,
        occupation_label=occupation.label,
        met=tuple(GapSkill(u, label_of(u), attested.get(u, ())) for u in gap.met),
        declared_only=tuple(GapSkill(u, label_of(u)) for u in gap.declared_only),
        missing=tuple(GapSkill(u, label_of(u)) for u in gap.missing),
        unmapped=occupation.unmapped_skills,
    )


def read_goal_gap(
    session: Session,
    *,
    holder_id: str,
    occupation_id: str,
    kek: bytes,
    verify: CredentialChecker,
    lang: str,
    now: datetime,
    credential_ids: Collection[str] | None = None,
) -> GoalGap:
    """Wallet: every held credential through the gate now -> core: the gap (reads only).

    Composes the wallet's :func:`~wallet.live_skills.live_skills` (each credential checked by
    the verifiers' gate through ``verify``) and :func:`schemas.skill_gap.skill_gap`. No
    transaction: nothing is written. Raises ``OccupationNotFound`` (404) before any check runs.
    """
    find_occupation(occupation_id)
    skills = live_skills(
        session,
        holder_id=holder_id,
        kek=kek,
        lang=lang,
        verify=verify,
        now=now,
        credential_ids=credential_ids,
    )
    return gap_of(occupation_id, skills)
