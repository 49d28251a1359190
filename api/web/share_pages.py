"""The person's shares: ``/wallet/shares`` (active and past, with views), one share (who viewed
it and when) and withdrawal (the link answers 410 from that moment on)."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api.deps import KEKDep, SessionDep, SettingsDep
from api.web.rendering import PageDep
from api.web.sessions import CheckedForm, CurrentPerson
from api.web.share_steps import audiences
from credentials.encoding import JSONValue
from wallet.activity import ActivityKind, list_activity
from wallet.shares.records import ShareSummary, get_share, list_shares, withdraw_share

router = APIRouter()


@router.get("/wallet/shares")
def shares_page(
    page: PageDep, holder: CurrentPerson, session: SessionDep, kek: KEKDep, settings: SettingsDep
) -> Response:
    """Active and past shares, with their views."""
    shares = list_shares(
        session, holder_id=holder, kek=kek, base_url=settings.base_url, now=datetime.now(UTC)
    )
    names = dict(audiences(page, session, settings))
    return page.render(
        "shares.html",
        title=page._("Your shares"),
        active=[s for s in shares if s.status == "active"],
        past=[s for s in shares if s.status != "active"],
        names=names,
    )


def _viewings(
    session: Session, holder: str, kek: bytes, share: ShareSummary
) -> list[tuple[datetime, str, int]]:
    # The views are the activity log's "share viewed" entries of this share (newest first); an
    # entry may count several views (wallet.shares.viewing).
    entries = list_activity(session, holder_id=holder, kek=kek, limit=500, before=None)
    return [
        (entry.occurred_at, str(entry.details.get("viewer", "")), _views(entry.details))
        for entry in entries
        if entry.kind is ActivityKind.SHARE_VIEWED and entry.details.get("share_id") == share.id
    ]


def _views(details: Mapping[str, JSONValue]) -> int:
    views = details.get("views", 1)
    return views if isinstance(views, int) else 1


@router.get("/wallet/shares/{share_id}")
def share_page(
    share_id: Annotated[str, Path(max_length=40)],
    page: PageDep,
    holder: CurrentPerson,
    session: SessionDep,
    kek: KEKDep,
    settings: SettingsDep,
) -> Response:
    """One share: what it shows, to whom, and who viewed it when."""
    share = get_share(
        session,
        holder_id=holder,
        share_id=share_id,
        kek=kek,
        base_url=settings.base_url,
        now=datetime.now(UTC),
    )
    names = dict(audiences(page, session, settings))
    return page.render(
        "share.html",
        title=share.purpose,
        share=share,
        names=names,
        viewings=_viewings(session, holder, kek, share),
        withdrawn=page.request.query_params.get("withdrawn") == "1",
    )


@router.post("/wallet/shares/{share_id}/withdraw")
def withdraw(
    share_id: Annotated[str, Path(max_length=40)],
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
) -> Response:
    """Withdraw a share: its link stops working at once."""
    withdraw_share(
        session,
        holder_id=holder,
        share_id=share_id,
        kek=kek,
        base_url=settings.base_url,
        now=datetime.now(UTC),
    )
    return RedirectResponse(f"/wallet/shares/{share_id}?withdrawn=1", status_code=303)
