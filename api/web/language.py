"""The page language (fi, sv, en): catalogues, negotiation and locale formats (Babel).

The gettext catalogues are the ``.po`` files in ``api/web/locales``; they are compiled to
``.mo`` form in memory when the app first needs them (the project's build step is app start, so
no compiled file is ever stale or checked in). The language is the one the person chose (a
session cookie) or, on a first visit, the best match of ``Accept-Language``.
"""

import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Final

from babel.dates import format_date, format_datetime, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from markupsafe import Markup, escape

from api.language import negotiate_language
from schemas.type_metadata import LANGUAGES
from verifiers.language import Language, as_language

LANGUAGE_COOKIE: Final = "taito_lang"
LANGUAGE_NAMES: Final[dict[Language, str]] = {
    "fi": "Suomeksi",
    "sv": "På svenska",
    "en": "In English",
}
DOMAIN: Final = "messages"
# People read times in Finland's time; everything is stored and computed in UTC.
DISPLAY_TIME_ZONE: Final = "Europe/Helsinki"
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def catalogue_path(language: Language) -> str:
    """Where the ``.po`` catalogue of ``language`` lives inside the package."""
    return f"locales/{language}/LC_MESSAGES/{DOMAIN}.po"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: Language) -> Translations:
    """The compiled catalogue of ``language`` (compiled once per process from its ``.po``)."""
    source = resources.files("api.web").joinpath(catalogue_path(language)).read_bytes()
    catalog = read_po(io.BytesIO(source), locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


def page_language(*, chosen: str | None, accept_language: str | None) -> Language:
    """The person's chosen language when it is one of ours, else the best ``Accept-Language``."""
    if chosen in LANGUAGES:
        return as_language(chosen)
    return negotiate_language(accept_language)


@dataclass(frozen=True)
class Localizer:
    """Messages, dates and numbers in one language, for templates and page code."""

    language: Language

    def gettext(self, message: str, **values: object) -> str:
        """``message`` translated; ``%(name)s`` placeholders filled from ``values``."""
        text = translations(self.language).ugettext(message)
        return text % values if values else text

    def markup(self, message: str, **values: object) -> Markup:
        """For templates: the translation and the values, each escaped."""
        text = escape(translations(self.language).ugettext(message))
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> Markup:
        """Singular or plural by ``count``; ``%(num)s`` is the count formatted for the locale."""
        text = escape(translations(self.language).ungettext(singular, plural, count))
        return text % {"num": self.number(count), **values}

    def date(self, value: date | datetime | None) -> str:
        """A date in the locale's long form (e.g. "7. joulukuuta 2026")."""
        if value is None:
            return ""
        day = value.date() if isinstance(value, datetime) else value
        return format_date(day, format="long", locale=self.language)

    def datetime(self, value: datetime | None) -> str:
        """A moment in the locale's medium form, in Finland's time."""
        if value is None:
            return ""
        zone = get_timezone(DISPLAY_TIME_ZONE)
        return format_datetime(value, format="medium", tzinfo=zone, locale=self.language)

    def value(self, value: object) -> str:
        """A claim's value as a person reads it: dates, numbers and yes/no in the locale."""
        if isinstance(value, bool):
            return self.gettext("Yes") if value else self.gettext("No")
        if isinstance(value, int | float):
            return self.number(value)
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            try:
                return self.date(date.fromisoformat(value))
            except ValueError:
                return value
        return "" if value is None else str(value)

    def number(self, value: int | float) -> str:
        """A number with the locale's separators."""
        return format_decimal(value, locale=self.language)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark ``message`` for the catalogues; it is translated where it is shown."""
    return message
