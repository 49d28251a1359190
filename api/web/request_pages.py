"""``/wallet/requests/{id}``: an organisation's request for credentials, as a person meets it.

Who asks (the name the organisation registered on this instance), why, which credentials match
and what each asked claim would reveal, with a tick box per claim. The person sends everything
asked, only what they ticked, or declines. The request is found and the answer delivered
through :mod:`api.web.service_calls` (the same composition as the JSON API).
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response
from sqlmodel import Session

from api.deps import KEKDep, SessionDep, SettingsDep
from api.flows.ports import RequestSource
from api.flows.request_answer import answer_presentation_request
from api.routers.verifiers import SourcesDep
from api.settings import Settings
from api.web.rendering import Page, PageDep
from api.web.service_calls import verifier_requests
from api.web.sessions import CheckedForm, CurrentPerson
from verifiers.issuer_trust import Sources
from wallet.errors import ApprovalInvalid
from wallet.request_answers import Approval, PresentationRequest, RequestMatch, match_request

router = APIRouter()
MAX_TICKS = 400


def _show(
    page: Page, match: RequestMatch, *, status: int = 200, error: str | None = None
) -> Response:
    return page.render(
        "request.html",
        title=page._(
            "%(who)s asks for your credentials", who=match.verifier_name or match.audience
        ),
        status=status,
        errors=[("approve-0-0-0", error)] if error else [],
        match=match,
    )


def _find(
    request_id: str,
    page: Page,
    holder: str,
    session: Session,
    settings: Settings,
    kek: bytes,
    sources: Sources,
    now: datetime,
) -> tuple[RequestSource, PresentationRequest, RequestMatch]:
    source = verifier_requests(settings=settings, sources=sources, kek=kek)
    request = source.find(session, request_id=request_id, now=now)
    match = match_request(
        session,
        holder_id=holder,
        request=request,
        kek=kek,
        base_url=settings.base_url,
        lang=page.language,
        now=now,
    )
    return source, request, match


@router.get("/wallet/requests/{request_id}")
def request_page(
    request_id: Annotated[str, Path(max_length=64)],
    page: PageDep,
    holder: CurrentPerson,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    sources: SourcesDep,
) -> Response:
    """The request and what answering it would reveal."""
    now = datetime.now(UTC)
    _, _, match = _find(request_id, page, holder, session, settings, kek, sources, now)
    return _show(page, match)


@router.post("/wallet/requests/{request_id}")
def answer_page(
    request_id: Annotated[str, Path(max_length=64)],
    page: PageDep,
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    sources: SourcesDep,
) -> Response:
    """Send all, some or none (declining) of what was asked."""
    now = datetime.now(UTC)
    source, request, match = _find(request_id, page, holder, session, settings, kek, sources, now)
    action = form.get("action")
    ticked: list[str] = []
    if action == "all":
        ticked = [
            f"{query.query_id}|{query.candidates[0].credential_id}|{claim.id}"
            for query in match.queries
            if query.candidates
            for claim in query.candidates[0].claims
        ]
    elif action == "some":
        ticked = [v for v in form.getlist("approve") if isinstance(v, str)][:MAX_TICKS]
        if not ticked:
            return _show(
                page,
                match,
                status=422,
                error=page._("Tick at least one detail to send, or decline the request"),
            )
    grouped: dict[tuple[str, str], list[str]] = {}
    for value in ticked:
        query_id, _, rest = value.partition("|")
        credential_id, _, claim_id = rest.partition("|")
        claims = grouped.setdefault((query_id, credential_id), [])
        if claim_id not in claims:
            claims.append(claim_id)
    approvals = [Approval(q, c, tuple(ids)) for (q, c), ids in grouped.items()]
    try:
        answered = answer_presentation_request(
            session,
            holder_id=holder,
            request_id=request.request_id,
            approvals=approvals,
            requests=source,
            kek=kek,
            now=now,
        )
    except ApprovalInvalid:
        return _show(
            page,
            match,
            status=422,
            error=page._("Choose the details of one credential for each question"),
        )
    outcome = answered.outcome
    return page.render(
        "request_done.html",
        title=page._("You declined the request")
        if answered.declined
        else page._("Your answer was sent"),
        declined=answered.declined,
        verified=bool(outcome and outcome.get("verified")),
        who=match.verifier_name or match.audience,
        count=sum(len(a.claim_ids) for a in approvals),
    )
