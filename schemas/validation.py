"""Validate the claims of a credential against its type, returning every violation as data.

The checks, all run on every call so that an issuer sees everything wrong at once:

- the type's JSON Schema (draft 2020-12, with ``date`` and ``uri`` formats checked): a compiled
  validator (``jsonschema-rs``) decides, and only a document it rejects is walked again with
  ``jsonschema`` to word each error (a test keeps the two in agreement over every type's example
  and a set of invalid documents); a presentation's disclosed claims are decided by a second
  compiled validator without ``required`` (:func:`without_required`), so a verification takes
  the compiled path too;
- no Finnish personal identity code anywhere, in any value or member name;
- every ESCO skill URI is in the shipped ESCO vocabulary;
- a Finnish business ID (Y-tunnus) has a correct check digit;
- a work experience does not end before it starts;
- optionally, an ESCO occupation URI is one of the shipped ICT occupations.

Messages are plain English and name the rule, never the value. Pointers are RFC 6901 JSON
Pointers into the claims; a member name that is not a plain identifier is never put into one.
The services decide what to raise; this module only reports.
"""

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from schemas.claim_path import ClaimPathError, json_pointer, select_claims
from schemas.formats import format_checker, is_date, is_uri
from schemas.henkilotunnus import contains_personal_identity_code, find_personal_identity_codes
from schemas.registry import credential_type
from schemas.vocabulary import occupation_vocabulary, skill_vocabulary

if TYPE_CHECKING:  # imported on first validation: quick offline CLI starts
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from jsonschema_rs import Validator as CompiledValidator

