"""The OpenAPI document, told truthfully: every error status an operation can answer, with the
``application/problem+json`` body it really sends, and the required ``Idempotency-Key``.

FastAPI documents the success responses, the parameters and (through :mod:`api.auth`) the bearer
scheme of each door. This module adds the errors, in two parts:

- the statuses that follow from the edge (:mod:`api.edge`): every operation with a JSON body can
  answer 400 (strict JSON), 413 (body limit), 415 (media type) and 422 (fields); with path or
  query parameters 400 (a control character); with a query, header or typed path parameter 422;
  with path parameters 404; behind a bearer scheme 401;
- the statuses the services raise for that operation (:data:`SERVICE_STATUSES`), kept here in
  one table, checked against the app by the tests and against the running app by the fuzz run
  (tests/api/test_fuzz.py), which fails on any status the document does not name.
"""

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.problems import PROBLEM_JSON, problem_title

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; ``code`` is stable, ``detail`` never echoes input.",
    "type": "object",
    "required": ["type", "code", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "urn:taito:problem:<code>"},
        "code": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "The invalid fields or checks: JSON pointer and message.",
            "items": {
                "type": "object",
                "required": ["pointer", "message"],
                "properties": {"pointer": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

IDEMPOTENCY_KEY_SCHEMA: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": "^[!-~]+$",
    "description": "1-255 visible ASCII characters; a retry with the same key and body answers "
    "the first result, the same key with another body 422 idempotency_key_reused.",
}

SERVICE_STATUSES: Mapping[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/readyz"): (503,),
    ("POST", "/v1/auth/register"): (409, 422, 429, 503),
    ("POST", "/v1/auth/login"): (401, 429, 503),
    ("POST", "/v1/auth/password"): (403, 422, 429, 503),
    ("POST", "/v1/auth/refresh"): (401,),
    ("POST", "/v1/wallet/shares/preview"): (404, 422),
    ("POST", "/v1/wallet/shares"): (404, 409, 422),
    ("GET", "/v1/wallet/shares"): (400,),
    ("GET", "/v1/admin/issuers"): (400,),
    ("GET", "/v1/admin/issuers/{slug}/api-keys"): (400,),
    ("GET", "/v1/admin/verifiers"): (400,),
    ("GET", "/v1/admin/verifiers/{slug}/api-keys"): (400,),
    ("GET", "/v1/admin/trust"): (400,),
    ("GET", "/v1/admin/organisations/{slug}/staff"): (400,),
    ("GET", "/v1/wallet/requests/{request_id}"): (409, 410, 422),
    ("POST", "/v1/wallet/requests/{request_id}/response"): (409, 410, 422, 503),
    ("POST", "/v1/wallet/credentials"): (409, 422, 503),
    ("POST", "/v1/wallet/pickup"): (404, 409, 410, 422, 503),
    ("GET", "/v1/wallet/credentials"): (400,),
    ("GET", "/v1/wallet/credentials/{credential_id}"): (503,),
    ("POST", "/v1/wallet/skills"): (409, 422),
    ("POST", "/v1/wallet/import"): (409, 422, 503),
    ("POST", "/v1/wallet/export"): (403, 422, 429, 503),
    ("POST", "/v1/wallet/erase"): (403, 429, 503),
    ("POST", "/v1/admin/verifiers"): (409,),
    ("POST", "/v1/admin/trust"): (409,),
    ("PUT", "/v1/admin/trust"): (404,),
    ("DELETE", "/v1/admin/trust"): (404,),
    ("GET", "/v1/admin/trust/entry"): (404,),
    ("POST", "/v1/admin/trust/import"): (422,),
    ("POST", "/v1/verifiers/{slug}/requests"): (409, 422),
    ("GET", "/v1/verifiers/{slug}/requests"): (400,),
    ("POST", "/v1/verifiers/{slug}/requests/{request_id}/verify-again"): (409,),
    ("POST", "/v1/verifications"): (404, 409, 410, 422, 503),
    ("POST", "/v1/issuers/{slug}/credentials"): (400, 403, 409, 422),
    ("POST", "/v1/issuers/{slug}/credentials/batch"): (400, 409, 422),
    ("GET", "/v1/issuers/{slug}/credentials"): (400,),
    ("POST", "/v1/issuers/{slug}/offers"): (409,),
    ("POST", "/v1/issuers/{slug}/credentials/{credential_id}/status"): (409,),
    ("POST", "/v1/admin/issuers"): (409, 422),
    ("GET", "/v1/shares/{token}"): (400, 401, 410, 503),
    ("POST", "/v1/admin/staff"): (404, 409, 422),
    ("POST", "/v1/admin/organisations/{slug}/staff/invites"): (409,),
    ("POST", "/v1/wallet/goals"): (404, 409, 422),
    ("DELETE", "/v1/wallet/goals/{occupation_id}"): (422,),
    ("GET", "/v1/wallet/goals/{occupation_id}/gap"): (422, 503),
    ("POST", "/v1/wallet/grants"): (404, 409, 422),
    ("DELETE", "/v1/wallet/grants/{grant_id}"): (422,),
    ("GET", "/v1/verifiers/{slug}/grants/{grant_id}"): (410, 422, 503),
    ("POST", "/v1/issuers/{slug}/opportunities"): (403, 409, 422),
    ("DELETE", "/v1/issuers/{slug}/opportunities/{opportunity_id}"): (422,),
    ("PUT", "/v1/issuers/{slug}/opportunities/{opportunity_id}"): (403, 422),
    ("GET", "/v1/occupations/{occupation_id}"): (422,),
    ("POST", "/issuers/{slug}/oid4vci/token"): (429,),
    ("POST", "/issuers/{slug}/oid4vci/credential"): (429,),
}
"""Error statuses the services raise, per operation, beyond those that follow from the edge."""

PROTOCOL_ERRORS: Mapping[tuple[str, str], tuple[int, ...]] = {
    ("POST", "/issuers/{slug}/oid4vci/token"): (400,),
    ("POST", "/issuers/{slug}/oid4vci/credential"): (400, 401),
}
"""OpenID4VCI endpoints whose errors at these statuses are the spec's JSON (RFC 6749 §5.2,
OpenID4VCI 1.0 §8.3.1: ``error`` and ``error_description``), not problem details, because any
conformant wallet reads them."""

PROTOCOL_BODIES: frozenset[tuple[str, str]] = frozenset(PROTOCOL_ERRORS)
"""Operations that read their bodies as their protocol says (a form, or JSON after the bearer
check, strictly decoded by the credential core), not through the JSON edge of :mod:`api.edge`."""

OAUTH_ERROR_SCHEMA: dict[str, Any] = {
    "title": "OAuthError",
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}

OPTIONAL_SECURITY: Mapping[tuple[str, str], str] = {
    ("GET", "/v1/shares/{token}"): "verifier_api_key",
}
"""Operations that take a bearer token only sometimes (a share for a named verifier)."""

_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})


