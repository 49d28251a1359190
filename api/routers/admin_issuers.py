"""Admin endpoints for issuers under ``/v1/admin/issuers`` (the admin bearer token; 401 without).

Creating an issuer answers its API key once; it is stored only as a hash.
"""

from datetime import UTC, datetime

from fastapi import APIRouter

from api.auth import AdminDep
from api.deps import KEKDep, SessionDep, SettingsDep
from api.edge import StrictRoute
from api.schemas_issuers import (
    IssuerCreatedOut,
    IssuerCreateIn,
    IssuerOut,
    KeyOut,
    KeyRotateIn,
)
from issuers.identifiers import issuer_did, issuer_identifier
from issuers.organisations import IssuerAccount, create_issuer, list_issuers, rotate_key

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


@router.get("", response_model=list[IssuerOut])
def get_issuers(_admin: AdminDep, session: SessionDep, settings: SettingsDep) -> list[IssuerOut]:
    """Every issuer of this instance."""
    return [_out(account, settings.base_url) for account in list_issuers(session)]


@router.post("/{slug}/keys", response_model=KeyOut, status_code=201)
def post_key(
    slug: str, body: KeyRotateIn, _admin: AdminDep, session: SessionDep, kek: KEKDep
) -> KeyOut:
    """Rotate the issuer's signing key; the old one stays published while it is needed."""
    key = rotate_key(session, slug=slug, alg=body.alg, kek=kek, now=datetime.now(UTC))
    return KeyOut.of(key)
