"""A verification report as staff read it: in the page language, claims and values labelled.

A request's report is stored in the language the request was made in; the page shows it in the
reader's language: the checks' names and reasons, the types' names and the claims' labels are
made again from the stable codes, types and paths (``verifiers.reasons``, type metadata). Values
are shown as a person reads them: an ESCO skill by its label (English where we lack others), a
schema's fixed values (``vocational_upper_secondary``) in words, dates and numbers in the locale.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from api.web.checks import check_names
from api.web.language import N_, Localizer
from schemas import skill_vocabulary
from verifiers.language import Language, label_for, type_name, type_slug
from verifiers.reasons import reason_for

ESCO: Final = "http://data.europa.eu/esco/"
FIXED_VALUES: Final[dict[str, dict[str, str]]] = {
    "kind": {
        "general_upper_secondary": N_("General upper secondary education"),
        "vocational_upper_secondary": N_("Vocational upper secondary qualification"),
        "further_vocational": N_("Further vocational qualification"),
        "specialist_vocational": N_("Specialist vocational qualification"),
        "bachelor": N_("Bachelor's degree"),
        "master": N_("Master's degree"),
        "licentiate": N_("Licentiate degree"),
        "doctorate": N_("Doctoral degree"),
        "qualification": N_("Qualification"),
        "module": N_("Module of a qualification"),
        "course": N_("Course"),
        "other": N_("Other"),
    },
    "assessment_method": {
        "exam": N_("Exam"),
        "skills_demonstration": N_("Skills demonstration"),
        "portfolio": N_("Portfolio"),
        "workplace": N_("Assessed at work"),
        "other": N_("Other"),
    },
    "unit": {"ects": N_("ECTS credits"), "osaamispiste": N_("competence points")},
    "study_level": {
        "basic": N_("Basic studies"),
        "intermediate": N_("Intermediate studies"),
        "advanced": N_("Advanced studies"),
        "postgraduate": N_("Postgraduate studies"),
        "other": N_("Other"),
    },
    "type": {"full_time": N_("Full-time"), "part_time": N_("Part-time")},
}
"""Every fixed value (JSON Schema ``enum``) of the credential types, in words."""


@dataclass(frozen=True)
class ShownCheck:
    name: str
    outcome: str
    reason: str | None


@dataclass(frozen=True)
class ShownClaim:
    label: str
    value: str


@dataclass(frozen=True)
class ShownPresentation:
    type_name: str | None
    issuer_name: str | None
    verified: bool
    checks: tuple[ShownCheck, ...]
    claims: tuple[ShownClaim, ...]


@dataclass(frozen=True)
class ShownReport:
    verified: bool
    presentations: tuple[ShownPresentation, ...]
    checks: tuple[ShownCheck, ...]
    conditions_met: bool
    """The answer satisfies what was asked (the gate's ``request_satisfied`` passed)."""


def shown_value(path: Sequence[Any], value: object, t: Localizer) -> str:
    """``value`` in words: an ESCO concept by its label, a fixed value named, else as is."""
    if isinstance(value, str) and value.startswith(ESCO):
        skill = skill_vocabulary().get(value)
        return skill.label if skill is not None else value
    names = [part for part in path if isinstance(part, str)]
    fixed = FIXED_VALUES.get(names[-1], {}) if names else {}
    if isinstance(value, str) and value in fixed:
        return t.gettext(fixed[value])
    return t.value(value)


def _check(check: Mapping[str, Any], names: Mapping[str, str], language: Language) -> ShownCheck:
    name = str(check.get("check", ""))
    outcome = str(check.get("outcome", ""))
    reason = check.get("reason")
    code = check.get("code")
    if outcome == "failed" and isinstance(code, str) and name != "request_satisfied":
        # Made again in the reader's language (a request's answer was stored in the request's).
        reason = reason_for(name, code, language)
    return ShownCheck(names.get(name, name), outcome, reason if isinstance(reason, str) else None)


def shown_report(report: Mapping[str, Any], *, t: Localizer, base_url: str) -> ShownReport:
    """The report (its JSON form, as the API answers and a request stores it) for a page."""
    language = t.language
    names = check_names(t)
    shown: list[ShownPresentation] = []
    for item in report.get("presentations", []):
        vct = item.get("vct")
        slug = type_slug(vct, base_url=base_url) if isinstance(vct, str) else None
        claims = tuple(
            ShownClaim(
                label_for(slug, claim["path"], language),
                shown_value(claim["path"], claim.get("value"), t),
            )
            for claim in item.get("labelled_claims", [])
        )
        shown.append(
            ShownPresentation(
                type_name=type_name(vct, base_url=base_url, language=language)
                if isinstance(vct, str)
                else None,
                issuer_name=item.get("issuer_name") or item.get("issuer"),
                verified=bool(item.get("verified")),
                checks=tuple(_check(c, names, language) for c in item.get("checks", [])),
                claims=claims,
            )
        )
    return ShownReport(
        verified=bool(report.get("verified")),
        presentations=tuple(shown),
        checks=tuple(_check(c, names, language) for c in report.get("checks", [])),
        conditions_met=any(
            c.get("check") == "request_satisfied" and c.get("outcome") == "passed"
            for c in report.get("checks", [])
        ),
    )


@dataclass(frozen=True)
class AskedCredential:
    """What a request asked of one type: the details and the conditions, in words."""

    type_name: str
    details: tuple[str, ...]
    conditions: tuple[str, ...]


def asked_of(
    query: Mapping[str, Any], *, t: Localizer, base_url: str
) -> tuple[AskedCredential, ...]:
    """A request's DCQL query (OpenID4VP 1.0 §6) as the staff chose it: details and conditions."""
    language = t.language
    asked: list[AskedCredential] = []
    for credential in query.get("credentials", []):
        vcts = credential.get("meta", {}).get("vct_values", [])
        vct = vcts[0] if vcts else ""
        slug = type_slug(vct, base_url=base_url)
        details: list[str] = []
        conditions: list[str] = []
        for claim in credential.get("claims", []):
            path = claim.get("path", [])
            values = claim.get("values")
            if path == ["eqf_level"] and values:
                conditions.append(t.gettext("EQF level at least %(level)s", level=min(values)))
            elif path == ["skills", None, "uri"] and values:
                names = ", ".join(shown_value(path, value, t) for value in values)
                conditions.append(t.gettext("Shows the skill: %(skill)s", skill=names))
            elif values:
                label = label_for(slug, path, language)
                shown = ", ".join(shown_value(path, value, t) for value in values)
                conditions.append(f"{label}: {shown}")
            else:
                details.append(label_for(slug, path, language))
        asked.append(
            AskedCredential(
                type_name=type_name(vct, base_url=base_url, language=language),
                details=tuple(details),
                conditions=tuple(conditions),
            )
        )
    return tuple(asked)
