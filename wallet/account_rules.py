"""What a username and a password must be: NIST SP 800-63B §5.1.1.2 and OWASP's rules.

Usernames are identifiers people type and others may be shown, so they are compared in one form
(NFKC, case-folded, trimmed: ``Maija`` and ``ＭＡＩＪＡ`` are one account) and must not hide
anything: no control, format (zero-width, bidirectional override), private-use, unassigned or
invisible character, and no space inside. A blank username is a username problem, not a password
one.

Passwords are secrets, so everything printable is allowed, spaces and emoji included, with no
composition rule (SP 800-63B: "SHALL NOT impose other composition rules"). They are NFKC-normalised
before hashing (SP 800-63B: "SHOULD be applied") so the same password typed on two keyboards
matches; they must be 10 to 1024 characters after that, hold no control character, and not be
guessable: not on the list of common passwords shipped with Taito (``common_passwords.txt``, also
with digits or symbols appended), not one character or a short group repeated, not a run like
``abcdefghij``, and not the username or the service's name.
"""

import itertools
import re
import unicodedata
from functools import lru_cache
from importlib.resources import files

from wallet.errors import (
    PasswordCharactersInvalid,
    PasswordTooCommon,
    PasswordTooLong,
    PasswordTooShort,
    UsernameCharactersInvalid,
    UsernameRejected,
)

MIN_USERNAME_LENGTH = 3
MAX_USERNAME_LENGTH = 254
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

RESERVED_USERNAMES = frozenset(
    {
        "abuse",
        "admin",
        "administrator",
        "hostmaster",
        "info",
        "no-reply",
        "noreply",
        "postmaster",
        "root",
        "security",
        "support",
        "system",
        "taito",
        "webmaster",
    }
)
"""Names nobody registers: they would pass for the service itself. Answered as a taken name is."""

_INVISIBLE = frozenset(
    # Default-ignorable or blank characters outside the C and Z categories (Unicode
    # DerivedCoreProperties Default_Ignorable_Code_Point, and the Hangul and Braille blanks).
    [
        *(0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0),
        *range(0x180B, 0x1810),
        *range(0xFE00, 0xFE10),
        *range(0xE0100, 0xE01F0),
    ]
)
_WEAK_TAIL = re.compile(r"[\d\W_]+$")
_SEPARATORS = re.compile(r"[\W_]+")
_SERVICE_WORDS = frozenset({"taito", "taitowallet", "taitolompakko"})


def normalize_username(username: str) -> str:
    """NFKC, case-folded and trimmed, so ``Maija`` and ``maija`` are one account."""
    folded = unicodedata.normalize("NFKC", username).casefold()
    return unicodedata.normalize("NFKC", folded).strip()


def _hidden(character: str) -> bool:
    category = unicodedata.category(character)
    return category[0] in ("C", "Z") or ord(character) in _INVISIBLE


def check_username(username: str) -> str:
    """The normalised form of a username someone wants to register.

    NIST SP 800-63B §5.1.1.2 and OWASP Authentication Cheat Sheet. Raises
    :class:`UsernameRejected` (blank, too short or long) and :class:`UsernameCharactersInvalid`
    (a space inside, or a control, format, private-use, unassigned or invisible character).
    """
    normalized = normalize_username(username)
    if not normalized:
        raise UsernameRejected("Choose a username.")
    if any(_hidden(character) for character in normalized):
        raise UsernameCharactersInvalid(
            "A username may not hold spaces or control, invisible or direction characters."
        )
    if not MIN_USERNAME_LENGTH <= len(normalized) <= MAX_USERNAME_LENGTH:
        raise UsernameRejected(
            f"The username must be {MIN_USERNAME_LENGTH} to {MAX_USERNAME_LENGTH} characters."
        )
    return normalized


def normalize_password(password: str) -> str:
    """The password as it is hashed: NFKC (NIST SP 800-63B §5.1.1.2)."""
    return unicodedata.normalize("NFKC", password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords and their stems, case-folded."""
    text = files("wallet").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def _repeats_a_short_group(password: str) -> bool:
    for size in range(1, min(5, len(password) // 2) + 1):
        group = password[:size]
        if (group * (len(password) // size + 1))[: len(password)] == password:
            return True
    return False


def _is_a_run(password: str) -> bool:
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(password)}
    return steps in ({1}, {-1})


def _guessable(folded: str, username: str) -> bool:
    stem = _WEAK_TAIL.sub("", folded)
    squashed = _SEPARATORS.sub("", stem)
    local_part = username.split("@", 1)[0]
    listed = common_passwords()
    return (
        folded.strip() == ""
        or folded in listed
        or stem in listed
        or squashed in listed
        or _repeats_a_short_group(folded)
        or _is_a_run(folded)
        or folded == username
        or stem in (username, local_part)
        or squashed in _SERVICE_WORDS
    )


def check_new_password(password: str, *, username: str) -> str:
    """The normalised form of a new password for ``username`` (already normalised).

    NIST SP 800-63B §5.1.1.2 and OWASP Authentication Cheat Sheet. Raises
    :class:`PasswordTooShort`, :class:`PasswordTooLong`, :class:`PasswordCharactersInvalid`
    (a control character or a lone surrogate) and :class:`PasswordTooCommon`.
    """
    normalized = normalize_password(password)
    if any(unicodedata.category(character) in ("Cc", "Cs") for character in normalized):
        raise PasswordCharactersInvalid("A password may not hold control characters.")
    if len(normalized) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if len(normalized) > MAX_PASSWORD_LENGTH:
        raise PasswordTooLong(f"The password must be at most {MAX_PASSWORD_LENGTH} characters.")
    if _guessable(normalized.casefold(), username):
        raise PasswordTooCommon(
            "This password is too easy to guess: it is common, repetitive, a run of characters"
            " or your username. A few unrelated words make a good one."
        )
    return normalized
