"""A credential type as spreadsheet columns: one column per claim, and a row back into claims.

An issuer fills one row per person (the web app's CSV batch). The columns come from the type's
JSON Schema, in its order:

- a claim that is a string, number, date or choice is one column named after it (``title``);
- an object's members are columns named with a dot (``awarding_body.name``, ``credits.value``);
- a list of texts (``learning_outcomes``) is one column whose items are separated by
  :data:`LIST_SEPARATOR` or line breaks;
- ESCO skills are one column of ESCO skill URIs (the UUID alone, or an exact ESCO label, is
  also understood), separated the same way; each skill's label is taken from the shipped ESCO
  vocabulary (English, the labels we have). A single skill (``skill``) is one column too.

:func:`row_claims` turns a row back into claims. It never refuses: a cell it cannot convert is
kept as written, so that :func:`schemas.validate_claims` words the rule it breaks (an EQF level
"neljä" must be an integer); an unknown skill keeps its text as URI and is reported as unknown.
Dates written the Finnish way (``31.5.2024``) become ``2024-05-31``; decimal commas become
points. :func:`column_of` maps a violation's JSON Pointer back to its column. Pure: no I/O.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal

from schemas.registry import credential_type, example_claims
from schemas.vocabulary import SKILL_PREFIX, skill_vocabulary

LIST_SEPARATOR: Final = ";"
"""Between the items of one cell (skills, learning outcomes); a line break also separates."""

ColumnKind = Literal["text", "integer", "number", "date", "choice", "list", "skills", "skill"]

_FINNISH_DATE: Final = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", re.ASCII)
_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SKILL_OBJECT: Final = frozenset({"uri", "label"})


@dataclass(frozen=True)
class Column:
    """One column: its name (the claim path joined with dots), kind and whether it is required.

    ``required`` means the claim is required wherever its object is required; ``choices`` are
    the allowed values of a choice column.
    """

    name: str
    path: tuple[str, ...]
    kind: ColumnKind
    required: bool
    choices: tuple[str, ...] = ()


def _resolve(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: Mapping[str, Any] = schema["$defs"][ref.removeprefix("#/$defs/")]
        return resolved
    return node


def _is_skill(node: Mapping[str, Any]) -> bool:
    properties = node.get("properties")
    return (
        isinstance(properties, dict)
        and properties.keys() >= _SKILL_OBJECT
        and ("uri" in node.get("required", ()))
    )


def _kind(schema: Mapping[str, Any], node: Mapping[str, Any]) -> ColumnKind:
    if "enum" in node:
        return "choice"
    if node.get("type") == "integer":
        return "integer"
    if node.get("type") == "number":
        return "number"
    if node.get("format") == "date":
        return "date"
    if node.get("type") == "array":
        items = _resolve(schema, node.get("items", {}))
        return "skills" if _is_skill(items) else "list"
    return "text"


def _flatten(
    schema: Mapping[str, Any], node: Mapping[str, Any], prefix: tuple[str, ...], required: bool
) -> list[Column]:
    columns: list[Column] = []
    wanted = set(node.get("required", ()))
    for name, child in node.get("properties", {}).items():
        child = _resolve(schema, child)
        path = (*prefix, name)
        needed = required and name in wanted
        if child.get("type") == "object" and _is_skill(child):
            columns.append(Column(".".join(path), path, "skill", needed))
        elif child.get("type") == "object":
            columns.extend(_flatten(schema, child, path, needed))
        else:
            kind = _kind(schema, child)
            choices = tuple(str(v) for v in child.get("enum", ()))
            columns.append(Column(".".join(path), path, kind, needed, choices))
    return columns


def columns(slug: str) -> tuple[Column, ...]:
    """The columns of type ``slug``, in its schema's order.

    Raises :class:`schemas.UnknownCredentialType` for an unknown slug.
    """
    schema = credential_type(slug).schema
    return tuple(_flatten(schema, schema, (), True))


def split_list(cell: str) -> list[str]:
    """The items of a list cell: split at :data:`LIST_SEPARATOR` and line breaks, trimmed."""
    parts = re.split(r"[;\r\n]+", cell)
    return [part.strip() for part in parts if part.strip()]


def _skill(text: str) -> dict[str, str]:
    vocabulary = skill_vocabulary()
    uri = text
    if _UUID.fullmatch(text.lower()):
        uri = SKILL_PREFIX + text.lower()
    elif not text.startswith(SKILL_PREFIX):
        uri = vocabulary.uri_of_label(text) or text
    found = vocabulary.get(uri)
    # An unknown skill keeps its text as URI: validation reports it as not in ESCO.
    return {"uri": uri, "label": found.label if found is not None else text}


def _number(cell: str, kind: ColumnKind) -> Any:
    written = cell.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        if kind == "integer":
            return int(written) if re.fullmatch(r"[+-]?\d{1,15}", written) else cell
        if re.fullmatch(r"[+-]?\d{1,15}(\.\d{1,15})?", written):
            value = float(written)
            return int(value) if value.is_integer() and "." not in written else value
    except ValueError:
        pass
    return cell


def _date(cell: str) -> str:
    found = _FINNISH_DATE.fullmatch(cell)
    if found is None:
        return cell
    day, month, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return cell


def _value(column: Column, cell: str) -> Any:
    if column.kind in ("integer", "number"):
        return _number(cell, column.kind)
    if column.kind == "date":
        return _date(cell)
    if column.kind == "list":
        return split_list(cell)
    if column.kind == "skills":
        return [_skill(item) for item in split_list(cell)]
    if column.kind == "skill":
        return _skill(cell)
    return cell


def row_claims(cells: Mapping[str, str], table: Sequence[Column]) -> dict[str, Any]:
    """The claims of one row (``cells``: column name to cell text); empty cells are left out."""
    claims: dict[str, Any] = {}
    for column in table:
        cell = cells.get(column.name, "").strip()
        if not cell:
            continue
        target = claims
        for part in column.path[:-1]:
            target = target.setdefault(part, {})
        target[column.path[-1]] = _value(column, cell)
    return claims


def _pointer_parts(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def column_of(pointer: str, table: Sequence[Column]) -> tuple[str | None, int | None]:
    """The column a violation's JSON Pointer (into the claims) is about, and the item number
    (1 = first) in a list cell; ``(None, None)`` when it is about the row as a whole."""
    parts = _pointer_parts(pointer)
    for column in table:
        size = len(column.path)
        if tuple(parts[:size]) == column.path:
            rest = parts[size:]
            item = int(rest[0]) + 1 if column.kind in ("list", "skills") and rest else None
            return column.name, item
    for column in table:  # an object that is missing or wrong as a whole: its first column
        if parts and column.path[: len(parts)] == tuple(parts):
            return column.name, None
    return None, None


def template_row(slug: str, table: Sequence[Column]) -> dict[str, str]:
    """The type's example claims as cells of a row (the template's example line)."""
    example = example_claims(slug)
    cells: dict[str, str] = {}
    for column in table:
        value: Any = example
        for part in column.path:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            cells[column.name] = ""
        elif column.kind == "skills":
            cells[column.name] = f"{LIST_SEPARATOR} ".join(item["uri"] for item in value)
        elif column.kind == "skill":
            cells[column.name] = str(value["uri"])
        elif column.kind == "list":
            cells[column.name] = f"{LIST_SEPARATOR} ".join(str(item) for item in value)
        else:
            cells[column.name] = str(value)
    return cells
