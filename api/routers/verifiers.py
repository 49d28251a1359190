"""The verifier API: presentation requests, nonces and ``POST /v1/verifications``.

Authorization: ``Authorization: Bearer tvk_...`` (the verifier's API key). No header, a
malformed one or an unknown key is 401. A valid key on another verifier's path is 404
``verifier_not_found`` (the same answer as for a slug that does not exist), and another
verifier's request is 404 ``verifier_request_not_found``: nothing reveals what other verifiers
have. Reports are in the caller's language (``Accept-Language``: fi, sv, en); a request's report
is in the language the request was created in.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from api.auth import VerifierKey
from api.deps import (
    KEKDep,
    OwnSession,
    RequestSignerDep,
    SessionDep,
    SettingsDep,
    engine_of,
    kek_of,
    settings_of,
    sources_of,
)
from api.deps import SourcesDep as SourcesDep  # also for api.routers.shares
from api.edge import StrictRoute
from api.flows.presentation_request import ask_for_credentials
from api.flows.transaction import in_own_session
from api.flows.verification import verify_presentations
from api.language import LanguageDep as LanguageDep  # also for api.routers.shares
from api.schemas_verifiers import (
    NonceOut,
    ReportOut,
    RequestCreatedOut,
    RequestCreateIn,
    RequestPageOut,
    RequestStateOut,
    VerificationIn,
)
from api.work_limit import run_limited
from verifiers.kept_answers import verify_answer_again
from verifiers.nonces import IssuedNonce, issue_nonce
from verifiers.organisations import (
    VerifierInfo,
    authenticate_verifier,
    authenticate_verifier_use,
    recall_verifier,
    remember_verifier,
)
from verifiers.presentation_requests import get_request
from verifiers.report import VerificationReport
from verifiers.request_history import MAX_PAGE, list_requests

router = APIRouter(route_class=StrictRoute, tags=["verifiers"])


def current_verifier(
    slug: str, token: VerifierKey, session: SessionDep, settings: SettingsDep
) -> VerifierInfo:
    """The verifier whose API key was sent, if ``slug`` is its own (401 / 404 otherwise).

    The key's last use is recorded (to the minute) for its owner's key listing.
    """
    return authenticate_verifier_use(
        session, api_key=token, slug=slug, base_url=settings.base_url, now=datetime.now(UTC)
    )


def any_verifier(token: VerifierKey, session: SessionDep, settings: SettingsDep) -> VerifierInfo:
    """The verifier whose API key was sent (401 otherwise); its last use is recorded."""
    return authenticate_verifier_use(
        session, api_key=token, slug=None, base_url=settings.base_url, now=datetime.now(UTC)
    )


@dataclass(frozen=True)
class Verifying:
    """The verifier of a ``POST /v1/verifications`` and the API key it was recognised by."""

    verifier: VerifierInfo
    api_key: str


async def verifying_verifier(request: Request, token: VerifierKey) -> Verifying:
    """The verifier whose API key was sent, remembered between verifications (401 otherwise).

    Only for ``POST /v1/verifications``: the statement that consumes its nonce confirms the key
    (``confirm_api_key``), so no verification runs on a key that is no longer valid. The only
    dependency of that endpoint besides its body and language: FastAPI spends tens of
    microseconds per dependency per request (docs/architecture.md, "Threads and connections").
    """
    remembered = request.app.state.verifier_snapshots.verifiers
    found = recall_verifier(api_key=token, remembered=remembered)
    if found is not None:
        return Verifying(found, token)
    base_url = settings_of(request).base_url

    def authenticate(session: OwnSession) -> VerifierInfo:
        return authenticate_verifier(session, api_key=token, slug=None, base_url=base_url)

    # In a session of its own, closed before the request queues for a work thread
    # (api.work_limit): a waiting request holds no connection, and on SQLite not the write lock.
    verifier = await run_in_threadpool(in_own_session, engine_of(request), authenticate)
    remember_verifier(api_key=token, verifier=verifier, remembered=remembered)
    return Verifying(verifier, token)


VerifierDep = Annotated[VerifierInfo, Depends(current_verifier)]
AnyVerifierDep = Annotated[VerifierInfo, Depends(any_verifier)]
VerifyingDep = Annotated[Verifying, Depends(verifying_verifier)]


@router.post("/v1/verifiers/{slug}/requests", response_model=RequestCreatedOut, status_code=201)
def post_request(
    body: RequestCreateIn,
    verifier: VerifierDep,
    session: SessionDep,
    settings: SettingsDep,
    language: LanguageDep,
    signer: RequestSignerDep,
) -> RequestCreatedOut:
    """Ask for credentials: the request id, its single-use nonce, audience and link, and the
    OpenID4VP Authorization Request any wallet opens (link and QR code)."""
    asked = ask_for_credentials(
        session,
        verifier=verifier,
        dcql_query=body.dcql_query,
        form=body.credentials,
        purpose=body.purpose,
        expires_in=timedelta(seconds=body.expires_in),
        language=language,
        signer=signer,
        base_url=settings.base_url,
        now=datetime.now(UTC),
        response_mode=body.response_mode,
    )
    return RequestCreatedOut.of(asked.created, asked.openid4vp)


@router.get("/v1/verifiers/{slug}/requests", response_model=RequestPageOut)
def list_own_requests(
    verifier: VerifierDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> RequestPageOut:
    """The verifier's requests, newest first: status, purpose and times (never the answers)."""
    page = list_requests(
        session, verifier_id=verifier.id, limit=limit, cursor=cursor, now=datetime.now(UTC)
    )
    return RequestPageOut.of(page)


