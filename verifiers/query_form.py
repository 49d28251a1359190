"""The convenience form of a presentation query, expanded to the DCQL subset (OpenID4VP 1.0 §6).

A verifier may ask in plain terms instead of writing DCQL::

    {"credentials": [{"type": "qualification",
                      "claims": ["title",
                                 {"path": "eqf_level", "min": 4},
                                 {"has_skill": "http://data.europa.eu/esco/skill/..."}]}]}

- ``type``: a credential type slug of this instance or a full ``vct`` (or a list of them);
- a claim is a path (``"awarding_body.name"``, ``"skills[*].uri"`` or a DCQL path array) or an
  object with ``path`` and optionally ``values`` (allowed values), ``min``/``max`` (an integer
  range, expanded to ``values``; ``max`` defaults to the schema's ``maximum``, so EQF "at least 4"
  becomes ``[4, 5, 6, 7, 8]``), or ``has_skill`` (an ESCO skill URI, or a list meaning any of them)
  which becomes ``path ["skills", null, "uri"]`` with those values;
- a claim with a constraint is required; a plain claim is asked for but optional unless
  ``"required": true``: the person decides whether to share it. Optional claims are expressed
  with ``claim_sets`` (§6.4.1): the first option is every claim, the next the required ones (or,
  when none is required, any single claim).
"""

from collections.abc import Mapping
from typing import Any

from credentials.dcql import (
    MAX_CREDENTIAL_QUERIES,
    MAX_VALUES,
    PathPart,
    Query,
    parse_path,
    parse_query,
)
from credentials.errors import QueryInvalid
from credentials.sd_jwt import WILDCARD, parse_claim_path
from schemas import UnknownCredentialType, credential_type, skill_vocabulary, slug_from_vct, vct_for

SKILL_URI_PATH: tuple[PathPart, ...] = ("skills", None, "uri")


def _fail(pointer: str, message: str) -> QueryInvalid:
    return QueryInvalid(
        "the presentation query is not valid", errors=[{"pointer": pointer, "message": message}]
    )


