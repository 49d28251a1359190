"""Reports in the caller's language (fi, sv or en): type names and claim labels in it.

The API negotiates the language (``api.language``) and hands it in as a :data:`Language`.

Labels come from the SD-JWT VC Type Metadata of this instance's credential types (SD-JWT VC,
"Claim Display Metadata", through :func:`schemas.claim_label`); a claim of a type this instance
does not know is labelled by its path.
"""

from collections.abc import Sequence
from typing import Any

from credentials.encoding import MAX_DEPTH
from schemas import UnknownCredentialType, claim_label, slug_from_vct, type_display_name
from schemas.type_metadata import LANGUAGES
from schemas.type_metadata import Language as Language  # the services' name for it

DEFAULT_LANGUAGE: Language = "en"


def as_language(value: str) -> Language:
    """``value`` as a :data:`Language` when it is one, else the default (English)."""
    for known in LANGUAGES:
        if value == known:
            return known
    return DEFAULT_LANGUAGE


def type_slug(vct: str, *, base_url: str) -> str | None:
    """The slug of this instance's credential type with this ``vct``, or ``None``."""
    try:
        return slug_from_vct(vct, base_url=base_url)
    except (UnknownCredentialType, ValueError):
        return None


def type_name(vct: str, *, base_url: str, language: Language) -> str:
    """The credential type's display name (SD-JWT VC "Display Metadata"), else its ``vct``."""
    slug = type_slug(vct, base_url=base_url)
    return vct if slug is None else type_display_name(slug, language)


def _path_text(path: Sequence[str | int | None]) -> str:
    text = ""
    for part in path:
        if part is None or isinstance(part, int):
            text += "[*]" if part is None else f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def label_for(slug: str | None, path: Sequence[str | int | None], language: Language) -> str:
    """A label for the claim at ``path``: the top-level claim's label and the leaf's, if any."""
    if slug is None:
        return _path_text(path)
    top = claim_label(slug, path[:1], language) or str(path[0])
    if len(path) == 1:
        return top
    leaf = claim_label(slug, path, language)
    if leaf is None:
        leaf = _path_text([part for part in path[1:] if isinstance(part, str)]) or str(path[-1])
    return f"{top}: {leaf}"


def leaves(value: Any, prefix: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], Any]]:
    """Every leaf value under ``prefix`` with its path, in document order."""
    if len(prefix) > MAX_DEPTH:
        return []
    if isinstance(value, dict) and value:
        return [row for k, v in value.items() for row in leaves(v, (*prefix, k))]
    if isinstance(value, list) and value:
        return [row for i, v in enumerate(value) for row in leaves(v, (*prefix, i))]
    return [(prefix, value)]
