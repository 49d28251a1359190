"""``GET /v1/shares/{token}``: a verifier (or anyone the person chose) opens a share link.

This route composes three services (DEVELOPERS.md): the wallet finds the share and counts the
view in the person's activity log, the verifiers' one gate verifies the shared presentations
live (status as of now), and the report comes back in the viewer's language. A share made for a
named verifier opens only with that verifier's API key; a share for "anyone with the link" opens
with the link alone. Withdrawn, expired or used-up shares answer 410 problems.
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel

from api.auth import bearer_token
from api.deps import KEKDep, SessionDep, SettingsDep
from api.edge import StrictRoute
from api.routers.verifiers import LanguageDep, SourcesDep
from api.schemas_verifiers import ReportOut
from verifiers.organisations import authenticate_verifier
from verifiers.submissions import verify_shared_presentations
from wallet.errors import ShareNotFound
from wallet.shares.viewing import open_share, record_share_view

router = APIRouter(route_class=StrictRoute, tags=["shares"])

# A share's presentations were made (and key-bound) when the person consented; their KB-JWTs
# are as old as the share, so the freshness window is the share's lifetime plus clock slack.
_KB_SLACK = timedelta(minutes=5)


class SharedView(BaseModel):
    purpose: str
    shared_at: datetime
    expires_at: datetime
    views: int
    report: ReportOut


def _viewer(request: Request, audience: str, session: SessionDep, settings: SettingsDep) -> str:
    """Who is viewing: the named verifier (authenticated), or anyone holding the link."""
    prefix = settings.base_url.rstrip("/") + "/verifiers/"
    if not audience.startswith(prefix):
        return "anyone with the link"
    verifier = authenticate_verifier(
        session, api_key=bearer_token(request), slug=None, base_url=settings.base_url
    )
    if verifier.client_id != audience:
        # Another verifier learns nothing, not even that the share exists.
        raise ShareNotFound("There is no such share.")
    return verifier.name


@router.get("/v1/shares/{token}", response_model=SharedView)
def view_share(
    token: Annotated[str, Path(min_length=16, max_length=128)],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    language: LanguageDep,
    sources: SourcesDep,
) -> SharedView:
    """Verify what the person shared, as of now, and log this view for them."""
    now = datetime.now(UTC)
    opened = open_share(session, token=token, kek=kek, now=now)
    viewer = _viewer(request, opened.audience, session, settings)
    views = record_share_view(session, share_id=opened.share_id, viewer=viewer, kek=kek, now=now)
    report = verify_shared_presentations(
        session,
        presentations=opened.presentations,
        audience=opened.audience,
        nonce=opened.nonce,
        max_kb_age=opened.expires_at - opened.created_at + _KB_SLACK,
        sources=sources,
        language=language,
        base_url=settings.base_url,
        now=now,
    )
    return SharedView(
        purpose=opened.purpose,
        shared_at=opened.created_at,
        expires_at=opened.expires_at,
        views=views,
        report=ReportOut.model_validate(report.to_json()),
    )
