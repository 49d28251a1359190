"""Admin endpoints for verifiers and the trust registry (the admin bearer token; 401 without).

- ``POST /v1/admin/verifiers``: create a verifier; the answer holds its API key, shown once.
- ``/v1/admin/verifiers/{slug}/api-keys``: list, add (shown once), revoke (``DELETE /{id}``);
  ``/disable`` and ``/enable``: a disabled verifier's keys stop working.
- ``/v1/admin/trust``: list, add (``POST``), replace (``PUT``), remove (``DELETE
  ?identifier=``), one entry (``GET /entry?identifier=``), ``GET /export`` and
  ``POST /import?replace=`` of the registry document ``{"version": 1, "trusted_issuers": [...]}``.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from api.auth import AdminDep
from api.deps import SessionDep, SettingsDep
from api.edge import StrictRoute
from api.listings import (
    ADMIN_MEMBERS,
    ADMIN_ORGANISATIONS,
    ADMIN_TRUST,
    Cursor,
    model_size,
    page_after,
)
from api.schemas_api_keys import (
    ApiKeyCreatedOut,
    ApiKeyIn,
    ApiKeyListOut,
    ApiKeyOut,
    api_key_order,
)
from api.schemas_verifiers import (
    TrustEntryIn,
    TrustEntryOut,
    TrustListOut,
    VerifierCreatedOut,
    VerifierCreateIn,
    VerifierListOut,
    VerifierOut,
)
from verifiers.api_keys import add_api_key, list_api_keys, revoke_api_key
from verifiers.organisations import (
    create_verifier,
    get_verifier,
    list_verifiers,
    set_verifier_disabled,
)
from verifiers.trust import (
    add_trusted_issuer,
    export_trust_registry,
    get_trusted_issuer,
    import_trust_registry,
    list_trusted_issuers,
    remove_trusted_issuer,
    replace_trusted_issuer,
)

router = APIRouter(route_class=StrictRoute, prefix="/v1/admin", tags=["verifiers", "admin"])
Identifier = Annotated[str, Query(min_length=1, max_length=500)]


@router.post("/verifiers", response_model=VerifierCreatedOut, status_code=201)
def post_verifier(
    body: VerifierCreateIn, _admin: AdminDep, session: SessionDep, settings: SettingsDep
) -> VerifierCreatedOut:
    """Create a verifier organisation; its client identifier is ``B/verifiers/{slug}``."""
    created = create_verifier(
        session,
        slug=body.slug,
        name=body.name,
        base_url=settings.base_url,
        now=datetime.now(UTC),
        guidance=body.guidance,
    )
    return VerifierCreatedOut.of(created)


@router.get("/verifiers", response_model=VerifierListOut)
def get_verifiers(
    _admin: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=ADMIN_ORGANISATIONS.max_items)] = 100,
    cursor: Cursor = None,
) -> VerifierListOut:
    """The verifier organisations, by slug (a page: at most ``limit`` or 512 KiB)."""
    verifiers = [VerifierOut.of(v) for v in list_verifiers(session, base_url=settings.base_url)]
    page, next_cursor = page_after(
        verifiers, ADMIN_ORGANISATIONS, limit=limit, cursor=cursor, key=_slug, size=model_size
    )
    return VerifierListOut(verifiers=page, next_cursor=next_cursor)


@router.get("/verifiers/{slug}/api-keys", response_model=ApiKeyListOut)
def get_api_keys(
    slug: str,
    _admin: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=ADMIN_MEMBERS.max_items)] = 100,
    cursor: Cursor = None,
) -> ApiKeyListOut:
    """The verifier's API keys, revoked ones too, with their last use (never the keys)."""
    verifier = get_verifier(session, slug=slug, base_url=settings.base_url)
    keys = [ApiKeyOut.of(key) for key in list_api_keys(session, verifier_id=verifier.id)]
    page, next_cursor = page_after(
        keys, ADMIN_MEMBERS, limit=limit, cursor=cursor, key=api_key_order, size=model_size
    )
    return ApiKeyListOut(api_keys=page, next_cursor=next_cursor)


@router.post("/verifiers/{slug}/api-keys", response_model=ApiKeyCreatedOut, status_code=201)
def post_api_key(
    slug: str, body: ApiKeyIn, _admin: AdminDep, session: SessionDep, settings: SettingsDep
) -> ApiKeyCreatedOut:
    """Give the verifier another named API key; the answer holds it, shown once."""
    verifier = get_verifier(session, slug=slug, base_url=settings.base_url)
    created = add_api_key(session, verifier_id=verifier.id, name=body.name, now=datetime.now(UTC))
    return ApiKeyCreatedOut(key=ApiKeyOut.of(created.info), api_key=created.api_key)


