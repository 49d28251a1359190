"""The gap between a person's skills and an occupation, and the learning that closes it.

Issue 16, "Occupations and skill gaps" and "Learning opportunities". Pure functions over skill
URIs: the caller decides which skills are verified (attested by a credential that passes the
verification gate now) and which the person only declares. A declared skill never meets an
essential skill: it stays in the gap, marked as declared, so that verified skills come first.
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SkillGap:
    """An occupation's essential skills split by what the person can show for each.

    ``met``: verified; ``declared_only``: only self-declared; ``missing``: neither. Each keeps
    the occupation's order of essential skills.
    """

    met: tuple[str, ...]
    declared_only: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def open(self) -> tuple[str, ...]:
        """The essential skills without verified evidence: missing ones first, then declared."""
        return self.missing + self.declared_only


@dataclass(frozen=True)
class Teaching:
    """A learning opportunity as ranking sees it: an id, a title and the skills it teaches."""

    id: str
    title: str
    skills: frozenset[str]


@dataclass(frozen=True)
class RankedTeaching:
    """An opportunity and the open skills of the gap it teaches (missing ones first)."""

    id: str
    closes_missing: tuple[str, ...]
    closes_declared: tuple[str, ...]


def skill_gap(
    essential: Sequence[str], *, verified: Collection[str], declared: Collection[str]
) -> SkillGap:
    """Split ``essential`` skill URIs into met, declared-only and missing (issue 16)."""
    met = tuple(uri for uri in essential if uri in verified)
    declared_only = tuple(uri for uri in essential if uri not in verified and uri in declared)
    missing = tuple(uri for uri in essential if uri not in verified and uri not in declared)
    return SkillGap(met=met, declared_only=declared_only, missing=missing)


def rank_teaching(gap: SkillGap, opportunities: Iterable[Teaching]) -> tuple[RankedTeaching, ...]:
    """The opportunities that teach an open skill of ``gap``, the ones closing most first.

    Ranked by how many missing skills each teaches, then how many declared-only skills (which a
    course would turn into verified ones), then title (case-insensitive), then id, so that equal
    opportunities always come in the same order. Opportunities teaching none are left out.
    """
    ranked = []
    for teaching in opportunities:
        missing = tuple(uri for uri in gap.missing if uri in teaching.skills)
        declared = tuple(uri for uri in gap.declared_only if uri in teaching.skills)
        if missing or declared:
            ranked.append((teaching, RankedTeaching(teaching.id, missing, declared)))
    ranked.sort(
        key=lambda pair: (
            -len(pair[1].closes_missing),
            -len(pair[1].closes_declared),
            pair[0].title.casefold(),
            pair[0].id,
        )
    )
    return tuple(found for _, found in ranked)
