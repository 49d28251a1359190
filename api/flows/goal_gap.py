"""The gap to a goal occupation: the person's skills checked live, against its essential skills,
and the learning opportunities that close it, best first."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from issuers.opportunities import Opportunity, opportunities_teaching
from schemas.skill_gap import Teaching, rank_teaching, skill_gap
from wallet.checker import CredentialChecker
from wallet.goals import find_occupation
from wallet.live_skills import LiveSkills, label_of, live_skills

MAX_LISTED_OPPORTUNITIES = 20


@dataclass(frozen=True)
class GapSkill:
    """An essential skill of the occupation, and the credentials that verify it now (if any)."""

    uri: str
    label: str
    attested_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class GapOpportunity:
    """A learning opportunity and the open skills of the gap it teaches."""

    opportunity: Opportunity
    closes_missing: tuple[str, ...]
    closes_declared: tuple[str, ...]


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
    opportunities: tuple[GapOpportunity, ...]


def gap_of(session: Session, occupation_id: str, skills: LiveSkills) -> GoalGap:
    """The gap between ``skills`` and an occupation, with the opportunities that close it.

    Core: :func:`~schemas.skill_gap.skill_gap` -> issuers: the opportunities teaching an open
    skill -> core: :func:`~schemas.skill_gap.rank_teaching`. Raises ``OccupationNotFound``.
    """
    occupation = find_occupation(occupation_id)
    gap = skill_gap(
        occupation.essential_skill_uris, verified=skills.verified, declared=skills.declared
    )
    attested = {s.uri: s.attested_by for s in skills.skills}
    teaching = {o.id: o for o in opportunities_teaching(session, skills=gap.open)}
    ranked = rank_teaching(
        gap, (Teaching(o.id, o.title, frozenset(o.skills)) for o in teaching.values())
    )[:MAX_LISTED_OPPORTUNITIES]
    return GoalGap(
        occupation_id=occupation.id,
        occupation_uri=occupation.uri,
        occupation_label=occupation.label,
        met=tuple(GapSkill(u, label_of(u), attested.get(u, ())) for u in gap.met),
        declared_only=tuple(GapSkill(u, label_of(u)) for u in gap.declared_only),
        missing=tuple(GapSkill(u, label_of(u)) for u in gap.missing),
        unmapped=occupation.unmapped_skills,
        opportunities=tuple(
            GapOpportunity(teaching[r.id], r.closes_missing, r.closes_declared) for r in ranked
        ),
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
    """Wallet: every held credential through the gate now -> core: the gap -> issuers: the
    opportunities that teach its open skills -> core: their ranking (reads only).

    Composes the wallet's :func:`~wallet.live_skills.live_skills` (each credential checked by
    the verifiers' gate through ``verify``) and :func:`gap_of`. No transaction: nothing is
    written. Raises ``OccupationNotFound`` (404) before any check runs.
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
    return gap_of(session, occupation_id, skills)
