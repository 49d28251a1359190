"""Public, unauthenticated documents of issuers: keys, status lists and credential types.

- ``GET /.well-known/jwt-vc-issuer/issuers/{slug}``: JWT VC Issuer Metadata (SD-JWT VC §4);
- ``GET /issuers/{slug}/did.json``: the issuer's did:web document;
- ``GET /status/{list_id}``: Status List Token, ``application/statuslist+jwt``
  (draft-ietf-oauth-status-list §5.1, §8.1), ``Cache-Control: max-age`` = its ``ttl``;
- ``GET /status/w3c/{name}``: BitstringStatusListCredential as ``application/vc+jwt``;
- ``GET /types/{slug}/v{version}``: SD-JWT VC Type Metadata (the ``vct`` URL).
"""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from api.deps import KEKDep, SessionDep, SettingsDep
from api.edge import StrictRoute
from issuers.publishing import (
    PublishedStatusList,
    credential_type_metadata,
    issuer_did_document,
    issuer_metadata_document,
    status_list_token,
    w3c_status_list_credential,
)

router = APIRouter(route_class=StrictRoute, tags=["publishing"])

_DOCUMENT_MAX_AGE = 300
# Public documents are read by verifiers running in browsers too (draft-ietf-oauth-status-list
# §8.1 asks status list responses to allow any origin); nothing here depends on who asks.
_ANY_ORIGIN = {"Access-Control-Allow-Origin": "*"}


def _json(document: dict[str, Any], media_type: str = "application/json") -> JSONResponse:
    return JSONResponse(
        document,
        media_type=media_type,
        headers={"Cache-Control": f"public, max-age={_DOCUMENT_MAX_AGE}", **_ANY_ORIGIN},
    )


def _documented(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    # The success response as really sent: its media type, a JSON object or a compact JWT.
    schema = {"type": "object"} if media_type.endswith("json") else {"type": "string"}
    return {200: {"description": description, "content": {media_type: {"schema": schema}}}}


def _token(published: PublishedStatusList) -> Response:
    return Response(
        published.token,
        media_type=published.media_type,
        headers={"Cache-Control": f"public, max-age={published.max_age}", **_ANY_ORIGIN},
    )


@router.get(
    "/.well-known/jwt-vc-issuer/issuers/{slug}",
    response_class=JSONResponse,
    responses=_documented("application/json", "JWT VC Issuer Metadata"),
)
def get_issuer_metadata(slug: str, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """The issuer's JWT VC Issuer Metadata with its published keys."""
    document = issuer_metadata_document(
        session, slug=slug, base_url=settings.base_url, now=datetime.now(UTC)
    )
    return _json(document)


@router.get(
    "/issuers/{slug}/did.json",
    response_class=Response,
    responses=_documented("application/did+json", "The did:web DID document"),
)
def get_did_document(slug: str, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """The issuer's did:web DID document."""
    document = issuer_did_document(
        session, slug=slug, base_url=settings.base_url, now=datetime.now(UTC)
    )
    return _json(document, "application/did+json")


@router.get(
    "/status/{list_id}",
    response_class=Response,
    responses=_documented("application/statuslist+jwt", "A Status List Token"),
)
def get_status_list(
    list_id: str, session: SessionDep, settings: SettingsDep, kek: KEKDep
) -> Response:
    """A Status List Token (2 bits: 0 valid, 1 revoked, 2 suspended)."""
    published = status_list_token(
        session, list_id=list_id, base_url=settings.base_url, kek=kek, now=datetime.now(UTC)
    )
    return _token(published)


@router.get(
    "/status/w3c/{name}",
    response_class=Response,
    responses=_documented("application/vc+jwt", "A BitstringStatusListCredential"),
)
def get_w3c_status_list(
    name: str, session: SessionDep, settings: SettingsDep, kek: KEKDep
) -> Response:
    """A BitstringStatusListCredential ``{list_id}-revocation`` or ``{list_id}-suspension``."""
    published = w3c_status_list_credential(
        session, name=name, base_url=settings.base_url, kek=kek, now=datetime.now(UTC)
    )
    return _token(published)


@router.get(
    "/types/{slug}/v{version}",
    response_class=JSONResponse,
    responses=_documented("application/json", "SD-JWT VC Type Metadata"),
)
def get_type_metadata(slug: str, version: int, settings: SettingsDep) -> JSONResponse:
    """The SD-JWT VC Type Metadata at a type's ``vct`` URL."""
    return _json(credential_type_metadata(slug=slug, version=version, base_url=settings.base_url))
