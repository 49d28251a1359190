"""The caller's language (fi, sv or en) from ``Accept-Language`` and claim labels in it.

``Accept-Language`` is read as RFC 9110 §12.5.4 says: language ranges with optional ``q``
weights; the supported language with the highest weight wins, ties going to the earlier range;
``*`` means any, which is English. Without a usable header the answer is English.

Labels come from the SD-JWT VC Type Metadata of this instance's credential types (SD-JWT VC,
"Claim Display Metadata", through :func:`schemas.claim_label`); a claim of a type this instance
does not know is labelled by its path.
"""

from collections.abc import Sequence
from typing import Any, Literal

from credentials.encoding import MAX_DEPTH
from schemas import UnknownCredentialType, claim_label, slug_from_vct, type_display_name

Language = Literal["fi", "sv", "en"]
LANGUAGES: tuple[Language, ...] = ("fi", "sv", "en")
DEFAULT_LANGUAGE: Language = "en"
MAX_RANGES = 20


def as_language(value: str) -> Language:
    """``value`` as a :data:`Language` when it is one, else the default (English)."""
    for known in LANGUAGES:
        if value == known:
            return known
    return DEFAULT_LANGUAGE


def negotiate_language(accept_language: str | None) -> Language:
    """The best of fi, sv and en for an ``Accept-Language`` header (RFC 9110 §12.5.4)."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    best: tuple[float, int, Language] | None = None
    for position, item in enumerate(accept_language.split(",")[:MAX_RANGES]):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        params = params.strip().replace(" ", "")
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                continue
            if not 0 <= weight <= 1:
                continue
        primary = tag.strip().lower().split("-", 1)[0]
        language: Language | None = None
        for known in LANGUAGES:
            if primary == known:
                language = known
        if primary == "*":
            language = DEFAULT_LANGUAGE
        if language is None or weight == 0:
            continue
        if best is None or weight > best[0]:
            best = (weight, position, language)
    return best[2] if best is not None else DEFAULT_LANGUAGE


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
