"""Strict base64url and JSON, the two encodings every token in Taito is made of.

The policy is in docs/security.md (parsing): UTF-8 only and no byte-order mark; no duplicate member
names (also when they only become equal after unescaping, which ``object_pairs_hook`` sees);
finite numbers of sane size; nesting no deeper than :data:`MAX_DEPTH`; base64url without padding,
only of the URL-safe alphabet (RFC 4648 §5) and canonical, meaning the unused low bits of the last
character are zero, so every byte string has exactly one accepted encoding.
"""

import binascii
import json
import re
from collections.abc import Callable
from typing import Any

from credentials.errors import (
    DuplicateMember,
    InvalidBase64url,
    InvalidJSON,
    InvalidUTF8,
    NonFiniteNumber,
    TooDeep,
    TooLarge,
)

MAX_DEPTH = 32
"""Deepest allowed nesting of JSON arrays and objects (docs/security.md, parsing)."""

MAX_NUMBER_LENGTH = 64
"""Longest accepted JSON number literal; longer ones are a denial-of-service vector."""

_B64URL_ALPHABET = re.compile(rb"\A[A-Za-z0-9_-]*\Z")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]")
_INNERMOST_PAIR = re.compile(r"[\[{][\]}]")
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_PADDING = {0: b"", 2: b"==", 3: b"="}
# The last character of a canonical encoding leaves the unused low bits zero: with 2 characters
# in the last group 4 bits are unused (A, Q, g, w), with 3 characters 2 bits are.
_CANONICAL_LAST = {2: frozenset(b"AQgw"), 3: frozenset(b"AEIMQUYcgkosw048")}
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")

JSONValue = Any
"""A value decoded from JSON. ``Any`` because JSON is recursive; callers narrow it."""


def b64url_encode(data: bytes) -> str:
    """Encode bytes as unpadded base64url (RFC 7515 §2)."""
    return binascii.b2a_base64(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=").decode()


def b64url_decode(text: str | bytes, *, what: str = "value") -> bytes:
    """Decode unpadded, canonical base64url; raise :class:`InvalidBase64url` otherwise."""
    raw = text.encode("ascii", "replace") if isinstance(text, str) else text
    if not _B64URL_ALPHABET.match(raw):
        raise InvalidBase64url(f"{what} is not unpadded base64url")
    remainder = len(raw) % 4
    if remainder == 1:
        raise InvalidBase64url(f"{what} has an impossible base64url length")
    if remainder and raw[-1] not in _CANONICAL_LAST[remainder]:
        raise InvalidBase64url(f"{what} is not canonical base64url (non-zero trailing bits)")
    try:
        return binascii.a2b_base64(raw.translate(_TO_STANDARD) + _PADDING[remainder])
    except binascii.Error:
        raise InvalidBase64url(f"{what} is not valid base64url") from None


def _reject_constant(name: str) -> float:
    raise NonFiniteNumber(f"JSON constant {name} is not allowed")


def _parse_float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_LENGTH:
        raise InvalidJSON("a JSON number is too long")
    value = float(literal)
    if value in (float("inf"), float("-inf")):
        raise NonFiniteNumber("a JSON number overflows to infinity")
    return value


def _parse_int(literal: str) -> int:
    if len(literal) > MAX_NUMBER_LENGTH:
        raise InvalidJSON("a JSON number is too long")
    return int(literal)


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):  # a name given twice: the dict kept one of them
        raise DuplicateMember("a JSON object has a duplicate member name")
    return result


_DECODER = json.JSONDecoder(
    object_pairs_hook=_object_without_duplicates,
    parse_constant=_reject_constant,
    parse_float=_parse_float,
    parse_int=_parse_int,
    strict=True,
)


def check_depth(text: str, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise :class:`TooDeep` when brackets outside strings nest deeper than ``max_depth``."""
    if text.count("[") + text.count("{") <= max_depth:
        # Fast path: fewer opening brackets in all than the cap cannot nest deeper than it.
        return
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    # Each pass removes every innermost pair, so balanced brackets vanish in as many passes as
    # they nest deep (a pass is one regular-expression substitution, not a loop in Python).
    # Brackets still there after ``max_depth`` passes, or that a pass cannot shorten (not
    # balanced), are counted one at a time below, as they are written.
    remaining = brackets
    for _ in range(max_depth):
        if not remaining:
            return
        shorter = _INNERMOST_PAIR.sub("", remaining)
        if len(shorter) == len(remaining):
            break
        remaining = shorter
    if not remaining:
        return
    depth = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            if depth > max_depth:
                raise TooDeep(f"JSON nests deeper than {max_depth} levels")
        else:
            depth -= 1


def json_loads(
    data: bytes | str, *, max_bytes: int | None = None, max_depth: int = MAX_DEPTH
) -> JSONValue:
    """Parse JSON under the strict policy above.

    Raises :class:`InvalidUTF8`, :class:`InvalidJSON` (and its subclasses
    :class:`DuplicateMember`, :class:`NonFiniteNumber`), :class:`TooLarge` or :class:`TooDeep`.
    """
    if isinstance(data, bytes):
        if max_bytes is not None and len(data) > max_bytes:
            raise TooLarge(f"JSON is larger than {max_bytes} bytes")
        if data.startswith(b"\xef\xbb\xbf"):
            raise InvalidUTF8("JSON must not start with a byte-order mark")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidUTF8("JSON is not valid UTF-8") from None
    else:
        text = data
        if max_bytes is not None and len(text) > max_bytes:
            raise TooLarge(f"JSON is larger than {max_bytes} bytes")
        if text.startswith("\ufeff"):
            raise InvalidUTF8("JSON must not start with a byte-order mark")
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidUTF8("JSON text holds an unpaired surrogate") from None
    check_depth(text, max_depth=max_depth)
    try:
        value, end = _DECODER.raw_decode(text)
    except json.JSONDecodeError:
        raise InvalidJSON("the input is not valid JSON") from None
    except RecursionError:
        raise TooDeep("JSON nests too deeply") from None
    if text[end:].strip(" \t\n\r"):
        raise InvalidJSON("unexpected data after the JSON value")
    if _SURROGATE_ESCAPE.search(text):
        # Only a \uD800-\uDFFF escape can produce a lone surrogate; raw UTF-8 input cannot.
        _reject_lone_surrogates(value)
    return value


def _reject_lone_surrogates(value: Any) -> None:
    # json accepts "\ud800" escapes that are not valid Unicode; they cannot be re-encoded as UTF-8
    # and would make two parsers disagree, so we refuse them.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidUTF8("a JSON string holds an unpaired surrogate") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def json_object(data: bytes | str, *, what: str, max_bytes: int | None = None) -> dict[str, Any]:
    """Parse strict JSON that must be an object; ``what`` names it in the error."""
    value = json_loads(data, max_bytes=max_bytes)
    if not isinstance(value, dict):
        raise InvalidJSON(f"{what} must be a JSON object")
    return value


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def json_dumps(value: Any) -> str:
    """Serialize compactly and as UTF-8 text; refuses NaN and Infinity."""
    return _ENCODER.encode(value)


JSONSerializer = Callable[[Any], str]
"""How a producer turns a JSON value into text; injected so official vectors can be reproduced."""
