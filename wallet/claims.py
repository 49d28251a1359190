"""Reading the claims of held credentials: type, title, skills, labelled rows and search text.

Labels come from the SD-JWT VC type metadata of Taito's credential types (SD-JWT VC, "Claim
Display Metadata", through :mod:`schemas`). A ``vct`` of another Taito instance
(``https://<host>/types/<slug>/v<version>``) names the same type definition, so a wallet
imported from elsewhere keeps its labels; any other ``vct`` is shown by its identifier.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from credentials.encoding import JSONValue
from schemas import (
    SLUGS,
    UnknownCredentialType,
    claim_label,
    credential_type,
    slug_from_vct,
    type_display_name,
)
from wallet.limits import TITLE_MAX_CHARS

REGISTERED_CLAIMS = frozenset(
    {
        "iss",
        "vct",
        "vct#integrity",
        "aka_vcts",
        "iat",
        "exp",
        "nbf",
        "cnf",
        "status",
        "_sd_alg",
        "sub",
        "id",
    }
)
"""Claims that describe the credential itself rather than the person; not listed as claims."""

_TAITO_VCT = re.compile(r"\Ahttps://[^/?#\s]+(?:/[^?#\s]*)?/types/([a-z_]+)/v([0-9]{1,4})\Z")
_TITLE_PATHS: tuple[tuple[str, ...], ...] = (
    ("title",),
    ("course", "name"),
    ("skill", "label"),
    ("role", "title"),
    ("toward", "name"),
    ("recognised", "description"),
)
ClaimPointer = tuple[str | int | None, ...]
"""A claims path pointer (OpenID4VP §7): names, indices and ``None`` for every element."""


@dataclass(frozen=True)
class HeldSkill:
    """A skill a credential attests: ESCO URI, the issuer's label, and a level if given."""

    uri: str
    label: str
    level: str | None
    scale: str | None


@dataclass(frozen=True)
class ClaimRow:
    """One leaf claim with its path and its label in the requested language."""

    path: tuple[str | int, ...]
    label: str | None
    value: JSONValue


def type_slug(vct: str, *, base_url: str) -> str | None:
    """The Taito type slug of ``vct`` (this instance's or another Taito's), else ``None``."""
    try:
        return slug_from_vct(vct, base_url=base_url)
    except (UnknownCredentialType, ValueError):
        pass
    found = _TAITO_VCT.match(vct)
    if found is None or found.group(1) not in SLUGS:
        return None
    if credential_type(found.group(1)).version != int(found.group(2)):
        return None
    return found.group(1)


def type_name(slug: str | None, vct: str, lang: str) -> str:
    """The display name of the credential type in ``lang``, or its ``vct``."""
    return type_display_name(slug, lang) if slug is not None else vct


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def title_of(claims: Mapping[str, JSONValue]) -> str | None:
    """A short title for lists: the qualification title, course name, skill or role."""
    for path in _TITLE_PATHS:
        value: Any = claims
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if _text(value):
            # Lists show titles, and a page of them is bounded (wallet.limits).
            return str(value)[:TITLE_MAX_CHARS]
    return None


def _skill(item: Any, level: str | None = None, scale: str | None = None) -> HeldSkill | None:
    if not isinstance(item, dict):
        return None
    uri, label = _text(item.get("uri")), _text(item.get("label"))
    if uri is None:
        return None
    return HeldSkill(
        uri=uri, label=label or uri, level=_text(item.get("level")) or level, scale=scale
    )


def skills_of(claims: Mapping[str, JSONValue]) -> tuple[HeldSkill, ...]:
    """Every ESCO skill the claims attest: ``skill`` (with ``proficiency``) and ``skills[*]``."""
    found: list[HeldSkill] = []
    proficiency = claims.get("proficiency")
    level = scale = None
    if isinstance(proficiency, dict):
        level, scale = _text(proficiency.get("level")), _text(proficiency.get("scale"))
    main = _skill(claims.get("skill"), level, scale)
    if main is not None:
        found.append(main)
    listed = claims.get("skills")
    if isinstance(listed, list):
        found.extend(skill for skill in map(_skill, listed) if skill is not None)
    return tuple(found)


def _leaves(
    value: Any, prefix: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _leaves(item, (*prefix, key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, (*prefix, index))
    else:
        yield prefix, value


def label_of(slug: str | None, path: tuple[str | int | None, ...], lang: str) -> str | None:
    """The claim's label in ``lang``: ``Top › Leaf`` for nested claims, ``None`` if unknown."""
    if slug is None or not path:
        return None
    leaf = claim_label(slug, path, lang)
    if len(path) == 1:
        return leaf
    top = claim_label(slug, path[:1], lang)
    if top is None or leaf is None or top == leaf:
        return leaf or top
    return f"{top} › {leaf}"


def person_claims(claims: Mapping[str, JSONValue]) -> dict[str, JSONValue]:
    """The claims about the person, without the registered claims about the credential."""
    return {name: value for name, value in claims.items() if name not in REGISTERED_CLAIMS}


def _display_order(slug: str | None) -> dict[str, int]:
    # Processed SD-JWT claims come in digest order, which hides the issuer's order (RFC 9901
    # §4.2.4.1); the type metadata's claim list is the display order (SD-JWT VC "Claim Metadata").
    if slug is None:
        return {}
    names = [c["path"][0] for c in credential_type(slug).metadata["claims"] if len(c["path"]) == 1]
    return {name: index for index, name in enumerate(names)}


def in_display_order(claims: Mapping[str, JSONValue], slug: str | None) -> dict[str, JSONValue]:
    """The claims about the person, top-level names in the type's display order."""
    order = _display_order(slug)
    person = person_claims(claims)
    return {
        name: person[name] for name in sorted(person, key=lambda n: (order.get(n, len(order)), n))
    }


def labelled_rows(
    claims: Mapping[str, JSONValue], slug: str | None, lang: str
) -> tuple[ClaimRow, ...]:
    """Every leaf claim about the person with its label in ``lang``, in document order."""
    return tuple(
        ClaimRow(path=path, label=label_of(slug, path, lang), value=value)
        for path, value in _leaves(in_display_order(claims, slug), ())
    )


def search_text(
    claims: Mapping[str, JSONValue], *, issuer_name: str | None, slug: str | None
) -> str:
    """Lower-cased text a free-text search looks in: claim values, issuer and type names."""
    parts = [str(value) for _, value in _leaves(person_claims(claims), ()) if value is not None]
    if issuer_name:
        parts.append(issuer_name)
    if slug is not None:
        parts.extend(type_display_name(slug, lang) for lang in ("fi", "sv", "en"))
    return " ".join(parts).casefold()
