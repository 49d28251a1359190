"""Claim paths (SD-JWT VC, "Claim Path" and "Processing of path") and JSON Pointers (RFC 6901).

Type metadata addresses claims with ``path`` arrays; violations report where they are with JSON
Pointers. This module turns one into the other and selects the claims a path addresses.
"""

from collections.abc import Sequence
from typing import Any

ClaimPath = tuple[str | int | None, ...]
"""A claim path (SD-JWT VC, "Claim Path"): keys, ``None`` for every array element, or an index."""


class ClaimPathError(ValueError):
    """A claim path is malformed or does not fit the structure of the claims."""

    code = "claim_path_invalid"


def json_pointer(parts: Sequence[str | int]) -> str:
    """The RFC 6901 JSON Pointer of a location given as keys and array indices."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _check_path(path: Sequence[Any]) -> None:
    if not path:
        raise ClaimPathError("a claim path must not be empty")
    for part in path:
        ok = part is None or isinstance(part, str)
        ok = ok or (isinstance(part, int) and not isinstance(part, bool) and part >= 0)
        if not ok:
            raise ClaimPathError("a claim path holds only strings, null and non-negative integers")


def select_claims(claims: Any, path: Sequence[str | int | None]) -> list[tuple[str, Any]]:
    """The claims that ``path`` selects, as ``(json_pointer, value)`` pairs in document order.

    Spec: SD-JWT VC, "Processing of path": a string selects a key (elements without it drop
    out), ``None`` every element of the selected arrays, an integer one index. Raises
    :class:`ClaimPathError` when the path is malformed or a component meets the wrong JSON type
    (a key applied to a non-object, ``None`` or an index to a non-array).
    """
    _check_path(path)
    selected: list[tuple[list[str | int], Any]] = [([], claims)]
    for part in path:
        nxt: list[tuple[list[str | int], Any]] = []
        for where, value in selected:
            if isinstance(part, str):
                if not isinstance(value, dict):
                    raise ClaimPathError("a claim path key was applied to a non-object")
                if part in value:
                    nxt.append(([*where, part], value[part]))
            elif not isinstance(value, list):
                raise ClaimPathError("a claim path array component was applied to a non-array")
            elif part is None:
                nxt.extend(([*where, i], item) for i, item in enumerate(value))
            elif part < len(value):
                nxt.append(([*where, part], value[part]))
        selected = nxt
    return [(json_pointer(where), value) for where, value in selected]


def path_matches(pattern: ClaimPath, path: Sequence[str | int | None]) -> bool:
    """Whether a concrete ``path`` is addressed by ``pattern`` (``None`` matches any index)."""
    if len(pattern) != len(path):
        return False
    for want, have in zip(pattern, path, strict=True):
        if want is None:
            if not (have is None or (isinstance(have, int) and not isinstance(have, bool))):
                return False
        elif want != have:
            return False
    return True
