"""The OpenID4VCI 1.0 doors of each issuer (logic in :mod:`issuers.oid4vci`; docs/security.md).

Public (no API key): the metadata documents, the offer by reference, the token, nonce and
credential endpoints. Errors of the token and credential endpoints are the spec's JSON
``{"error", "error_description"}`` (RFC 6749 §5.2, RFC 6750 §3, OpenID4VCI 1.0 §8.3.1), with
``Cache-Control: no-store``; an unknown issuer is the usual 404 problem. DPoP (RFC 9449) is
offered, not required: the ``DPoP`` header is read at the token and credential endpoints.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final, Literal, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import KEKDep, SessionDep, SettingsDep
from api.edge import StrictRoute
from credentials.encoding import json_object
from credentials.errors import CredentialError
from issuers.access_tokens import exchange_pre_authorized_code, new_nonce
from issuers.errors import (
    DPoPProofRefused,
    InvalidAccessToken,
    InvalidCredentialRequest,
    InvalidDPoPProof,
    OAuthError,
    TokenRequestInvalid,
)
from issuers.oid4vci import (
    authorization_server_metadata,
    credential_issuer_metadata,
    issue_with_access_token,
    offer_by_reference,
)
from issuers.organisations import get_issuer

router = APIRouter(tags=["openid4vci"], route_class=StrictRoute)

MAX_TOKEN_REQUEST_BYTES: Final = 8 * 1024
MAX_CREDENTIAL_REQUEST_BYTES: Final = 64 * 1024
_NO_STORE: Final = {"Cache-Control": "no-store"}
_DOCUMENT_CACHE: Final = {"Cache-Control": "public, max-age=300"}
T = TypeVar("T")
_ERROR: Final = {
    "description": "The spec's error: JSON ``error`` and ``error_description``.",
    "content": {"application/json": {"schema": {"type": "object"}}},
}
_DPOP_HEADER: Final = {
    "in": "header",
    "name": "DPoP",
    "required": False,
    "description": "A DPoP proof (RFC 9449 §4): optional; with it the access token is DPoP-bound.",
    "schema": {"type": "string"},
}
_TOKEN_BODY: Final = {
    "parameters": [_DPOP_HEADER],
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["grant_type", "pre-authorized_code"],
                    "properties": {
                        "grant_type": {"type": "string"},
                        "pre-authorized_code": {"type": "string"},
                        "tx_code": {"type": "string"},
                        "client_id": {"type": "string"},
                        "resource": {"type": "string"},
                    },
                }
            }
        },
    },
}
_CREDENTIAL_BODY: Final = {
    "parameters": [_DPOP_HEADER],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["credential_configuration_id", "proofs"],
                    "properties": {
                        "credential_configuration_id": {"type": "string"},
                        "proofs": {
                            "type": "object",
                            "properties": {"jwt": {"type": "array", "items": {"type": "string"}}},
                        },
                    },
                }
            }
        },
    },
}


def _oauth_error(error: OAuthError) -> JSONResponse:
    return JSONResponse(
        {"error": error.error, "error_description": error.detail},
        status_code=error.status,
        headers={**_NO_STORE, **error.headers},
    )


async def _answer(run: Callable[[], T], render: Callable[[T], JSONResponse]) -> JSONResponse:
    try:
        return render(await run_in_threadpool(run))
    except OAuthError as error:
        return _oauth_error(error)


async def _body(request: Request, *, limit: int, error: type[OAuthError]) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise error("the request body is too large")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise error("the request body is too large")
    return body


def _dpop(request: Request, *, error: type[OAuthError]) -> str | None:
    """The one ``DPoP`` header's value, if any (RFC 9449 §4.3 step 1: not more than one)."""
    values = request.headers.getlist("dpop")
    if len(values) > 1:
        raise error("send at most one DPoP header")
    return values[0].strip() if values else None


