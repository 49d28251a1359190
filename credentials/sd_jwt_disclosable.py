"""Choosing what an issuer makes selectively disclosable (RFC 9901 §4.2, §6).

Three ways, all producing the same marker structure :func:`~credentials.sd_jwt_issuer.issue_sd_jwt`
takes:

- explicit markers: wrap an object property's value or an array element in :class:`SD`
  (``{"given_name": SD("Erika"), "nationalities": [SD("DE"), "FR"]}``); markers nest, which gives
  recursive disclosures (§4.2.6);
- claim paths: :func:`mark_paths` wraps the claims at ``degree.title``, ``skills[2]``,
  ``skills[*]``, ...;
- everything: :func:`mark_all` wraps every object property and every array element at every
  depth, so any nested value can be shown alone, except the top-level claims that must stay plain.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from credentials.encoding import MAX_DEPTH, JSONValue
from credentials.sd_jwt import WILDCARD, ClaimPath, format_claim_path, parse_claim_path


@dataclass(frozen=True)
class SD:
    """Marks an object property's value, or an array element, as selectively disclosable.

    ``value`` may itself contain markers (recursive disclosure, RFC 9901 §4.2.6).
    """

    value: Any


def mark_paths(claims: Mapping[str, Any], paths: Iterable[str | ClaimPath]) -> dict[str, Any]:
    """Return a copy of ``claims`` with the claim at each path wrapped in :class:`SD`.

    Paths address the claims as given (``skills[2]`` is the third element); ``[*]`` marks every
    element of an array. Markers already present are kept. Every path must name an existing
    claim: a path that matches nothing raises ``ValueError``.
    """
    patterns = [parse_claim_path(path) for path in paths]
    matched: set[int] = set()
    result = _mark(dict(claims), [(i, p) for i, p in enumerate(patterns)], matched, 0)
    missing = [format_claim_path(p) for i, p in enumerate(patterns) if i not in matched]
    if missing:
        raise ValueError(f"no claim at path(s): {', '.join(missing)}")
    assert isinstance(result, dict)
    return result


def _mark(value: Any, patterns: list[tuple[int, ClaimPath]], matched: set[int], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ValueError("claims nest too deeply")
    if isinstance(value, SD):
        return SD(_mark(value.value, patterns, matched, depth))
    if isinstance(value, dict):
        items: Iterable[tuple[str | int, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return value
    marked: list[tuple[str | int, Any]] = []
    for key, item in items:
        here = [(i, p) for i, p in patterns if _step_matches(p[0], key, value)]
        deeper = [(i, p[1:]) for i, p in here if len(p) > 1]
        new = _mark(item, deeper, matched, depth + 1) if deeper else item
        selected = [i for i, p in here if len(p) == 1]
        matched.update(selected)
        if selected and not isinstance(new, SD):
            new = SD(new)
        marked.append((key, new))
    if isinstance(value, dict):
        return dict(marked)
    return [item for _, item in marked]


def _step_matches(step: str | int, key: str | int, container: object) -> bool:
    if isinstance(container, list):
        return step in (key, WILDCARD)
    return step == key


def mark_all(claims: Mapping[str, Any], *, plain: Collection[str]) -> dict[str, Any]:
    """Return a copy of ``claims`` where every property and element, at every depth, is an SD.

    Top-level claims named in ``plain`` (and everything beneath them) are left untouched, so
    they stay plaintext (RFC 9901 §9.7; SD-JWT VC §3.2.2.2). Recursive: disclosing a nested
    value needs only its own Disclosure and those of its parents.
    """
    return {
        name: (value if name in plain else SD(_mark_everything(value, 1)))
        for name, value in claims.items()
    }


def _mark_everything(value: JSONValue, depth: int) -> JSONValue:
    if depth > MAX_DEPTH:
        raise ValueError("claims nest too deeply")
    if isinstance(value, SD):
        return _mark_everything(value.value, depth)
    if isinstance(value, dict):
        return {k: SD(_mark_everything(v, depth + 1)) for k, v in value.items()}
    if isinstance(value, list):
        return [SD(_mark_everything(v, depth + 1)) for v in value]
    return value