@router.get("/v1/verifiers/{slug}/requests/{request_id}", response_model=RequestStateOut)
def read_request(
    request_id: str,
    verifier: VerifierDep,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
) -> RequestStateOut:
    """The request's status and, once answered, the verification report."""
    state = get_request(
        session,
        verifier=verifier,
        request_id=request_id,
        kek=kek,
        base_url=settings.base_url,
        now=datetime.now(UTC),
    )
    return RequestStateOut.of(state)


@router.post("/v1/verifiers/{slug}/requests/{request_id}/verify-again", response_model=ReportOut)
def post_verify_again(
    request_id: str,
    verifier: VerifierDep,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    language: LanguageDep,
    sources: SourcesDep,
) -> ReportOut:
    """Verify the request's kept answer again, now (a revocation since shows as a failure);
    nothing is stored. 409 ``verifier_answer_not_kept`` for a request without a kept answer."""
    report = verify_answer_again(
        session,
        verifier=verifier,
        request_id=request_id,
        sources=sources,
        kek=kek,
        language=language,
        base_url=settings.base_url,
        now=datetime.now(UTC),
    )
    return ReportOut.model_validate(report.to_json())


@router.post("/v1/verifiers/{slug}/nonces", response_model=NonceOut, status_code=201)
async def post_nonce(request: Request, slug: str, token: VerifierKey) -> NonceOut:
    """A single-use nonce for API-to-API verification (5 minutes).

    Every verification begins with one, so it runs under the same limiter
    (:mod:`api.work_limit`) in one trip through the thread pool, in the work thread's own
    session (:func:`~api.flows.transaction.in_own_session`): the key checked (as
    :func:`current_verifier`) and the nonce stored.
    """
    settings = settings_of(request)

    def issue(session: OwnSession) -> IssuedNonce:
        verifier = current_verifier(slug, token, session, settings)
        return issue_nonce(session, verifier=verifier, now=datetime.now(UTC))

    issued = await run_limited(request, issue, kind="verify")
    return NonceOut.of(issued)


@router.post("/v1/verifications", response_model=ReportOut)
async def post_verification(
    request: Request, body: VerificationIn, verifying: VerifyingDep, language: LanguageDep
) -> ReportOut:
    """Verify presentations (with a request id, or a nonce this verifier obtained).

    Run in the thread pool under the worker's work limiter (:mod:`api.work_limit`), in a
    session of the work thread's own (:func:`~api.flows.transaction.in_own_session`).
    """
    kek, base_url = kek_of(request), settings_of(request).base_url

    def verify(session: OwnSession) -> VerificationReport:
        return verify_presentations(
            session,
            verifier=verifying.verifier,
            request_id=body.request_id,
            nonce=body.nonce,
            audience=body.audience,
            vp_token=body.vp_token,
            presentations=body.presentations,
            sources=sources_of(request, session),
            kek=kek,
            language=language,
            base_url=base_url,
            now=datetime.now(UTC),
            confirm_api_key=verifying.api_key,
        )

    report = await run_limited(request, verify, kind="verify")
    return ReportOut.model_validate(report.to_json())