ViolationCode = Literal[
    "schema_violation",
    "personal_identity_code",
    "unknown_skill",
    "unknown_occupation",
    "invalid_business_id",
    "end_before_start",
]


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (a JSON Pointer), what (plain English), and a stable ``code``."""

    pointer: str
    message: str
    code: ViolationCode


_SKILL_PATHS = (("skills", None, "uri"), ("skill", "uri"))
_OCCUPATION_PATH = ("role", "esco_occupation")
_BUSINESS_ID_PATHS = (
    ("employer", "business_id"),
    ("awarding_body", "id"),
    ("recognising_institution", "id"),
)
_BUSINESS_ID = re.compile(r"[0-9]{7}-[0-9]", re.ASCII)
_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}", re.ASCII)
_PERSONAL_IDENTITY_CODE = (
    "contains a Finnish personal identity code (henkilötunnus), which a credential never carries"
)
_TYPES = {"object": "a JSON object", "array": "an array", "string": "a string"}
_TYPES |= {"integer": "an integer", "number": "a number", "boolean": "true or false"}


@functools.cache
def _validator(slug: str) -> "Draft202012Validator":
    from jsonschema import Draft202012Validator

    schema = credential_type(slug).schema
    return Draft202012Validator(schema, format_checker=format_checker())


_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SCHEMA_VALUES = frozenset(
    {"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"}
    | {"unevaluatedProperties", "unevaluatedItems"}
)


def without_required(schema: Any) -> Any:
    """``schema`` with every ``required`` keyword removed, at every level (JSON Schema 2020-12).

    What a presentation is checked against: undisclosed claims are absent from it, at the top
    and inside a disclosed object alike (RFC 9901 §4.2.4.2, recursive disclosure), so a missing
    claim is no violation, while every claim that is there still meets its rules. Only
    keywords are touched: a claim named ``required`` under ``properties`` stays.
    """
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "required":
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: without_required(sub) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [without_required(sub) for sub in value]
        elif key in _SCHEMA_VALUES:
            out[key] = without_required(value)
        else:
            out[key] = value
    return out


@functools.cache
def _compiled(slug: str, disclosed_only: bool = False) -> "CompiledValidator":
    import jsonschema_rs

    schema = dict(credential_type(slug).schema)
    if disclosed_only:
        schema = without_required(schema)
    formats = {"date": is_date, "uri": is_uri}
    return jsonschema_rs.validator_for(schema, validate_formats=True, formats=formats)


def schema_accepts(slug: str, claims: Any, *, disclosed_only: bool = False) -> bool:
    """Whether the compiled validator accepts ``claims`` for the type (its JSON Schema only);
    with ``disclosed_only``, missing claims are accepted (:func:`without_required`)."""
    try:
        return bool(_compiled(slug, disclosed_only).is_valid(claims))
    except (ValueError, TypeError, OverflowError):
        return False  # what it cannot represent (an integer past 64 bits) is worded below


def _describe(error: "ValidationError") -> str:
    """A message for one schema error that names the rule and never the instance."""
    kind, rule = error.validator, error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    hint = f": {str(schema['description']).rstrip('.')}" if "description" in schema else ""
    if kind == "type":
        return f"must be {_TYPES.get(str(rule), str(rule))}"
    if kind == "enum":
        allowed = rule if isinstance(rule, list) else []
        return "must be one of: " + ", ".join(str(v) for v in allowed)
    if kind == "format":
        return (
            "must be a date in the form YYYY-MM-DD" if rule == "date" else "must be an absolute URI"
        )
    if kind == "pattern":
        if str(rule).startswith("^[^\\u0000"):
            return "must not contain control characters"
        return "does not have the required form" + hint
    if kind == "minLength" and rule == 1:
        return "must not be empty"
    if kind in ("maxLength", "minLength"):
        most = "at most" if kind == "maxLength" else "at least"
        return f"must be {most} {rule} characters long"
    if kind in ("maxItems", "minItems"):
        most = "at most" if kind == "maxItems" else "at least"
        return f"must have {most} {rule} items"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "at least", "maximum": "at most"}
        words |= {"exclusiveMinimum": "more than", "exclusiveMaximum": "less than"}
        return f"must be {words[kind]} {rule}"
    if kind == "minProperties":
        return "must not be empty" if rule == 1 else f"must have at least {rule} members"
    if kind in ("anyOf", "oneOf"):
        return "does not match any allowed form" + hint
    return f"breaks the schema rule '{kind}'"


def _schema_violations(slug: str, claims: Any, *, disclosed_only: bool) -> list[Violation]:
    if schema_accepts(slug, claims, disclosed_only=disclosed_only):
        return []
    out: list[Violation] = []
    for error in _validator(slug).iter_errors(claims):
        where = list(error.absolute_path)
        instance = error.instance
        if error.validator == "required" and disclosed_only:
            continue
        if error.validator == "required" and isinstance(instance, dict):
            for name in error.validator_value:
                if name not in instance:
                    pointer = json_pointer([*where, name])
                    out.append(Violation(pointer, "is required but missing", "schema_violation"))
        elif error.validator == "additionalProperties" and isinstance(instance, dict):
            known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            for name in instance:
                if name in known:
                    continue
                if _SAFE_NAME.fullmatch(name) and not contains_personal_identity_code(name):
                    pointer, message = json_pointer([*where, name]), "is not a claim of this type"
                else:
                    pointer = json_pointer(where)
                    message = "has a member whose name is not a claim of this type"
                out.append(Violation(pointer, message, "schema_violation"))
        else:
            out.append(Violation(json_pointer(where), _describe(error), "schema_violation"))
    if not out:  # the compiled validator refused what jsonschema accepts: refuse, fail closed
        out.append(Violation("", "breaks the schema of this type", "schema_violation"))
    return list(dict.fromkeys(out))


def _select(claims: Any, path: tuple[str | None, ...]) -> list[tuple[str, Any]]:
    try:
        return select_claims(claims, path)
    except ClaimPathError:
        return []  # A structural mismatch is already a schema violation.


def _business_id_ok(value: str) -> bool:
    weights = (7, 9, 10, 5, 8, 4, 2)
    remainder = sum(int(d) * w for d, w in zip(value[:7], weights, strict=True)) % 11
    if remainder == 1:
        return False
    return int(value[8]) == (0 if remainder == 0 else 11 - remainder)


def _content_violations(slug: str, claims: Any, *, check_occupations: bool) -> list[Violation]:
    out: list[Violation] = []
    defined = {tuple(claim["path"]) for claim in credential_type(slug).metadata["claims"]}
    skills = skill_vocabulary()
    for path in (p for p in _SKILL_PATHS if p in defined):
        for pointer, uri in _select(claims, path):
            if isinstance(uri, str) and not skills.contains(uri):
                message = "is not a skill URI in the ESCO vocabulary"
                out.append(Violation(pointer, message, "unknown_skill"))
    if check_occupations:
        occupations = occupation_vocabulary()
        for pointer, uri in _select(claims, _OCCUPATION_PATH):
            if isinstance(uri, str) and not occupations.contains(uri):
                message = "is not an occupation URI in the ESCO ICT occupations"
                out.append(Violation(pointer, message, "unknown_occupation"))
    for path in (p for p in _BUSINESS_ID_PATHS if p in defined):
        for pointer, value in _select(claims, path):
            shaped = isinstance(value, str) and _BUSINESS_ID.fullmatch(value)
            if shaped and not _business_id_ok(value):
                message = "is not a valid Finnish business ID (wrong check digit)"
                out.append(Violation(pointer, message, "invalid_business_id"))
    if isinstance(claims, dict):
        start, end = claims.get("start_date"), claims.get("end_date")
        dates = [d for d in (start, end) if isinstance(d, str) and is_date(d)]
        if len(dates) == 2 and dates[1] < dates[0]:
            message = "must not be before start_date"
            out.append(Violation("/end_date", message, "end_before_start"))
    return out


def validate_claims(
    slug: str, claims: Any, *, check_occupations: bool = False, disclosed_only: bool = False
) -> list[Violation]:
    """Every violation of the type's rules in ``claims``, sorted by pointer; empty when valid.

    ``claims`` are the credential's own claims, without the registered JWT claims (``iss``,
    ``vct``, ``iat``, ``exp``, ``cnf``, ``status``). ``check_occupations`` also requires an ESCO
    occupation URI to be one of the 91 shipped ICT occupations (off by default: the shipped list
    is not all of ESCO). ``disclosed_only``: the claims a presentation disclosed, where a
    missing claim is no violation (:func:`without_required`). Spec: JSON Schema 2020-12
    (validation and the ``format`` vocabulary); SD-JWT VC, "vct Claim" (a type defines which
    claims are permitted). Raises :class:`schemas.UnknownCredentialType` for an unknown slug;
    never for bad claims.
    """
    violations = _schema_violations(slug, claims, disclosed_only=disclosed_only)
    violations += [
        Violation(pointer, _PERSONAL_IDENTITY_CODE, "personal_identity_code")
        for pointer in find_personal_identity_codes(claims)
    ]
    violations += _content_violations(slug, claims, check_occupations=check_occupations)
    return sorted(violations, key=lambda v: (v.pointer, v.code, v.message))
