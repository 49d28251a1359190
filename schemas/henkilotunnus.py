"""Detect Finnish personal identity codes (henkilötunnus) anywhere in a set of claims.

Taito never puts a personal identity code in a credential: a competence credential does not need
it, and it would link every presentation to the person. The code has the form ``DDMMYYCZZZQ``,
as the Digital and Population Data Services Agency defines it (century signs as of 2023):

- ``DDMMYY`` the date of birth;
- ``C`` the century sign: ``+`` 1800s; ``-``, ``Y``, ``X``, ``W``, ``V``, ``U`` 1900s;
  ``A``, ``B``, ``C``, ``D``, ``E``, ``F`` 2000s;
- ``ZZZ`` the individual number, 002-899 (900-999 for temporary codes, refused as well);
- ``Q`` the check character ``"0123456789ABCDEFHJKLMNPRSTUVWXY"[int(DDMMYYZZZ) % 31]``.

A candidate counts only when its date exists and its check character is right, so look-alikes
(order numbers, dates with a suffix) are not flagged. Candidates are found anywhere in a string,
also inside longer text, in lower case, and with a Unicode dash for ``-``. Results are JSON
Pointers, never the matched text. A set of claims is scanned in one pass over all its strings
joined (a separator no candidate can span); only claims holding a code are walked again for the
pointers.
"""

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from schemas.claim_path import json_pointer

_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900}
_CENTURY |= dict.fromkeys("ABCDEF", 2000)
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2212]")
# Searched again from the position after each candidate's start, so overlapping candidates
# ("x010190-123A" and "1010190-123A") are all seen.
_CANDIDATE = re.compile(r"([0-9]{6})([-+A-FU-Y])([0-9]{3})([0-9A-Y])")
_SEPARATOR = "\x00"  # in none of a candidate's character classes, before or after upper()
# Six digits and a century sign in any case or dash: every candidate has this, most text has not.
_HINT = re.compile("[0-9]{6}[-+A-Fa-fU-Yu-y\u2010\u2011\u2012\u2013\u2014\u2212]")


def _valid(digits: str, century: str, individual: str, check: str) -> bool:
    if not 2 <= int(individual) <= 999:
        return False
    try:
        date(_CENTURY[century] + int(digits[4:6]), int(digits[2:4]), int(digits[0:2]))
    except ValueError:
        return False
    return _CHECK[int(digits + individual) % 31] == check


def contains_personal_identity_code(text: str) -> bool:
    """Whether ``text`` contains a valid Finnish personal identity code anywhere in it."""
    if _HINT.search(text) is None:
        return False
    normal = _DASHES.sub("-", text).upper()
    found = _CANDIDATE.search(normal)
    while found is not None:
        if _valid(*found.groups()):
            return True
        found = _CANDIDATE.search(normal, found.start() + 1)
    return False


def _strings(claims: Any) -> Iterator[str]:
    stack = [claims]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield str(key)
                stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)


def find_personal_identity_codes(claims: Any) -> list[str]:
    """JSON Pointers of every string value or member name holding a personal identity code.

    Scans the whole JSON value whatever the member names. A value is reported at its own
    pointer; a member *name* that holds a code is reported at the pointer of the object that
    has it, so the code never appears in the result (nothing below such a name is reported
    separately). Pointers are unique and in document order. Raises nothing.
    """
    if not contains_personal_identity_code(_SEPARATOR.join(_strings(claims))):
        return []
    found: list[str] = []
    stack: list[tuple[list[str | int], Any]] = [([], claims)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if contains_personal_identity_code(value):
                found.append(json_pointer(where))
        elif isinstance(value, dict):
            children: list[tuple[list[str | int], Any]] = []
            for key, item in value.items():
                if contains_personal_identity_code(str(key)):
                    found.append(json_pointer(where))
                else:
                    children.append(([*where, key], item))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend(reversed([([*where, i], item) for i, item in enumerate(value)]))
    return list(dict.fromkeys(found))
