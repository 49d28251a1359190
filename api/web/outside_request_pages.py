"""``/wallet/outside-requests``: a request from a service elsewhere (an ``openid4vp://`` link).

The person pastes the link (or opens it from a QR code, which fills it in through ``?link=``).
The wallet fetches and authenticates the verifier's signed request
(:mod:`api.flows.outside_request`) and shows who asks (the name its trusted certificate
attests), what, and a tick box per claim, as for a request of this service; then it sends all,
some or none. Nothing of a request that cannot be authenticated is shown.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import KEKDep, SessionDep, SettingsDep
from api.flows.outside_request import answer_outside_request, open_outside_request
from api.routers.wallet_outside_requests import VerifierAccessDep
from api.web.rendering import Page, PageDep
from api.web.sessions import CheckedForm, CurrentPerson
from wallet.errors import (
    ApprovalInvalid,
    OutsideRequestInvalid,
    OutsideRequestUnreachable,
    OutsideResponseRefused,
    PresentationRequestExpired,
)
from wallet.outside_requests import MAX_LINK
from wallet.request_answers import Approval

router = APIRouter()
PATH = "/wallet/outside-requests"
MAX_TICKS = 400


def _ask_for_link(page: Page, link: str = "", *, error: str | None = None) -> Response:
    return page.render(
        "outside_request_link.html",
        title=page._("Open a request from another service"),
        status=422 if error else 200,
        errors=[("link", error)] if error else [],
        link=link,
    )


def _refusal(page: Page, error: Exception) -> str:
    if isinstance(error, OutsideRequestUnreachable):
        return page._("The request could not be fetched. Try again later.")
    if isinstance(error, OutsideResponseRefused):
        return page._("The service did not accept your answer. Nothing was recorded.")
    if isinstance(error, PresentationRequestExpired):
        return page._("This request has expired or has already been answered.")
    return page._("This link cannot be trusted or is not a request this wallet supports.")


Refusals = (OutsideRequestInvalid, OutsideRequestUnreachable, PresentationRequestExpired)


@router.get(PATH)
def outside_request_page(
    page: PageDep,
    holder: CurrentPerson,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    access: VerifierAccessDep,
    link: Annotated[str, Query(max_length=MAX_LINK)] = "",
) -> Response:
    """The link form; with ``?link=`` the authenticated request and a tick box per claim."""
    if not link:
        return _ask_for_link(page)
    try:
        outside, match = open_outside_request(
            session,
            holder_id=holder,
            link=link,
            access=access,
            kek=kek,
            base_url=settings.base_url,
            lang=page.language,
            now=datetime.now(UTC),
        )
    except Refusals as error:
        return _ask_for_link(page, link, error=_refusal(page, error))
    everything = [
        f"{query.query_id}|{query.candidates[0].credential_id}|{claim.id}"
        for query in match.queries
        if query.candidates
        for claim in query.candidates[0].claims
    ]
    return page.render(
        "request.html",
        title=page._("%(who)s asks for your credentials", who=outside.verifier_name),
        match=match,
        action=PATH,
        link=link,
        attested=page._("Certificate checked"),
        everything=everything,
    )


@router.post(PATH)
def answer_outside_request_page(
    page: PageDep,
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    kek: KEKDep,
    access: VerifierAccessDep,
) -> Response:
    """Send all, some or none (declining) of what was asked."""
    link = str(form.get("link") or "")[:MAX_LINK]
    action = form.get("action")
    ticked = [v for v in form.getlist("approve") if isinstance(v, str)][:MAX_TICKS]
    if action == "some" and not ticked:
        return _ask_for_link(
            page, link, error=page._("Tick at least one detail to send, or decline the request")
        )
    if action == "all":
        ticked = [v for v in form.getlist("everything") if isinstance(v, str)][:MAX_TICKS]
    elif action != "some":
        ticked = []
    grouped: dict[tuple[str, str], list[str]] = {}
    for value in ticked:
        query_id, _, rest = value.partition("|")
        credential_id, _, claim_id = rest.partition("|")
        claims = grouped.setdefault((query_id, credential_id), [])
        if claim_id not in claims:
            claims.append(claim_id)
    approvals = [Approval(q, c, tuple(ids)) for (q, c), ids in grouped.items()]
    try:
        answered = answer_outside_request(
            session,
            holder_id=holder,
            link=link,
            approvals=approvals,
            access=access,
            kek=kek,
            now=datetime.now(UTC),
        )
    except (*Refusals, OutsideResponseRefused, ApprovalInvalid) as error:
        return _ask_for_link(page, link, error=_refusal(page, error))
    return page.render(
        "request_done.html",
        title=page._("You declined the request")
        if answered.declined
        else page._("Your answer was sent"),
        declined=answered.declined,
        verified=False,
        who=answered.verifier_name,
        count=sum(len(a.claim_ids) for a in approvals),
    )