@router.get("/.well-known/openid-credential-issuer/issuers/{slug}")
def get_credential_issuer_metadata(
    slug: str, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    """Credential Issuer Metadata (OpenID4VCI 1.0 §12.2)."""
    issuer = get_issuer(session, slug=slug)
    document = credential_issuer_metadata(
        session, issuer=issuer, base_url=settings.base_url, now=datetime.now(UTC)
    )
    return JSONResponse(document, headers=_DOCUMENT_CACHE)


@router.get("/.well-known/oauth-authorization-server/issuers/{slug}")
def get_authorization_server_metadata(
    slug: str, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    """OAuth 2.0 Authorization Server Metadata (RFC 8414 §3) for the token endpoint."""
    issuer = get_issuer(session, slug=slug)
    return JSONResponse(
        authorization_server_metadata(issuer=issuer, base_url=settings.base_url),
        headers=_DOCUMENT_CACHE,
    )


@router.get("/issuers/{slug}/oid4vci/offers/{reference}")
def get_credential_offer(
    slug: str, reference: str, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    """A Credential Offer by reference (§4.1.3), while its pre-authorized code is unused."""
    issuer = get_issuer(session, slug=slug)
    document = offer_by_reference(
        session,
        issuer=issuer,
        reference=reference,
        base_url=settings.base_url,
        now=datetime.now(UTC),
    )
    return JSONResponse(document, headers=_NO_STORE)


@router.post("/issuers/{slug}/oid4vci/token", openapi_extra=_TOKEN_BODY, responses={400: _ERROR})
async def post_token(
    slug: str, request: Request, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    """Token Request, pre-authorized code grant (§6; form-encoded, RFC 6749 §4.1.3).

    With a ``DPoP`` proof the token is DPoP-bound (RFC 9449 §5), else a Bearer token.
    """
    issuer = await run_in_threadpool(get_issuer, session, slug=slug)
    try:
        dpop = _dpop(request, error=InvalidDPoPProof)
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != "application/x-www-form-urlencoded":
            raise TokenRequestInvalid("the token request must be form-encoded")
        raw = await _body(request, limit=MAX_TOKEN_REQUEST_BYTES, error=TokenRequestInvalid)
        try:
            pairs = parse_qsl(raw.decode("utf-8"), max_num_fields=32, strict_parsing=bool(raw))
        except (UnicodeDecodeError, ValueError):
            raise TokenRequestInvalid("the token request is not valid form data") from None
        form = dict(pairs)
        if len(form) != len(pairs):
            raise TokenRequestInvalid("a parameter is repeated")
    except OAuthError as error:
        return _oauth_error(error)
    return await _answer(
        lambda: exchange_pre_authorized_code(
            session,
            issuer=issuer,
            form=form,
            dpop_proof=dpop,
            base_url=settings.base_url,
            now=datetime.now(UTC),
        ),
        lambda token: JSONResponse(
            {
                "access_token": token.access_token,
                "token_type": token.token_type,
                "expires_in": token.expires_in,
            },
            headers=_NO_STORE,
        ),
    )


@router.post("/issuers/{slug}/oid4vci/nonce")
def post_nonce(slug: str, session: SessionDep) -> JSONResponse:
    """A fresh ``c_nonce`` (§7)."""
    issuer = get_issuer(session, slug=slug)
    nonce = new_nonce(session, issuer=issuer, now=datetime.now(UTC))
    return JSONResponse({"c_nonce": nonce}, headers=_NO_STORE)


def _access_token(request: Request) -> tuple[Literal["Bearer", "DPoP"], str]:
    """The scheme (RFC 6750 §2.1 ``Bearer`` or RFC 9449 §7.1 ``DPoP``) and the token."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if not token.strip() or scheme.lower() not in ("bearer", "dpop"):
        raise InvalidAccessToken("send the access token as Authorization: Bearer or DPoP")
    return ("DPoP" if scheme.lower() == "dpop" else "Bearer"), token.strip()


@router.post(
    "/issuers/{slug}/oid4vci/credential",
    openapi_extra=_CREDENTIAL_BODY,
    responses={400: _ERROR, 401: _ERROR},
)
async def post_credential(
    slug: str, request: Request, session: SessionDep, settings: SettingsDep, kek: KEKDep
) -> JSONResponse:
    """Credential Request (§8.2) with a ``jwt`` key proof; the credential bound to that key.

    A DPoP-bound token comes as ``Authorization: DPoP`` with a ``DPoP`` proof (RFC 9449 §7.1).
    """
    issuer = await run_in_threadpool(get_issuer, session, slug=slug)
    try:
        scheme, token = _access_token(request)
        dpop = _dpop(request, error=DPoPProofRefused)
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != "application/json":
            raise InvalidCredentialRequest("the credential request must be application/json")
        raw = await _body(
            request, limit=MAX_CREDENTIAL_REQUEST_BYTES, error=InvalidCredentialRequest
        )
        try:
            body = json_object(raw, what="credential request")
        except CredentialError:
            raise InvalidCredentialRequest("the credential request is not a JSON object") from None
    except OAuthError as error:
        return _oauth_error(error)
    return await _answer(
        lambda: issue_with_access_token(
            session,
            issuer=issuer,
            token=token,
            scheme=scheme,
            dpop_proof=dpop,
            body=body,
            kek=kek,
            base_url=settings.base_url,
            now=datetime.now(UTC),
        ),
        lambda credential: JSONResponse(
            {"credentials": [{"credential": credential}]}, headers=_NO_STORE
        ),
    )
