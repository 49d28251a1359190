"""The JSON Schema ``format`` checks Taito enforces: ``date`` (RFC 3339 full-date) and ``uri``.

JSON Schema 2020-12 §7 makes ``format`` an annotation unless a validator opts in; Taito opts in
for these two. ``jsonschema`` checks ``uri`` only with an optional third-party package, so the
check is done here, from the RFC 3986 grammar: an absolute URI whose characters are all allowed
(unreserved, reserved or a ``%`` escape), with a scheme, and a host when it is ``http`` or
``https``.
"""

import re
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a checker is made (schemas.validation)
    from jsonschema import FormatChecker

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:", re.ASCII)
_URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*", re.ASCII)
_AUTHORITY = re.compile(r"//([^/?#]*)")


def is_date(value: object) -> bool:
    """Whether ``value`` is an RFC 3339 ``full-date`` (YYYY-MM-DD) naming a real day."""
    if not isinstance(value, str):
        return True
    if not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_uri(value: object) -> bool:
    """Whether ``value`` is an absolute URI (RFC 3986 §4.3) of allowed characters only."""
    if not isinstance(value, str):
        return True
    scheme = _SCHEME.match(value)
    if scheme is None or not _URI_CHARS.fullmatch(value):
        return False
    rest = value[scheme.end() :]
    if scheme.group().lower() in ("http:", "https:"):
        authority = _AUTHORITY.match(rest)
        host = authority.group(1).rsplit("@", 1)[-1] if authority else ""
        if not host or host.startswith(":"):
            return False
    return bool(rest)


def format_checker() -> "FormatChecker":
    """A :class:`jsonschema.FormatChecker` that checks exactly ``date`` and ``uri``."""
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    checker.checks("date")(is_date)
    checker.checks("uri")(is_uri)
    return checker
