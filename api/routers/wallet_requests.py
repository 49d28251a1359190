"""Answering verifiers' requests: ``/v1/wallet/requests/{request_id}``.

``GET`` shows which credentials can satisfy the request, which claims it asks for and why (the
verifier's purpose). ``POST .../response`` takes the person's approvals (all, some or none of
the asked claims) and sends the ``vp_token`` holding only those to the verifier. The request is
found, and the answer delivered, through :data:`~api.routers.wallet_deps.RequestSourceDep`
(the composition point with the verifiers service).
"""

from fastapi import APIRouter

from api.deps import KEKDep, SessionDep, SettingsDep
from api.edge import StrictRoute
from api.routers.wallet_deps import CurrentHolder, LanguageDep, NowDep, RequestSourceDep
from api.routers.wallet_models import AnswerIn, AnswerOut, RequestMatchOut
from wallet.request_answers import Approval, answer_request, match_request

router = APIRouter(route_class=StrictRoute, prefix="/v1/wallet/requests", tags=["wallet requests"])


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
    request = source.find(session, request_id=request_id, now=now)
    match = match_request(
        session,
        holder_id=holder,
        request=request,
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
    request = source.find(session, request_id=request_id, now=now)
    approvals = [Approval(a.query_id, a.credential_id, tuple(a.claim_ids)) for a in body.approvals]
    answered = answer_request(
        session, holder_id=holder, request=request, approvals=approvals, kek=kek, now=now
    )
    outcome = None
    if not answered.declined:
        outcome = source.submit(session, request_id=request_id, vp_token=answered.vp_token, now=now)
    return AnswerOut(request_id=answered.request_id, declined=answered.declined, outcome=outcome)
