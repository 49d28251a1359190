"""The ESCO skills and ICT occupations that Taito's credentials refer to.

This package uses the ESCO classification of the European Commission. ESCO (European Skills,
Competences, Qualifications and Occupations) is © European Union, published at
https://esco.ec.europa.eu under the European Commission's reuse policy, which requires this
attribution. The shipped files ``data/esco_skills.json.gz`` (all 13,939 ESCO skills) and
``data/esco_occupations_ict.json`` (91 ICT occupations, each with the labels of its essential
skills, which are resolved to skill URIs when the occupations are loaded) are derived from ESCO by
``python -m tools.build_vocab``; most English skill labels were recovered from ESCO search text
by that tool's heuristics, so a few may differ from ESCO's own preferred labels. The URIs are
ESCO's own.

Both vocabularies are read once, on first use (:func:`skill_vocabulary`,
:func:`occupation_vocabulary`); their search index is built on the first search.
"""

import functools
import gzip
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from schemas.label_index import LabelIndex

SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
"""Every ESCO skill URI starts with this and continues with a UUID."""

SkillType = Literal["skill", "knowledge"]


@dataclass(frozen=True)
class Skill:
    """One ESCO skill: URI, English label, ESCO skill type when known, alternative labels."""

    uri: str
    label: str
    skill_type: SkillType | None
    alt_labels: tuple[str, ...]


OCCUPATION_PREFIX = "http://data.europa.eu/esco/occupation/"
"""Every ESCO occupation URI starts with this and continues with a UUID (the occupation's id)."""


@dataclass(frozen=True)
class Occupation:
    """One ESCO occupation with its labels and its essential skills.

    ``essential_skills`` are ESCO's labels as shipped; ``essential_skill_uris`` are the skill URIs
    those labels name in the skill vocabulary (label or alternative label, case-insensitive), in
    the same order; ``unmapped_skills`` are the labels that name no shipped skill.
    """

    uri: str
    label: str
    alt_labels: tuple[str, ...]
    description: str
    essential_skills: tuple[str, ...]
    essential_skill_uris: tuple[str, ...] = ()
    unmapped_skills: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The ESCO UUID at the end of the URI (how the API names an occupation)."""
        return self.uri.removeprefix(OCCUPATION_PREFIX)


class SkillVocabulary:
    """All ESCO skills, by URI and by label search."""

    def __init__(self, skills: Sequence[Skill], keywords: Sequence[str]) -> None:
        self._skills = tuple(skills)
        self._keywords = tuple(keywords)
        self._by_uri = {skill.uri: skill for skill in self._skills}

    def __len__(self) -> int:
        return len(self._skills)

    def __iter__(self) -> Iterator[Skill]:
        return iter(self._skills)

    def get(self, uri: str) -> Skill | None:
        """The skill with exactly this URI, or ``None``."""
        return self._by_uri.get(uri)

    def contains(self, uri: str) -> bool:
        """Whether this exact URI is an ESCO skill."""
        return uri in self._by_uri

    @functools.cached_property
    def _by_label(self) -> dict[str, str]:
        found: dict[str, str] = {}
        # Preferred labels win over alternative ones; skills are sorted by URI, so the first
        # skill with a label is the same on every run.
        for skill in self._skills:
            found.setdefault(skill.label.casefold(), skill.uri)
        for skill in self._skills:
            for alt in skill.alt_labels:
                found.setdefault(alt.casefold(), skill.uri)
        return found

    def uri_of_label(self, label: str) -> str | None:
        """The URI of the skill with this label or alternative label (any case), or ``None``."""
        return self._by_label.get(label.strip().casefold())

    @functools.cached_property
    def _index(self) -> LabelIndex:
        searchable = [" ".join((s.label, *s.alt_labels)) for s in self._skills]
        return LabelIndex(
            [s.label for s in self._skills],
            [f"{text} {extra}" for text, extra in zip(searchable, self._keywords, strict=True)],
        )

    def search(self, query: str, limit: int = 20) -> list[Skill]:
        """Skills whose label or alternative labels have every query word as a word prefix.

        Case-insensitive; exact and prefix label matches rank first (see
        :mod:`schemas.label_index`). Raises :class:`ValueError` when ``limit`` is not 1-100.
        """
        return [self._skills[i] for i in self._index.search(query, limit)]


class OccupationVocabulary:
    """The shipped ESCO ICT occupations, by URI and by label search."""

    def __init__(self, occupations: Sequence[Occupation]) -> None:
        self._occupations = tuple(occupations)
        self._by_uri = {o.uri: o for o in self._occupations}

    def __len__(self) -> int:
        return len(self._occupations)

    def __iter__(self) -> Iterator[Occupation]:
        return iter(self._occupations)

    def get(self, uri: str) -> Occupation | None:
        """The occupation with exactly this URI, or ``None``."""
        return self._by_uri.get(uri)

    def contains(self, uri: str) -> bool:
        """Whether this exact URI is one of the shipped occupations."""
        return uri in self._by_uri

    def by_id(self, occupation_id: str) -> Occupation | None:
        """The occupation whose URI ends with this ESCO UUID, or ``None``."""
        return self._by_uri.get(OCCUPATION_PREFIX + occupation_id)

    @functools.cached_property
    def _index(self) -> LabelIndex:
        labels = [o.label for o in self._occupations]
        return LabelIndex(labels, [" ".join(o.alt_labels) for o in self._occupations])

    def search(self, query: str, limit: int = 20) -> list[Occupation]:
        """Occupations whose label or alternative labels match every query word as a prefix.

        Raises :class:`ValueError` when ``limit`` is not 1-100.
        """
        return [self._occupations[i] for i in self._index.search(query, limit)]


def _data(name: str) -> bytes:
    return resources.files("schemas").joinpath("data", name).read_bytes()


def _skill_type(value: str) -> SkillType | None:
    if value == "skill":
        return "skill"
    if value == "knowledge":
        return "knowledge"
    return None


@functools.cache
def skill_vocabulary() -> SkillVocabulary:
    """The ESCO skill vocabulary, loaded from the package data on first call."""
    doc: dict[str, Any] = json.loads(gzip.decompress(_data("esco_skills.json.gz")))
    prefix = str(doc["prefix"])
    skills: list[Skill] = []
    keywords: list[str] = []
    for uuid, label, kind, alt, extra in doc["skills"]:
        alts = (alt,) if alt else ()
        skills.append(Skill(prefix + uuid, label, _skill_type(kind), alts))
        keywords.append(extra)
    return SkillVocabulary(skills, keywords)


@functools.cache
def occupation_vocabulary() -> OccupationVocabulary:
    """The 91 ESCO ICT occupations, loaded from the package data on first call."""
    doc: dict[str, Any] = json.loads(_data("esco_occupations_ict.json"))
    skills = skill_vocabulary()
    occupations = []
    for o in doc["occupations"]:
        labels = tuple(o["essential_skills"])
        found = [(label, skills.uri_of_label(label)) for label in labels]
        occupations.append(
            Occupation(
                uri=o["uri"],
                label=o["label"],
                alt_labels=tuple(o["alt_labels"]),
                description=o["description"],
                essential_skills=labels,
                essential_skill_uris=tuple(dict.fromkeys(uri for _, uri in found if uri)),
                unmapped_skills=tuple(label for label, uri in found if uri is None),
            )
        )
    return OccupationVocabulary(occupations)