def edge_statuses(operation: Mapping[str, Any]) -> set[int]:
    """The error statuses that follow from an operation's body, parameters and security."""
    statuses: set[int] = set()
    parameters = operation.get("parameters", [])
    if "requestBody" in operation:
        statuses |= {400, 413, 415, 422}
    if any(p.get("in") in ("query", "path") for p in parameters):
        statuses.add(400)  # a control character in the address (api.edge)
    if any(p.get("in") in ("query", "header") for p in parameters):
        statuses.add(422)
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
        if any(p.get("in") == "path" and p["schema"].get("type") != "string" for p in parameters):
            statuses.add(422)
    if operation.get("security"):
        statuses.add(401)
    return statuses


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": problem_title(status),
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _tell_the_truth(document: dict[str, Any]) -> None:
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    schemas = document["components"]["schemas"]
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            key = (method.upper(), path)
            if key in OPTIONAL_SECURITY:
                operation["security"] = [{}, {OPTIONAL_SECURITY[key]: []}]
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)  # FastAPI's own validation body, which Taito never sends
            for status in sorted(edge_statuses(operation) | set(SERVICE_STATUSES.get(key, ()))):
                responses[str(status)] = _problem_response(status)
            for status in PROTOCOL_ERRORS.get(key, ()):
                responses[str(status)] = {
                    "description": "The OpenID4VCI / OAuth error",
                    "content": {"application/json": {"schema": OAUTH_ERROR_SCHEMA}},
                }
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter["name"] == "Idempotency-Key":
                    parameter["required"] = True
                    parameter["schema"] = IDEMPOTENCY_KEY_SCHEMA


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` (and ``/openapi.json``, ``/docs``) serve the truthful document."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            _tell_the_truth(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
