"""The issuing form of a credential type, generated from its JSON Schema and type metadata.

:func:`form_fields` walks the type's schema (``schemas/types/<slug>.schema.json``) and gives
each claim a field: its label from the type metadata in the page language (SD-JWT VC "Claim
Display Metadata"), its kind from the schema (text, date, number, a choice for an ``enum``,
EQF levels as a choice with their descriptions, a text list one item a line, ESCO skills picked
from a search, a group for an object). :func:`read_claims` turns the posted form back into
claims; the issuers service checks them (:func:`issuers.issuance_input.check_claims`) and
:func:`field_errors` puts each violation it reports at its field, in the page language.
Nothing here decides what is valid: only what a form field reads as.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from starlette.datastructures import FormData

from api.web.language import N_, Localizer
from schemas import claim_label, credential_type, eqf_levels, skill_vocabulary

Kind = Literal[
    "text", "textarea", "date", "integer", "number", "choice", "level", "lines", "skills", "skill"
]
GROUP: Final = "group"
MAX_SKILL_RESULTS: Final = 20
MAX_SEARCH_LENGTH: Final = 200
LEVEL_CLAIMS: Final = frozenset({"eqf_level"})
# Claims a form does not ask for: an ESCO occupation is an identifier a clerk cannot type.
SKIPPED: Final = frozenset({("role", "esco_occupation")})

CHOICE_LABELS: Final[dict[str, str]] = {
    "general_upper_secondary": N_("General upper secondary education"),
    "vocational_upper_secondary": N_("Vocational upper secondary qualification"),
    "further_vocational": N_("Further vocational qualification"),
    "specialist_vocational": N_("Specialist vocational qualification"),
    "bachelor": N_("Bachelor's degree"),
    "master": N_("Master's degree"),
    "licentiate": N_("Licentiate degree"),
    "doctorate": N_("Doctoral degree"),
    "other": N_("Other"),
    "ects": N_("ECTS credits (opintopiste)"),
    "osaamispiste": N_("Competence points (osaamispiste)"),
    "exam": N_("Exam"),
    "skills_demonstration": N_("Skills demonstration"),
    "portfolio": N_("Portfolio"),
    "workplace": N_("Assessed at a workplace"),
    "qualification": N_("A qualification"),
    "module": N_("A module of a qualification"),
    "course": N_("A course"),
    "basic": N_("Basic studies"),
    "intermediate": N_("Intermediate studies"),
    "advanced": N_("Advanced studies"),
    "postgraduate": N_("Postgraduate studies"),
    "full_time": N_("Full time"),
    "part_time": N_("Part time"),
}
"""The words a person reads for each ``enum`` value of the types' schemas."""

_HINTS: Final[dict[str, str]] = {
    "^[0-9]{7}-[0-9]$": N_("A Finnish business ID, for example 1234567-8"),
    "^[A-Z]{2}$": N_("Two capital letters, for example FI for Finland"),
    "^[A-Za-z0-9._-]+$": N_("Letters, digits, dots, dashes and underscores only"),
}
_LINES_HINT: Final = N_("One on each line")
_ORGANISATION_ID_HINT: Final = N_("A Finnish business ID (1234567-8) or a web address (https://…)")


@dataclass(frozen=True)
class Choice:
    """One option of a choice field."""

    value: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class FormField:
    """One field (or a group of fields) of the form; ``id`` is also the form field name."""

    id: str
    path: tuple[str, ...]
    kind: Kind | Literal["group"]
    label: str
    required: bool
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    children: tuple["FormField", ...] = ()
    max_length: int | None = None
    numeric: bool = False

    @property
    def leaves(self) -> tuple["FormField", ...]:
        """This field, or a group's fields, in order."""
        if self.kind != GROUP:
            return (self,)
        return tuple(leaf for child in self.children for leaf in child.leaves)


@dataclass
class FormState:
    """What the person has filled in so far, by field id (lists for skills)."""

    values: dict[str, str] = field(default_factory=dict)
    skills: dict[str, list[str]] = field(default_factory=dict)
    searches: dict[str, str] = field(default_factory=dict)


def field_id(path: Sequence[str]) -> str:
    """The HTML id and form name of the field at ``path``."""
    return "claim-" + "-".join(path)


