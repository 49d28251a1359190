"""RFC 9457 problem details: the one shape of every error response Taito sends.

Every :class:`credentials.errors.TaitoError` (and subclass, found through the class hierarchy by
Starlette) becomes ``application/problem+json`` with a stable ``type``
(``urn:taito:problem:<code>``), the ``code`` itself, a ``title``, a human ``detail`` that never
echoes secrets or personal data, and the ``request_id`` that the logs carry too. Framework errors
(404, 405, 413, request validation) are mapped here as well, so no FastAPI default body ever
leaves the server. Every 5xx answered here is logged once, with the request id, the code and the
exception's type (:func:`api.logs.log_server_error`); 4xx answers are the client's and only
appear in the access log.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from api.logs import log_server_error
from credentials.errors import TaitoError

PROBLEM_JSON = "application/problem+json"

_HTTP_CODES: Mapping[int, tuple[str, str]] = {
    400: ("bad_request", "The request is not valid"),
    401: ("unauthorized", "Authentication is required"),
    403: ("forbidden", "This is not allowed for you"),
    404: ("not_found", "There is nothing at this address"),
    405: ("method_not_allowed", "This method is not allowed here"),
    406: ("not_acceptable", "No acceptable representation"),
    409: ("conflict", "The request conflicts with the current state"),
    410: ("gone", "This is no longer available"),
    413: ("request_too_large", "The request body is too large"),
    415: ("unsupported_media_type", "The request body's media type is not supported"),
    422: ("validation_failed", "The request has invalid fields"),
    429: ("too_many_requests", "Too many requests; try again later"),
    500: ("internal_error", "Something went wrong on our side"),
    503: ("unavailable", "The service is temporarily unavailable"),
}


def problem_title(status: int) -> str:
    """The generic title of an error status (the one its problems carry unless they say more)."""
    return _HTTP_CODES.get(status, ("error", "Error"))[1]


def problem_body(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    request_id: str | None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:taito:problem:{code}",
        "code": code,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if request_id:
        body["request_id"] = request_id
    if extra:
        body.update(extra)
    return body


def problem_response(
    *,
    status: int,
    code: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    request_id: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    default_code, default_title = _HTTP_CODES.get(status, ("error", "Error"))
    body = problem_body(
        status=status,
        code=code or default_code,
        title=title or default_title,
        detail=detail or title or default_title,
        request_id=request_id,
        extra=extra,
    )
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def request_id_of(request: Request) -> str | None:
    value = request.scope.get("state", {}).get("request_id")
    return value if isinstance(value, str) else None


def _pointer(location: Sequence[int | str]) -> str:
    # FastAPI locations start with "body", "query", "path" or "header"; the pointer addresses the
    # part of the request, e.g. /body/claims/given_name (RFC 6901 escaping).
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in location)


async def _taito_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TaitoError)
    if exc.status >= 500:
        log_server_error(exc, status=exc.status, code=exc.code, request_id=request_id_of(request))
    extra = getattr(exc, "problem_extra", None)
    headers = getattr(exc, "headers", None)
    return problem_response(
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        request_id=request_id_of(request),
        extra=extra if isinstance(extra, dict) else None,
        headers=headers if isinstance(headers, dict) else None,
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method some operation of the app answers at the request's path (RFC 9110 §10.2.1).

    Starlette names only the methods of the first route whose path matched; the document names
    them all.
    """
    paths: Mapping[str, Mapping[str, Any]] = request.app.openapi().get("paths", {})
    found: set[str] = set()
    for template, operations in paths.items():
        pattern, _, _ = compile_path(template)
        if pattern.match(request.url.path):
            found |= {method.upper() for method in operations if method != "parameters"}
    return sorted(found)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code >= 500:
        code, _ = _HTTP_CODES.get(exc.status_code, ("error", ""))
        log_server_error(exc, status=exc.status_code, code=code, request_id=request_id_of(request))
    _, default_title = _HTTP_CODES.get(exc.status_code, ("error", "Error"))
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail else default_title
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        allowed = allowed_methods(request)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    return problem_response(
        status=exc.status_code,
        detail=detail,
        request_id=request_id_of(request),
        headers=headers,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem_response(
            status=400,
            code="malformed_json",
            title="The request body is not valid JSON",
            detail="The request body could not be parsed as JSON.",
            request_id=request_id_of(request),
        )
    # Never echo the rejected input: it may hold personal data or secrets.
    violations = [
        {"pointer": _pointer(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
        for e in errors[:100]
    ]
    return problem_response(
        status=422,
        code="validation_failed",
        title="The request has invalid fields",
        detail=f"{len(errors)} field(s) are invalid; see 'errors'.",
        request_id=request_id_of(request),
        extra={"errors": violations},
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers; unhandled exceptions are answered by the request middleware."""
    app.add_exception_handler(TaitoError, _taito_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
