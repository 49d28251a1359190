"""Requests from verifiers anywhere: ``/v1/wallet/presentation-requests/...`` (OpenID4VP 1.0).

``POST .../resolve`` takes the ``openid4vp://`` link a person scanned or pasted and shows who
asks (the name in the verifier's trusted certificate), what (the DCQL query matched against the
person's credentials) and where the answer goes, once the signed Request Object is
authenticated. ``POST .../respond`` posts only the approved claims to the verifier. Both are
flows (``api.flows.outside_request``); the Request Object is fetched afresh each time.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from api.deps import KEKDep, SessionDep, SettingsDep
from api.edge import StrictRoute
from api.flows.outside_request import (
    VerifierAccess,
    answer_outside_request,
    open_outside_request,
)
from api.language import LanguageDep
from api.routers.wallet_deps import CurrentHolder, NowDep
from api.routers.wallet_models import ApprovalIn, RequestMatchOut, Strict
from api.settings import Environment
from wallet.outside_requests import MAX_LINK
from wallet.request_answers import Approval

router = APIRouter(
    prefix="/v1/wallet/presentation-requests",
    tags=["wallet", "wallet requests"],
    route_class=StrictRoute,
)


def verifier_access(request: Request, settings: SettingsDep) -> VerifierAccess:
    """The SSRF-safe fetcher and the trust anchors for verifiers' certificates."""
    return VerifierAccess(
        fetcher=request.app.state.remote_fetcher,
        anchors=request.app.state.openid4vp_anchors,
        allow_loopback_http=settings.environment is not Environment.PRODUCTION,
    )


VerifierAccessDep = Annotated[VerifierAccess, Depends(verifier_access)]


class LinkIn(Strict):
    link: str = Field(min_length=1, max_length=MAX_LINK, examples=["openid4vp://?client_id=..."])


class OutsideRequestOut(BaseModel):
    client_id: str = Field(description="The verifier's Client Identifier, prefix included.")
    verifier_name: str = Field(description="The name its trusted certificate attests.")
    response_uri: str
    request: RequestMatchOut


class RespondIn(LinkIn):
    approvals: list[ApprovalIn] = Field(max_length=20)


class RespondOut(BaseModel):
    declined: bool
    redirect_uri: str | None


@router.post("/resolve")
def resolve(
    body: LinkIn,
    holder: CurrentHolder,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    lang: LanguageDep,
    access: VerifierAccessDep,
    now: NowDep,
) -> OutsideRequestOut:
    """Authenticate the verifier's request and show who asks, what, and your matching claims."""
    outside, match = open_outside_request(
        session,
        holder_id=holder,
        link=body.link,
        access=access,
        kek=kek,
        base_url=settings.base_url,
        lang=lang,
        now=now,
    )
    shown = RequestMatchOut.model_validate(
        {**match.__dict__, "satisfiable": match.satisfiable}, from_attributes=True
    )
    return OutsideRequestOut(
        client_id=outside.client_id,
        verifier_name=outside.verifier_name,
        response_uri=outside.response_uri,
        request=shown,
    )


@router.post("/respond")
def respond(
    body: RespondIn,
    holder: CurrentHolder,
    session: SessionDep,
    kek: KEKDep,
    access: VerifierAccessDep,
    now: NowDep,
) -> RespondOut:
    """Post only the approved claims to the verifier; no approvals declines (access_denied)."""
    approvals = [Approval(a.query_id, a.credential_id, tuple(a.claim_ids)) for a in body.approvals]
    answered = answer_outside_request(
        session,
        holder_id=holder,
        link=body.link,
        approvals=approvals,
        access=access,
        kek=kek,
        now=now,
    )
    return RespondOut(declined=answered.declined, redirect_uri=answered.redirect_uri)