def _resolve(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _resolve(schema, schema["$defs"][ref.removeprefix("#/$defs/")])
    return node


def _is_skill(node: Mapping[str, Any]) -> bool:
    props = node.get("properties", {})
    return node.get("type") == "object" and "uri" in props and "label" in props


def _label(slug: str, path: tuple[str, ...], t: Localizer) -> str:
    found = claim_label(slug, path, t.language)
    return found if found is not None else path[-1].replace("_", " ").capitalize()


def form_fields(slug: str, t: Localizer) -> tuple[FormField, ...]:
    """The fields of the type's form, in the schema's order, labelled in ``t``'s language.

    Raises :class:`schemas.UnknownCredentialType` for an unknown slug.
    """
    schema = credential_type(slug).schema
    return _fields(slug, schema, schema, (), t)


def _fields(
    slug: str,
    schema: Mapping[str, Any],
    node: Mapping[str, Any],
    prefix: tuple[str, ...],
    t: Localizer,
) -> tuple[FormField, ...]:
    required = set(node.get("required", ()))
    out: list[FormField] = []
    for name, raw in node.get("properties", {}).items():
        path = (*prefix, name)
        if path in SKIPPED:
            continue
        out.append(_field(slug, schema, _resolve(schema, raw), path, name in required, t))
    return tuple(out)


def _field(
    slug: str,
    schema: Mapping[str, Any],
    node: Mapping[str, Any],
    path: tuple[str, ...],
    required: bool,
    t: Localizer,
) -> FormField:
    made = FormField(
        id=field_id(path), path=path, kind="text", label=_label(slug, path, t), required=required
    )
    if path[-1] == "nqf_level" and node.get("type") == "integer":  # the same 1-8 as the EQF
        numbers = tuple(Choice(str(n), t.gettext("Level %(n)s", n=n)) for n in range(1, 9))
        return replace(made, kind="choice", choices=numbers, numeric=True)
    if path[-1] in LEVEL_CLAIMS and node.get("type") == "integer":
        levels = tuple(
            Choice(
                str(level.level),
                t.gettext("Level %(n)s", n=level.level),
                level.description(t.language),
            )
            for level in eqf_levels()
        )
        return replace(made, kind="level", choices=levels)
    if "enum" in node:
        values = tuple(str(v) for v in node["enum"])
        return replace(
            made,
            kind="choice",
            choices=tuple(Choice(v, t.gettext(CHOICE_LABELS.get(v, v))) for v in values),
        )
    if _is_skill(node):
        return replace(made, kind="skill")
    kind = node.get("type")
    if kind == "array":
        items = _resolve(schema, node.get("items", {}))
        if _is_skill(items):
            return replace(made, kind="skills")
        return replace(made, kind="lines", hint=t.gettext(_LINES_HINT))
    if kind == "object":
        children = _fields(slug, schema, node, path, t)
        return replace(made, kind=GROUP, children=children)
    if kind == "integer":
        return replace(made, kind="integer")
    if kind == "number":
        return replace(made, kind="number")
    if node.get("format") == "date":
        return replace(made, kind="date")
    hint = _HINTS.get(str(node.get("pattern", "")), "")
    if "anyOf" in node:
        hint = _ORGANISATION_ID_HINT
    longest = node.get("maxLength")
    size = int(longest) if isinstance(longest, int) else None
    text_kind: Kind = "textarea" if size is not None and size >= 1000 else "text"
    return replace(made, kind=text_kind, hint=t.gettext(hint) if hint else "", max_length=size)


def read_state(fields: Sequence[FormField], form: FormData) -> FormState:
    """The posted values of ``fields`` (unknown names ignored, each value at most 10,000
    characters, at most 200 skills per field)."""
    state = FormState()
    for group in fields:
        for leaf in group.leaves:
            if leaf.kind in ("skills", "skill"):
                chosen = [v for v in form.getlist(leaf.id) if isinstance(v, str)]
                state.skills[leaf.id] = list(dict.fromkeys(chosen))[:200]
                query = form.get(f"{leaf.id}-q")
                state.searches[leaf.id] = (
                    query.strip()[:MAX_SEARCH_LENGTH] if isinstance(query, str) else ""
                )
                continue
            value = form.get(leaf.id)
            state.values[leaf.id] = value[:10_000] if isinstance(value, str) else ""
    until = form.get("valid_until")
    state.values["valid_until"] = until[:20] if isinstance(until, str) else ""
    return state


def typed_search(fields: Sequence[FormField], form: FormData) -> bool:
    """Whether a skill search box holds words that were not searched for yet: Enter pressed
    there asks for a search, Enter anywhere else for the form's primary action."""
    for group in fields:
        for leaf in group.leaves:
            if leaf.kind not in ("skills", "skill"):
                continue
            typed, searched = form.get(f"{leaf.id}-q"), form.get(f"{leaf.id}-searched")
            words = typed.strip() if isinstance(typed, str) else ""
            if words and words != (searched.strip() if isinstance(searched, str) else ""):
                return True
    return False


def skill_results(query: str) -> list[tuple[str, str]]:
    """ESCO skills matching ``query`` as ``(uri, English label)``, best first."""
    if not query:
        return []
    return [(s.uri, s.label) for s in skill_vocabulary().search(query, MAX_SKILL_RESULTS)]


def skill_label(uri: str) -> str | None:
    """The ESCO label of ``uri``, or None when it is not in the vocabulary."""
    found = skill_vocabulary().get(uri)
    return None if found is None else found.label


_NUMBER: Final = re.compile(r"-?[0-9]{1,9}([.,][0-9]{1,6})?")


def read_claims(
    fields: Sequence[FormField], state: FormState, t: Localizer
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The claims the form says, and the fields that cannot be read (a word in a number field,
    a skill not in ESCO) as ``(field id, message)``. Empty optional fields are left out."""
    errors: list[tuple[str, str]] = []
    claims = _read_group(fields, state, t, errors)
    return claims, errors


def _read_group(
    fields: Sequence[FormField], state: FormState, t: Localizer, errors: list[tuple[str, str]]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in fields:
        name = item.path[-1]
        if item.kind == GROUP:
            inner = _read_group(item.children, state, t, errors)
            if inner:
                out[name] = inner
            continue
        if item.kind in ("skills", "skill"):
            picked = []
            for uri in state.skills.get(item.id, []):
                label = skill_label(uri)
                if label is None:
                    errors.append((item.id, t.gettext("Choose skills from the search results")))
                    continue
                picked.append({"uri": uri, "label": label})
            if item.kind == "skills" and picked:
                out[name] = picked
            elif item.kind == "skill" and picked:
                out[name] = picked[0]
            continue
        raw = state.values.get(item.id, "").strip()
        if not raw:
            continue
        if item.kind in ("integer", "level") or item.numeric:
            if not re.fullmatch(r"-?[0-9]{1,9}", raw):
                errors.append((item.id, t.gettext("Enter a whole number, such as 4")))
                continue
            out[name] = int(raw)
        elif item.kind == "number":
            if not _NUMBER.fullmatch(raw):
                errors.append((item.id, t.gettext("Enter a number, such as 180 or 7,5")))
                continue
            number = float(raw.replace(",", "."))
            out[name] = int(number) if number.is_integer() else number
        elif item.kind == "lines":
            lines = [line.strip() for line in raw.splitlines() if line.strip()]
            if lines:
                out[name] = lines
        else:
            out[name] = raw
    return out


def field_errors(
    fields: Sequence[FormField], pointers: Sequence[tuple[str, str]], t: Localizer
) -> list[tuple[str, str]]:
    """Each violation the service reported (``(JSON pointer into the request, message)``) at
    the field it names, in the page language; one message per field."""
    leaves = {leaf.path: leaf for group in fields for leaf in group.leaves}
    groups = {group.path: group.label for group in fields if group.kind == GROUP}
    found: dict[str, str] = {}
    for pointer, message in pointers:
        parts = tuple(p for p in pointer.removeprefix("/claims").split("/") if p)
        named = tuple(p for p in parts if not p.isdigit())
        leaf = _nearest(leaves, named)
        target = leaf.id if leaf is not None else _first_id(fields)
        label = leaf.label if leaf is not None else ""
        if leaf is not None and leaf.path[:1] in groups:  # "Awarding body – Name"
            label = f"{groups[leaf.path[:1]]} – {label}"
        found.setdefault(target, _message(message, label, leaf, t))
    order = [leaf.id for group in fields for leaf in group.leaves]
    return sorted(found.items(), key=lambda item: order.index(item[0]) if item[0] in order else 0)


def _nearest(
    leaves: Mapping[tuple[str, ...], FormField], path: tuple[str, ...]
) -> FormField | None:
    for end in range(len(path), 0, -1):
        if path[:end] in leaves:
            return leaves[path[:end]]
    for key, leaf in leaves.items():  # a missing group: its first field
        if key[: len(path)] == path and path:
            return leaf
    return None


def _first_id(fields: Sequence[FormField]) -> str:
    return fields[0].leaves[0].id


def _message(message: str, label: str, leaf: FormField | None, t: Localizer) -> str:
    choose = leaf is not None and leaf.kind in ("choice", "level", "skill", "skills")
    if message == "is required but missing":
        if choose:
            return t.gettext("%(label)s: choose one", label=label)
        return t.gettext("%(label)s: fill this in", label=label)
    if "personal identity code" in message:
        return t.gettext("Remove the personal identity code: a credential never carries one")
    if message.startswith("must be a date"):
        return t.gettext("Enter a real date, such as 31.5.2024")
    if "check digit" in message or "business ID" in message:
        return t.gettext(
            "Enter a Finnish business ID with a correct check digit, such as 1234567-8"
        )
    if message.startswith("must not be before"):
        return t.gettext("The end date must not be before the start date")
    if message.startswith("must be at most") and "characters" in message:
        return t.gettext("%(label)s is too long: shorten it", label=label)
    if message.startswith(("must be at least", "must be at most", "must be more than")):
        return t.gettext("%(label)s is outside the allowed range", label=label)
    if "ESCO" in message or "skill" in message:
        return t.gettext("Choose skills from the search results")
    return t.gettext("%(label)s: this is not in the right form", label=label)