def _vct(value: object, at: str, base_url: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 500:
        raise _fail(at, "must be a credential type slug or a vct")
    if "://" in value:
        return value
    try:
        return vct_for(value, base_url=base_url)
    except UnknownCredentialType:
        raise _fail(at, "is not a credential type of this instance") from None


def _path(value: object, at: str) -> tuple[PathPart, ...]:
    if isinstance(value, list):
        path = parse_path(value)
        if path is None:
            raise _fail(at, "must be a claims path pointer of strings, null and indices")
        return path
    if not isinstance(value, str):
        raise _fail(at, "must be a claim path such as 'eqf_level' or 'skills[*].uri'")
    try:
        parts = parse_claim_path(value)
    except ValueError:
        raise _fail(at, "must be a claim path such as 'eqf_level' or 'skills[*].uri'") from None
    return tuple(None if part == WILDCARD else part for part in parts)


def _deref(schema: Mapping[str, Any], node: Any) -> Any:
    ref = node.get("$ref") if isinstance(node, Mapping) else None
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return schema.get("$defs", {}).get(ref.removeprefix("#/$defs/"))
    return node


def schema_maximum(vcts: tuple[str, ...], path: tuple[PathPart, ...], base_url: str) -> int | None:
    """The integer ``maximum`` the JSON Schema of the (local) types gives the claim at ``path``."""
    found: set[int] = set()
    for vct in vcts:
        try:
            schema = credential_type(slug_from_vct(vct, base_url=base_url)).schema
        except (UnknownCredentialType, ValueError):
            return None
        node: Any = schema
        for part in path:
            node = _deref(schema, node)
            if not isinstance(node, Mapping):
                return None
            node = (
                node.get("properties", {}).get(part) if isinstance(part, str) else node.get("items")
            )
        node = _deref(schema, node)
        if not isinstance(node, Mapping) or node.get("type") != "integer":
            return None
        maximum = node.get("maximum")
        if not isinstance(maximum, int) or isinstance(maximum, bool):
            return None
        found.add(maximum)
    return max(found) if found else None


def _skill_values(value: object, at: str) -> list[str]:
    uris = value if isinstance(value, list) else [value]
    if not uris or len(uris) > MAX_VALUES or not all(isinstance(u, str) for u in uris):
        raise _fail(at, "must be an ESCO skill URI or a list of them")
    vocabulary = skill_vocabulary()
    for uri in uris:
        if not isinstance(uri, str) or not vocabulary.contains(uri):
            raise _fail(at, "is not a skill URI in the ESCO vocabulary")
    return list(dict.fromkeys(uris))


def _int_or_none(item: Mapping[str, Any], name: str, at: str) -> int | None:
    value = item.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail(f"{at}/{name}", "must be an integer")
    return value


def _claim(
    item: object, at: str, vcts: tuple[str, ...], base_url: str
) -> tuple[dict[str, Any], bool]:
    """One DCQL claims query and whether it is required."""
    if not isinstance(item, Mapping):
        return {"path": list(_path(item, at))}, False
    if "has_skill" in item:
        values: list[Any] = _skill_values(item["has_skill"], f"{at}/has_skill")
        return {"path": list(SKILL_URI_PATH), "values": values}, item.get("required", True) is True
    path = _path(item.get("path"), f"{at}/path")
    claim: dict[str, Any] = {"path": list(path)}
    low, high = _int_or_none(item, "min", at), _int_or_none(item, "max", at)
    if "values" in item and (low is not None or high is not None):
        raise _fail(at, "give either values or min/max, not both")
    if low is not None or high is not None:
        if low is None:
            raise _fail(f"{at}/min", "a range needs a minimum")
        high = high if high is not None else schema_maximum(vcts, path, base_url)
        if high is None:
            raise _fail(f"{at}/max", "the claim has no known maximum; give max")
        if not 0 < high - low + 1 <= MAX_VALUES:
            raise _fail(at, f"the range must hold 1-{MAX_VALUES} values")
        claim["values"] = list(range(low, high + 1))
    elif "values" in item:
        claim["values"] = item["values"]
    constrained = "values" in claim
    required = item.get("required", constrained)
    if not isinstance(required, bool):
        raise _fail(f"{at}/required", "must be a boolean")
    return claim, required


def _claim_sets(ids: list[str], required: list[str]) -> list[list[str]] | None:
    if len(required) == len(ids):
        return None
    if required:
        return [ids, required]
    return [ids] + [[claim_id] for claim_id in ids if len(ids) > 1]


def _credential(item: object, index: int, base_url: str) -> dict[str, Any]:
    at = f"/credentials/{index}"
    if not isinstance(item, Mapping):
        raise _fail(at, "must be an object with a type")
    types = item.get("type")
    types = types if isinstance(types, list) else [types]
    vcts = tuple(dict.fromkeys(_vct(t, f"{at}/type", base_url) for t in types))
    document: dict[str, Any] = {
        "id": item.get("id", f"q{index + 1}"),
        "format": "dc+sd-jwt",
        "meta": {"vct_values": list(vcts)},
    }
    if "multiple" in item:
        document["multiple"] = item["multiple"]
    claims = item.get("claims", [])
    if not isinstance(claims, list):
        raise _fail(f"{at}/claims", "must be an array")
    queries, required = [], []
    for number, claim in enumerate(claims):
        query, is_required = _claim(claim, f"{at}/claims/{number}", vcts, base_url)
        query = {"id": f"c{number + 1}", **query}
        queries.append(query)
        if is_required:
            required.append(query["id"])
    if queries:
        document["claims"] = queries
        claim_sets = _claim_sets([q["id"] for q in queries], required)
        if claim_sets is not None:
            document["claim_sets"] = claim_sets
    return document


def expand_query(form: object, *, base_url: str) -> Query:
    """Expand the convenience form into a DCQL :class:`~credentials.dcql.Query` (OpenID4VP §6).

    Raises :class:`QueryInvalid` with the pointer of the first problem.
    """
    credentials = form.get("credentials") if isinstance(form, Mapping) else None
    if not isinstance(credentials, list) or not 0 < len(credentials) <= MAX_CREDENTIAL_QUERIES:
        raise _fail("/credentials", f"must be 1-{MAX_CREDENTIAL_QUERIES} credential requests")
    document = {"credentials": [_credential(c, i, base_url) for i, c in enumerate(credentials)]}
    return parse_query(document, at="")
