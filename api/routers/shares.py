"""``GET /v1/shares/{token}``: the audience a person chose opens a share link.

The router parses the link, the optional ``Authorization: Bearer`` (a verifier's API key) and
the optional ``?nonce=`` (an outside verifier's), and hands them to
:func:`api.flows.share_view.view_share`, which decides who may open the share and presents it
afresh for that view. A verifier of this instance and anyone with an "anyone" link get a
verification report; a verifier elsewhere gets presentations made for its client identifier and
its nonce, to verify itself.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api.auth import bearer_token
from api.deps import KEKDep, SessionDep, SettingsDep
from api.edge import StrictRoute
from api.flows.share_view import SharedPresentations, SharedReport, view_share
from api.routers.verifiers import LanguageDep, SourcesDep
from api.schemas_verifiers import ReportOut

router = APIRouter(route_class=StrictRoute, tags=["shares"])


class SharedView(BaseModel):
    """A share opened by a verifier of this instance or by anyone with an "anyone" link."""

    purpose: str
    shared_at: datetime
    expires_at: datetime
    views: int
    report: ReportOut


class SharedPresentationsOut(BaseModel):
    """A share opened for a verifier elsewhere: verify these with your own key-binding check."""

    purpose: str
    expires_at: datetime
    views: int
    audience: str = Field(description="The KB-JWT `aud` of every presentation.")
    nonce: str = Field(description="The KB-JWT `nonce` of every presentation: the one you sent.")
    presentations: list[str] = Field(description="SD-JWT VC presentations with KB-JWTs.")


def _optional_bearer(request: Request) -> str | None:
    if "authorization" not in request.headers:
        return None
    return bearer_token(request)


@router.get("/v1/shares/{token}", response_model=SharedView | SharedPresentationsOut)
def view_share_link(
    token: Annotated[str, Path(min_length=16, max_length=128)],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    language: LanguageDep,
    sources: SourcesDep,
    nonce: Annotated[
        str | None,
        Query(
            min_length=16,
            max_length=128,
            pattern=r"^[A-Za-z0-9._~-]+$",
            description="Only for a share made for a verifier elsewhere: its fresh nonce.",
        ),
    ] = None,
) -> SharedView | SharedPresentationsOut:
    """Open a share as its audience: a live verification report, or fresh presentations."""
    shown = view_share(
        session,
        token=token,
        api_key=_optional_bearer(request),
        outside_nonce=nonce,
        sources=sources,
        kek=kek,
        language=language,
        base_url=settings.base_url,
        now=datetime.now(UTC),
    )
    if isinstance(shown, SharedPresentations):
        return SharedPresentationsOut(
            purpose=shown.purpose,
            expires_at=shown.expires_at,
            views=shown.views,
            audience=shown.audience,
            nonce=shown.nonce,
            presentations=list(shown.presentations),
        )
    assert isinstance(shown, SharedReport)
    return SharedView(
        purpose=shown.purpose,
        shared_at=shown.shared_at,
        expires_at=shown.expires_at,
        views=shown.views,
        report=ReportOut.model_validate(shown.report.to_json()),
    )
