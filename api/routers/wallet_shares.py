"""Shares: ``/v1/wallet/shares`` (preview, create, list, read, withdraw).

A share presents only the chosen claims (claims path pointers, OpenID4VP §7) of the chosen
credentials to one audience: a verifier's client identifier, or ``"anyone"`` with the link. The
link (``B/v1/shares/{token}``) is shown once in the creation response. The share-view route
itself (``GET /v1/shares/{token}``) runs :func:`api.flows.share_view.view_share`.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import KEKDep, SessionDep, SettingsDep
from api.edge import StrictRoute
from api.language import LanguageDep
from api.listings import WALLET_SHARES, page_of
from api.routers.wallet_deps import CurrentHolder, NowDep
from api.routers.wallet_models import (
    ShareCreatedOut,
    ShareIn,
    ShareListOut,
    ShareOut,
    SharePreviewOut,
)
from api.routers.wallet_views import preview_out, share_out
from wallet.limits import json_size
from wallet.shares.creation import ShareItem, ShareSpec, create_share, preview_share
from wallet.shares.records import (
    ShareSummary,
    get_share,
    list_shares_page,
    share_cursor,
    withdraw_share,
)

router = APIRouter(
    route_class=StrictRoute, prefix="/v1/wallet/shares", tags=["wallet", "wallet shares"]
)


def _spec(body: ShareIn) -> ShareSpec:
    return ShareSpec(
        items=tuple(
            ShareItem(item.credential_id, tuple(tuple(path) for path in item.claims))
            for item in body.credentials
        ),
        audience=body.audience,
        purpose=body.purpose,
        expires_at=body.expires_at,
        max_views=body.max_views,
    )


@router.post("/preview")
def preview(
    body: ShareIn,
    holder: CurrentHolder,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    lang: LanguageDep,
    now: NowDep,
) -> SharePreviewOut:
    """Exactly what the audience will see, and who can open it; nothing is created."""
    shown = preview_share(
        session,
        holder_id=holder,
        spec=_spec(body),
        kek=kek,
        base_url=settings.base_url,
        lang=lang,
        now=now,
    )
    return preview_out(shown)


@router.post("", status_code=status.HTTP_201_CREATED)
def create(
    body: ShareIn,
    response: Response,
    holder: CurrentHolder,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    lang: LanguageDep,
    now: NowDep,
) -> ShareCreatedOut:
    """Create the share and its link (shown only now)."""
    created = create_share(
        session,
        holder_id=holder,
        spec=_spec(body),
        kek=kek,
        base_url=settings.base_url,
        lang=lang,
        now=now,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Location"] = f"/v1/wallet/shares/{created.id}"
    return ShareCreatedOut(
        id=created.id,
        url=created.url,
        expires_at=created.expires_at,
        preview=preview_out(created.preview),
    )


@router.get("")
def list_all(
    holder: CurrentHolder,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=WALLET_SHARES.max_items)] = WALLET_SHARES.max_items,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> ShareListOut:
    """The shares, newest first, with their status and how often each was viewed.

    A page stops at ``limit`` shares or 1 MiB; ``next_cursor`` asks for the rest.
    """
    shares = list_shares_page(
        session,
        holder_id=holder,
        kek=kek,
        base_url=settings.base_url,
        now=now,
        limit=limit,
        cursor=cursor,
    )
    page, more = page_of(shares, WALLET_SHARES, limit=limit, size=_size)
    return ShareListOut(
        shares=[share_out(s) for s in page], next_cursor=share_cursor(page[-1]) if more else None
    )


def _size(share: ShareSummary) -> int:
    items = [[item.credential_id, item.claims] for item in share.items]
    return json_size([share.audience, share.opens_for, share.purpose, items])


@router.get("/{share_id}")
def get_one(
    share_id: str,
    holder: CurrentHolder,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    now: NowDep,
) -> ShareOut:
    """One share."""
    return share_out(
        get_share(
            session,
            holder_id=holder,
            share_id=share_id,
            kek=kek,
            base_url=settings.base_url,
            now=now,
        )
    )


@router.delete("/{share_id}", status_code=204)
def withdraw(
    share_id: str,
    holder: CurrentHolder,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    now: NowDep,
) -> None:
    """Withdraw the share; it cannot be opened from this moment on."""
    withdraw_share(
        session, holder_id=holder, share_id=share_id, kek=kek, base_url=settings.base_url, now=now
    )
