"""Admin endpoints for issuers under ``/v1/admin/issuers`` (the admin bearer token; 401 without).

Creating an issuer answers its API key once; it is stored only as a hash. An issuer has several
named API keys (``/{slug}/api-keys``: list, add, revoke), and can be disabled and enabled
(``/{slug}/disable``, ``/{slug}/enable``): a disabled issuer's keys stop working, its published
keys and status lists stay online.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.auth import AdminDep
from api.deps import KEKDep, SessionDep, SettingsDep
from api.edge import StrictRoute
from api.listings import ADMIN_MEMBERS, ADMIN_ORGANISATIONS, Cursor, model_size, page_after
from api.schemas_api_keys import (
    ApiKeyCreatedOut,
    ApiKeyIn,
    ApiKeyListOut,
    ApiKeyOut,
    api_key_order,
)
from api.schemas_issuers import (
    IssuerCreatedOut,
    IssuerCreateIn,
    IssuerListOut,
    IssuerOut,
    KeyOut,
    KeyRotateIn,
)
from issuers.api_keys import add_api_key, list_api_keys, revoke_api_key
from issuers.identifiers import issuer_did, issuer_identifier
from issuers.organisations import (
    IssuerAccount,
    create_issuer,
    get_issuer,
    list_issuers,
    rotate_key,
    set_issuer_disabled,
)

router = APIRouter(route_class=StrictRoute, prefix="/v1/admin/issuers", tags=["admin"])


def _out(account: IssuerAccount, base_url: str) -> IssuerOut:
    return IssuerOut.of(
        account,
        identifier=issuer_identifier(base_url, account.slug),
        did=issuer_did(base_url, account.slug),
    )


@router.post("", response_model=IssuerCreatedOut, status_code=201)
def post_issuer(
    body: IssuerCreateIn, _admin: AdminDep, session: SessionDep, settings: SettingsDep, kek: KEKDep
) -> IssuerCreatedOut:
    """Create an issuer accredited for ``types``; the answer holds its API key, shown once."""
    created = create_issuer(
        session,
        name=body.name,
        slug=body.slug,
        types=body.types,
        alg=body.alg,
        kek=kek,
        now=datetime.now(UTC),
    )
    return IssuerCreatedOut(
        issuer=_out(created.account, settings.base_url),
        api_key=created.api_key,
        key=KeyOut.of(created.key),
    )


@router.get("", response_model=IssuerListOut)
def get_issuers(
    _admin: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=ADMIN_ORGANISATIONS.max_items)] = 100,
    cursor: Cursor = None,
) -> IssuerListOut:
    """The issuers of this instance, by slug (a page: at most ``limit`` or 512 KiB)."""
    issuers = [_out(account, settings.base_url) for account in list_issuers(session)]
    page, next_cursor = page_after(
        issuers, ADMIN_ORGANISATIONS, limit=limit, cursor=cursor, key=_slug, size=model_size
    )
    return IssuerListOut(issuers=page, next_cursor=next_cursor)


@router.post("/{slug}/keys", response_model=KeyOut, status_code=201)
def post_key(
    slug: str, body: KeyRotateIn, _admin: AdminDep, session: SessionDep, kek: KEKDep
) -> KeyOut:
    """Rotate the issuer's signing key; the old one stays published while it is needed."""
    key = rotate_key(session, slug=slug, alg=body.alg, kek=kek, now=datetime.now(UTC))
    return KeyOut.of(key)


@router.get("/{slug}/api-keys", response_model=ApiKeyListOut)
def get_api_keys(
    slug: str,
    _admin: AdminDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=ADMIN_MEMBERS.max_items)] = 100,
    cursor: Cursor = None,
) -> ApiKeyListOut:
    """The issuer's API keys, revoked ones too, with their last use (never the keys)."""
    issuer = get_issuer(session, slug=slug)
    keys = [ApiKeyOut.of(key) for key in list_api_keys(session, issuer_id=issuer.id)]
    page, next_cursor = page_after(
        keys, ADMIN_MEMBERS, limit=limit, cursor=cursor, key=api_key_order, size=model_size
    )
    return ApiKeyListOut(api_keys=page, next_cursor=next_cursor)


def _slug(issuer: IssuerOut) -> str:
    return issuer.slug


@router.post("/{slug}/api-keys", response_model=ApiKeyCreatedOut, status_code=201)
def post_api_key(
    slug: str, body: ApiKeyIn, _admin: AdminDep, session: SessionDep
) -> ApiKeyCreatedOut:
    """Give the issuer another named API key; the answer holds it, shown once."""
    issuer = get_issuer(session, slug=slug)
    created = add_api_key(session, issuer_id=issuer.id, name=body.name, now=datetime.now(UTC))
    return ApiKeyCreatedOut(key=ApiKeyOut.of(created.info), api_key=created.api_key)


@router.delete("/{slug}/api-keys/{key_id}", status_code=204)
def delete_api_key(slug: str, key_id: str, _admin: AdminDep, session: SessionDep) -> Response:
    """Revoke one API key at once (404 ``issuer_api_key_not_found`` for another's key)."""
    issuer = get_issuer(session, slug=slug)
    revoke_api_key(session, issuer_id=issuer.id, key_id=key_id, now=datetime.now(UTC))
    return Response(status_code=204)


@router.post("/{slug}/disable", response_model=IssuerOut)
def post_disable(
    slug: str, _admin: AdminDep, session: SessionDep, settings: SettingsDep
) -> IssuerOut:
    """Disable the issuer: its API keys stop working; what it published stays online."""
    account = set_issuer_disabled(session, slug=slug, disabled=True, now=datetime.now(UTC))
    return _out(account, settings.base_url)


@router.post("/{slug}/enable", response_model=IssuerOut)
def post_enable(
    slug: str, _admin: AdminDep, session: SessionDep, settings: SettingsDep
) -> IssuerOut:
    """Enable a disabled issuer again: its unrevoked API keys work again."""
    account = set_issuer_disabled(session, slug=slug, disabled=False, now=datetime.now(UTC))
    return _out(account, settings.base_url)
