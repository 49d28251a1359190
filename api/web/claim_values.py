"""Claim values as a person reads them on their credential page, in the page language.

The credential types' closed lists (``kind``, ``assessment_method``, ``study_level``, ``unit``,
``working_time.type``, ``proficiency.scale``) show their label, not the code; ESCO skill and
occupation URIs show ESCO's label (shipped in English only, so marked ``lang="en"`` on Finnish
and Swedish pages; an unknown URI stays as it is); an EQF level shows its number with the level's
short description (schemas/data/eqf_levels.json); an ISO 3166-1 ``country`` code the country's
name (CLDR, through Babel). Everything else is formatted as
:meth:`api.web.language.Localizer.value` does.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from babel import Locale

from api.web.language import N_, Localizer
from schemas.eqf import eqf_level
from schemas.vocabulary import (
    OCCUPATION_PREFIX,
    SKILL_PREFIX,
    occupation_vocabulary,
    skill_vocabulary,
)
from wallet.claims import ClaimRow

_OTHER = N_("Other")

CODES: Final[Mapping[tuple[str, str], str]] = {
    ("kind", "general_upper_secondary"): N_("General upper secondary qualification"),
    ("kind", "vocational_upper_secondary"): N_("Vocational upper secondary qualification"),
    ("kind", "further_vocational"): N_("Further vocational qualification"),
    ("kind", "specialist_vocational"): N_("Specialist vocational qualification"),
    ("kind", "bachelor"): N_("Bachelor's degree"),
    ("kind", "master"): N_("Master's degree"),
    ("kind", "licentiate"): N_("Licentiate degree"),
    ("kind", "doctorate"): N_("Doctoral degree"),
    ("kind", "qualification"): N_("Qualification"),
    ("kind", "module"): N_("Part of a qualification"),
    ("kind", "course"): N_("Course"),
    ("kind", "other"): _OTHER,
    ("assessment_method", "exam"): N_("Exam"),
    ("assessment_method", "skills_demonstration"): N_("Skills demonstration"),
    ("assessment_method", "portfolio"): N_("Portfolio"),
    ("assessment_method", "workplace"): N_("Assessed at a workplace"),
    ("assessment_method", "other"): _OTHER,
    ("study_level", "basic"): N_("Basic studies"),
    ("study_level", "intermediate"): N_("Intermediate studies"),
    ("study_level", "advanced"): N_("Advanced studies"),
    ("study_level", "postgraduate"): N_("Postgraduate studies"),
    ("study_level", "other"): _OTHER,
    ("unit", "ects"): N_("ECTS credits"),
    ("unit", "osaamispiste"): N_("Competence points (osaamispiste)"),
    ("type", "full_time"): N_("Full-time"),
    ("type", "part_time"): N_("Part-time"),
    ("scale", "eqf"): N_("European Qualifications Framework (EQF)"),
    ("scale", "cefr"): N_("Common European Framework of Reference for Languages (CEFR)"),
}
"""Labels of the codes in the credential types' closed lists, by the claim's name and code."""


@dataclass(frozen=True)
class ShownClaim:
    """One claim row as the page shows it; ``lang`` is set when the value is in another
    language than the page (WCAG 2.1 SC 3.1.2)."""

    label: str
    value: str
    lang: str | None


def shown_claims(rows: Sequence[ClaimRow], t: Localizer) -> list[ShownClaim]:
    """The rows of a credential's claims with their values in words."""
    scales = {row.path[:-1]: row.value for row in rows if row.path and row.path[-1] == "scale"}
    return [_shown(row, scales.get(row.path[:-1]), t) for row in rows]


def _shown(row: ClaimRow, scale: object, t: Localizer) -> ShownClaim:
    label = row.label or " / ".join(str(part) for part in row.path)
    name = row.path[-1] if row.path else None
    value = row.value
    if name == "eqf_level" or (name == "level" and scale == "eqf"):
        level = _eqf(value, t)
        if level is not None:
            return ShownClaim(label, level, None)
    if name == "country" and isinstance(value, str):
        country = Locale(t.language).territories.get(value) if len(value) == 2 else None
        if country is not None:
            return ShownClaim(label, country, None)
    if isinstance(name, str) and isinstance(value, str):
        code = CODES.get((name, value))
        if code is not None:
            return ShownClaim(label, t.gettext(code), None)
        esco = _esco_label(value)
        if esco is not None:
            return ShownClaim(label, esco, None if t.language == "en" else "en")
    return ShownClaim(label, t.value(value), None)


def _eqf(value: object, t: Localizer) -> str | None:
    number = int(value) if isinstance(value, str) and value.isdigit() else value
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 8:
        return None
    described = eqf_level(number).description(t.language)
    return t.gettext("Level %(level)s: %(description)s", level=number, description=described)


def _esco_label(value: str) -> str | None:
    if value.startswith(SKILL_PREFIX):
        skill = skill_vocabulary().get(value)
        return skill.label if skill is not None else None
    if value.startswith(OCCUPATION_PREFIX):
        occupation = occupation_vocabulary().get(value)
        return occupation.label if occupation is not None else None
    return None
