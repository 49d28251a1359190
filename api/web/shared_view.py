"""``/s/{token}``: a share link opened in a browser, as a verification report in plain words.

The report is the gate's, in the viewer's language: verified or not, each check with its
reason, the disclosed claims labelled, the issuer's name, when it was shared and until when. A
withdrawn, expired or used-up link answers a clear page with status 410. The page is
printable. A link made for a named verifier opens only through the API with that verifier's key.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from api.deps import KEKDep, SessionDep, SettingsDep
from api.routers.verifiers import SourcesDep
from api.web.checks import check_names
from api.web.rendering import PageDep
from api.web.service_calls import view_share_link
from wallet.errors import ShareGone, ShareNotFound

router = APIRouter()


@router.get("/s/{token}")
def shared_page(
    token: Annotated[str, Path(max_length=128)],
    page: PageDep,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    sources: SourcesDep,
) -> Response:
    """Verify what the person shared, now, and show it."""
    now = datetime.now(UTC)
    try:
        view = view_share_link(
            session,
            token=token,
            settings=settings,
            kek=kek,
            sources=sources,
            language=page.language,
            now=now,
        )
    except ShareGone as gone:
        reasons = {
            "share_withdrawn": page._("The person who shared this has withdrawn it."),
            "share_expired": page._("This share has expired."),
        }
        message = reasons.get(
            gone.code, page._("This share has been opened as many times as the person allowed.")
        )
        return page.render(
            "shared_gone.html",
            title=page._("This link no longer works"),
            status=410,
            message=message,
        )
    except ShareNotFound:
        return page.render(
            "shared_gone.html",
            title=page._("This link does not work"),
            status=404,
            message=page._("Check that you have the whole link. Ask the person to send it again."),
        )
    if view.report is None:
        return page.render(
            "shared_gone.html",
            title=page._("This link is for a named organisation"),
            status=403,
            message=page._(
                "The person shared this with one organisation only. It opens in that"
                " organisation's own system."
            ),
        )
    return page.render(
        "shared.html",
        now=now,
        title=page._("Shared credentials"),
        view=view,
        report=view.report,
        check_names=check_names(page.t),
    )
