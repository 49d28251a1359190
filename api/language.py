"""The caller's language for every route: ``?lang=`` or ``Accept-Language`` (fi, sv or en).

One negotiation for the whole API (docs/architecture.md). ``Accept-Language`` is read as RFC 9110
§12.5.4 says: language ranges with optional ``q`` weights; the supported language with the
highest weight wins, ties going to the earlier range; ``*`` means any, which is English; a range
such as ``fi-FI`` counts as its primary language (RFC 4647 §3.4 lookup). An explicit ``?lang=``
(a person's choice in a link) wins over the header. Without either the answer is English.
"""

from typing import Annotated, Final

from fastapi import Depends, Header, Query

from schemas.type_metadata import LANGUAGES, Language

DEFAULT_LANGUAGE: Final[Language] = "en"
MAX_RANGES: Final = 20


def _supported(tag: str) -> Language | None:
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    if primary == "*":
        return DEFAULT_LANGUAGE
    for known in LANGUAGES:
        if primary == known:
            return known
    return None


def _weight(params: str) -> float | None:
    params = params.strip().replace(" ", "")
    if not params.startswith("q="):
        return 1.0
    try:
        weight = float(params[2:])
    except ValueError:
        return None
    return weight if 0 <= weight <= 1 else None


def negotiate_language(accept_language: str | None, *, lang: str | None = None) -> Language:
    """The best of fi, sv and en for ``?lang=`` and an ``Accept-Language`` header.

    RFC 9110 §12.5.4 (weights) and RFC 4647 §3.4 (lookup by primary subtag). Never raises: what
    cannot be read is ignored, and the default is English.
    """
    if lang:
        return _supported(lang) or DEFAULT_LANGUAGE
    best: tuple[float, Language] | None = None
    for item in (accept_language or "").split(",")[:MAX_RANGES]:
        tag, _, params = item.partition(";")
        language, weight = _supported(tag), _weight(params)
        if language is None or weight is None or weight == 0:
            continue
        if best is None or weight > best[0]:
            best = (weight, language)
    return best[1] if best is not None else DEFAULT_LANGUAGE


async def request_language(
    lang: Annotated[str | None, Query(max_length=35)] = None,
    accept_language: Annotated[str | None, Header(alias="Accept-Language")] = None,
) -> Language:
    """The request's language: ``?lang=`` if given, else the ``Accept-Language`` header."""
    return negotiate_language(accept_language, lang=lang)


LanguageDep = Annotated[Language, Depends(request_language)]
