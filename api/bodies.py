"""Request bodies: one strict JSON decoding for every route of the API.

Every router is built with ``route_class=StrictRoute`` (:mod:`api.edge`): before FastAPI reads a
route's body, the route checks it once, so no route can forget (docs/security.md, "Parsing"):

- a route that takes a body accepts only ``application/json`` or ``application/*+json``; any other
  (or no) ``Content-Type`` with a non-empty body is 415 ``unsupported_media_type``;
- the body is decoded by the credential core's strict parser
  (:func:`credentials.encoding.json_loads`): UTF-8 without a byte-order mark, no unpaired
  surrogate, no duplicate member name, no ``NaN``/``Infinity``, numbers of at most 64 characters,
  nesting at most 32 deep; and no NUL character in any string (PostgreSQL text cannot hold one).
  Each refusal is a 400 problem with the stable code of the rule; nothing has been read by the
  route, so nothing changes.

Field values are bounded afterwards by the request models (:mod:`api.fields`).
"""

import email.message

from credentials.encoding import JSONValue, json_loads
from credentials.errors import (
    DuplicateMember,
    InvalidJSON,
    InvalidUTF8,
    MalformedInput,
    NonFiniteNumber,
    TaitoError,
    TooDeep,
)


class UnsupportedMediaType(TaitoError):
    code = "unsupported_media_type"
    title = "The request body's media type is not supported"
    status = 415


class MalformedBody(TaitoError):
    code = "malformed_json"
    title = "The request body is not valid JSON"
    status = 400


class DuplicateMemberInBody(MalformedBody):
    code = "duplicate_json_member"
    title = "The request body repeats a member name"


class NonFiniteNumberInBody(MalformedBody):
    code = "non_finite_number"
    title = "The request body holds a number that is not finite"


class InvalidTextInBody(MalformedBody):
    code = "invalid_utf8"
    title = "The request body is not valid UTF-8 text"


class BodyTooDeep(MalformedBody):
    code = "nesting_too_deep"
    title = "The request body nests too deeply"


class NULInBody(MalformedBody):
    code = "nul_character"
    title = "The request body holds a NUL character"


# The most specific core error first: DuplicateMember and NonFiniteNumber are InvalidJSON too.
_REFUSALS: tuple[tuple[type[MalformedInput], type[MalformedBody]], ...] = (
    (DuplicateMember, DuplicateMemberInBody),
    (NonFiniteNumber, NonFiniteNumberInBody),
    (InvalidUTF8, InvalidTextInBody),
    (TooDeep, BodyTooDeep),
    (InvalidJSON, MalformedBody),
)


def is_json_media_type(content_type: str | None) -> bool:
    """``application/json`` or ``application/<anything>+json`` (RFC 6839 §3.1), any parameters."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def parse_json_body(body: bytes) -> JSONValue:
    """Decode a request body strictly (module docstring).

    Raises :class:`MalformedBody` or one of its subclasses, each a 400 problem.
    """
    try:
        value = json_loads(body)
    except MalformedInput as error:
        refusal = next((api for core, api in _REFUSALS if isinstance(error, core)), MalformedBody)
        raise refusal(refusal.title + ".") from None
    if b"\\u0000" in body:
        # Raw NUL bytes are already invalid JSON; only the \u0000 escape can produce one.
        _refuse_nul(value)
    return value


def _refuse_nul(value: JSONValue) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise NULInBody("Strings in the request body must not contain U+0000.")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