@router.delete("/verifiers/{slug}/api-keys/{key_id}", status_code=204)
def delete_api_key(
    slug: str, key_id: str, _admin: AdminDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """Revoke one API key at once (404 ``verifier_api_key_not_found`` for another's key)."""
    verifier = get_verifier(session, slug=slug, base_url=settings.base_url)
    revoke_api_key(session, verifier_id=verifier.id, key_id=key_id, now=datetime.now(UTC))
    return Response(status_code=204)


@router.post("/verifiers/{slug}/disable", response_model=VerifierOut)
def post_disable(
    slug: str, _admin: AdminDep, session: SessionDep, settings: SettingsDep
) -> VerifierOut:
    """Disable the verifier: its API keys stop working."""
    info = set_verifier_disabled(
        session, slug=slug, disabled=True, base_url=settings.base_url, now=datetime.now(UTC)
    )
    return VerifierOut.of(info)


@router.post("/verifiers/{slug}/enable", response_model=VerifierOut)
def post_enable(
    slug: str, _admin: AdminDep, session: SessionDep, settings: SettingsDep
) -> VerifierOut:
    """Enable a disabled verifier again: its unrevoked API keys work again."""
    info = set_verifier_disabled(
        session, slug=slug, disabled=False, base_url=settings.base_url, now=datetime.now(UTC)
    )
    return VerifierOut.of(info)


@router.get("/trust", response_model=TrustListOut)
def get_trust(
    _admin: AdminDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=ADMIN_TRUST.max_items)] = 100,
    cursor: Cursor = None,
) -> TrustListOut:
    """The trusted issuers, by identifier (a page: at most ``limit`` or 1 MiB; the whole
    registry in one document: ``/trust/export``)."""
    entries = [TrustEntryOut.of(s) for s in list_trusted_issuers(session)]
    page, next_cursor = page_after(
        entries, ADMIN_TRUST, limit=limit, cursor=cursor, key=_identifier, size=model_size
    )
    return TrustListOut(trusted_issuers=page, next_cursor=next_cursor)


def _slug(verifier: VerifierOut) -> str:
    return verifier.slug


def _identifier(entry: TrustEntryOut) -> str:
    return entry.identifier


@router.get("/trust/entry", response_model=TrustEntryOut)
def get_trust_entry(identifier: Identifier, _admin: AdminDep, session: SessionDep) -> TrustEntryOut:
    """One trusted issuer (404 ``trusted_issuer_not_found``)."""
    return TrustEntryOut.of(get_trusted_issuer(session, identifier=identifier))


@router.post("/trust", response_model=TrustEntryOut, status_code=201)
def post_trust(body: TrustEntryIn, _admin: AdminDep, session: SessionDep) -> TrustEntryOut:
    """Trust an issuer for the listed types (409 when it is already in the registry)."""
    return TrustEntryOut.of(add_trusted_issuer(session, entry=body.entry(), now=datetime.now(UTC)))


@router.put("/trust", response_model=TrustEntryOut)
def put_trust(body: TrustEntryIn, _admin: AdminDep, session: SessionDep) -> TrustEntryOut:
    """Replace the entry of ``body.identifier`` (404 when there is none)."""
    stored = replace_trusted_issuer(session, entry=body.entry(), now=datetime.now(UTC))
    return TrustEntryOut.of(stored)


@router.delete("/trust", status_code=204)
def delete_trust(identifier: Identifier, _admin: AdminDep, session: SessionDep) -> Response:
    """Stop trusting an issuer."""
    remove_trusted_issuer(session, identifier=identifier)
    return Response(status_code=204)


@router.get("/trust/export")
def get_trust_export(_admin: AdminDep, session: SessionDep) -> dict[str, Any]:
    """The whole registry as one JSON document."""
    return export_trust_registry(session)


@router.post("/trust/import", response_model=TrustListOut)
def post_trust_import(
    document: Annotated[dict[str, Any], Body()],
    _admin: AdminDep,
    session: SessionDep,
    replace: Annotated[bool, Query(description="Remove entries not in the document.")] = False,
) -> TrustListOut:
    """Import a registry document; nothing changes unless all of it is valid."""
    stored = import_trust_registry(
        session, document=document, replace=replace, now=datetime.now(UTC)
    )
    return TrustListOut(trusted_issuers=[TrustEntryOut.of(s) for s in stored])
