"""OpenID4VP 1.0 for any wallet: the Request URI and the Response URI of each verifier.

No bearer token: a wallet is no client of the API. The Request Object is served only while the
request is open, to whoever knows its unguessable id (RFC 9101 §5.2; OpenID4VP 1.0 §14.2); the
response is accepted only for an open request of the verifier in the path (``state``). Errors
are problem+json with a stable ``code`` and, at the Response URI, the OAuth ``error`` too.
"""

from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import KEKDep, RequestSignerDep, SessionDep, SettingsDep, SourcesDep
from api.edge import StrictRoute
from api.flows.openid4vp_response import answer_authorization_response
from verifiers.errors import RequestNotFound, ResponseMalformed, StateUnknown
from verifiers.openid4vp import request_object
from verifiers.request_objects import REQUEST_OBJECT_TYP, RequestSigner

router = APIRouter(tags=["openid4vp"], route_class=StrictRoute)
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 10
NO_STORE = {"Cache-Control": "no-store"}


def _signer(signer: RequestSignerDep) -> RequestSigner:
    if signer is None:
        raise RequestNotFound("this instance offers no OpenID4VP requests")
    return signer


SignerDep = Annotated[RequestSigner, Depends(_signer)]


async def _form(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    """The named fields of a form-encoded body (each once at most)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise ResponseMalformed("the body must be application/x-www-form-urlencoded")
    form = await request.form(max_fields=MAX_FIELDS)
    fields: dict[str, str] = {}
    for name in names:
        values = form.getlist(name)
        if len(values) > 1 or any(not isinstance(value, str) for value in values):
            raise ResponseMalformed(f"{name} must be given once as text")
        if values:
            fields[name] = str(values[0])
    return fields


def _request_object_response(token: str) -> Response:
    return Response(content=token, media_type=f"application/{REQUEST_OBJECT_TYP}", headers=NO_STORE)


@router.get("/v1/verifiers/{slug}/openid4vp/requests/{request_id}", response_class=Response)
def get_request_object(
    slug: str,
    request_id: str,
    session: SessionDep,
    settings: SettingsDep,
    signer: SignerDep,
    kek: KEKDep,
) -> Response:
    """The signed Request Object (``application/oauth-authz-req+jwt``) of an open request."""
    token = request_object(
        session,
        slug=slug,
        request_id=request_id,
        signer=signer,
        wallet_nonce=None,
        kek=kek,
        base_url=settings.base_url,
        now=datetime.now(UTC),
    )
    return _request_object_response(token)


@router.post("/v1/verifiers/{slug}/openid4vp/requests/{request_id}", response_class=Response)
async def post_request_object(
    slug: str,
    request_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    signer: SignerDep,
    kek: KEKDep,
) -> Response:
    """``request_uri_method`` ``post`` (OpenID4VP 1.0 §5.10): ``wallet_nonce`` comes back signed."""
    fields = await _form(request, ("wallet_nonce", "wallet_metadata"))
    try:
        token = await run_in_threadpool(
            partial(
                request_object,
                session,
                slug=slug,
                request_id=request_id,
                signer=signer,
                wallet_nonce=fields.get("wallet_nonce"),
                kek=kek,
                base_url=settings.base_url,
                now=datetime.now(UTC),
            )
        )
    except ValueError:
        raise ResponseMalformed("wallet_nonce must be a short ASCII string") from None
    return _request_object_response(token)


@router.post("/v1/verifiers/{slug}/openid4vp/response")
async def post_authorization_response(
    slug: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    sources: SourcesDep,
    signer: SignerDep,
) -> Response:
    """A wallet's response (OpenID4VP 1.0 §8.2): ``vp_token`` and ``state`` (``direct_post``),
    or ``response``, the encrypted JWT holding them (``direct_post.jwt``, §8.3.1).

    200 with an empty JSON object once the response is processed; 400 with the OAuth ``error``
    ``invalid_request`` otherwise, nothing stored.
    """
    fields = await _form(request, ("vp_token", "state", "response", "error", "error_description"))
    state = fields.get("state")
    response = fields.get("response")
    if response is not None and ("vp_token" in fields or state is not None):
        raise ResponseMalformed("an encrypted response comes alone")
    if not state and response is None:
        raise StateUnknown("state is missing")
    body: dict[str, Any] = await run_in_threadpool(
        partial(
            answer_authorization_response,
            session,
            slug=slug,
            state=state,
            response=response,
            vp_token=fields.get("vp_token"),
            wallet_error=fields.get("error"),
            client_id=signer.client_id,
            sources=sources,
            kek=kek,
            base_url=settings.base_url,
            now=datetime.now(UTC),
        )
    )
    return JSONResponse(body, headers=NO_STORE)
