"""Answering verifiers' requests: ``/v1/wallet/requests/{request_id}``.

``GET`` shows which credentials can satisfy the request, which claims it asks for and why (the
verifier's purpose). ``POST .../response`` takes the person's approvals (all, some or none of
the asked claims) and sends the ``vp_token`` holding only those to the verifier. Both are flows
(``api.flows.request_view``, ``api.flows.request_answer``) reaching the verifiers through
:data:`~api.routers.wallet_deps.RequestSourceDep`.
"""

from fastapi import APIRouter

from api.deps import KEKDep, SessionDep, SettingsDep
from api.edge import StrictRoute
from api.flows.request_answer import answer_presentation_request
from api.flows.request_view import open_request
from api.language import LanguageDep
from api.routers.wallet_deps import CurrentHolder, NowDep, RequestSourceDep
from api.routers.wallet_models import AnswerIn, AnswerOut, RequestMatchOut
from wallet.request_answers import Approval

router = APIRouter(
    route_class=StrictRoute, prefix="/v1/wallet/requests", tags=["wallet", "wallet requests"]
)


@router.get("/{request_id}")
def show_request(
    request_id: str,
    holder: CurrentHolder,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    lang: LanguageDep,
    source: RequestSourceDep,
    now: NowDep,
) -> RequestMatchOut:
    """The request, the credentials that can answer it and what each would reveal."""
    match = open_request(
        session,
        holder_id=holder,
        request_id=request_id,
        requests=source,
        kek=kek,
        base_url=settings.base_url,
        lang=lang,
        now=now,
    )
    return RequestMatchOut.model_validate(
        {**match.__dict__, "satisfiable": match.satisfiable}, from_attributes=True
    )


@router.post("/{request_id}/response")
def answer(
    request_id: str,
    body: AnswerIn,
    holder: CurrentHolder,
    session: SessionDep,
    kek: KEKDep,
    source: RequestSourceDep,
    now: NowDep,
) -> AnswerOut:
    """Send only the approved claims; no approvals declines the request."""
    approvals = [Approval(a.query_id, a.credential_id, tuple(a.claim_ids)) for a in body.approvals]
    delivered = answer_presentation_request(
        session,
        holder_id=holder,
        request_id=request_id,
        approvals=approvals,
        requests=source,
        kek=kek,
        now=now,
    )
    return AnswerOut(
        request_id=delivered.request_id, declined=delivered.declined, outcome=delivered.outcome
    )
