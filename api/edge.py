"""The strict edge every route of the API goes through, before FastAPI reads anything.

Every router is built with ``route_class=StrictRoute``, so a new route cannot forget it:

- the path and the query string hold no control character (U+0000-U+001F, U+007F), percent-encoded
  or not: 400 ``control_character``. Identifiers never contain one, and PostgreSQL cannot even
  compare text with a NUL;
- a route that takes a body gets it only as strict JSON (:mod:`api.bodies`): 415 for another media
  type, 400 with the rule's code for JSON that breaks a parsing rule.
"""

import re
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import Request, Response
from fastapi.routing import APIRoute

from api.bodies import UnsupportedMediaType, is_json_media_type, parse_json_body
from credentials.encoding import JSONValue
from credentials.errors import TaitoError

_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")


class ControlCharacterInURL(TaitoError):
    code = "control_character"
    title = "The request's address holds a control character"
    status = 400


def check_address(request: Request) -> None:
    """Refuse a path or query string holding a control character (module docstring).

    Raises :class:`ControlCharacterInURL`.
    """
    path = request.scope.get("raw_path") or request.scope.get("path", "").encode("utf-8", "replace")
    query = request.scope.get("query_string", b"")
    if _CONTROL.search(unquote_to_bytes(path)) or _CONTROL.search(
        unquote_to_bytes(query.replace(b"+", b" "))
    ):
        raise ControlCharacterInURL("Paths and query parameters must not hold control characters.")


class StrictJSONRequest(Request):
    """A request whose :meth:`json` is the strict decoding (:func:`parse_json_body`)."""

    async def json(self) -> JSONValue:
        if not hasattr(self, "_strict_json"):
            self._strict_json = parse_json_body(await self.body())
        return self._strict_json


class StrictRoute(APIRoute):
    """A route that checks its address and decodes its body strictly before anything else."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        takes_body = self.body_field is not None

        async def strict_handler(request: Request) -> Response:
            check_address(request)
            if not takes_body:
                return await handler(request)
            strict = StrictJSONRequest(request.scope, request.receive)
            body = await strict.body()
            if body:
                if not is_json_media_type(strict.headers.get("content-type")):
                    raise UnsupportedMediaType(
                        "Send the request body as JSON, with 'Content-Type: application/json'."
                    )
                # Decoded here, outside FastAPI's own error handling, so that the refusal keeps
                # its code; FastAPI then reads the cached value.
                await strict.json()
            return await handler(strict)

        return strict_handler
