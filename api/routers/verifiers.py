"""The verifier API: presentation requests, nonces and ``POST /v1/verifications``.

Authorization: ``Authorization: Bearer tvk_...`` (the verifier's API key). No header, a
malformed one or an unknown key is 401. A valid key on another verifier's path is 404
``verifier_not_found`` (the same answer as for a slug that does not exist), and another
verifier's request is 404 ``verifier_request_not_found``: nothing reveals what other verifiers
have. Reports are in the caller's language (``Accept-Language``: fi, sv, en); a request's report
is in the language the request was created in.
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from api.auth import VerifierKey
from api.deps import KEKDep, RequestSignerDep, SessionDep, SettingsDep
from api.deps import SourcesDep as SourcesDep  # also for api.routers.shares
from api.edge import StrictRoute
from api.flows.presentation_request import ask_for_credentials
from api.flows.transaction import end_reads
from api.flows.verification import verify_presentations
from api.language import LanguageDep as LanguageDep  # also for api.routers.shares
from api.routers.admin_verifiers import router as admin_router
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
router.include_router(admin_router)


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


async def verifying_verifier(
    request: Request, token: VerifierKey, session: SessionDep, settings: SettingsDep
) -> VerifierInfo:
    """The verifier whose API key was sent, remembered between verifications (401 otherwise).

    Only for ``POST /v1/verifications``: the statement that consumes its nonce confirms the key
    (``confirm_api_key``), so no verification runs on a key that is no longer valid.
    """
    remembered = request.app.state.verifier_snapshots.verifiers
    found = recall_verifier(api_key=token, remembered=remembered)
    if found is not None:
        return found

    def authenticate() -> VerifierInfo:
        try:
            return authenticate_verifier(
                session, api_key=token, slug=None, base_url=settings.base_url
            )
        finally:
            # End the read before the request queues for a work thread (api.work_limit): a
            # waiting request holds no connection, and on SQLite not the write lock.
            end_reads(session)

    verifier = await run_in_threadpool(authenticate)
    remember_verifier(api_key=token, verifier=verifier, remembered=remembered)
    return verifier


VerifierDep = Annotated[VerifierInfo, Depends(current_verifier)]
AnyVerifierDep = Annotated[VerifierInfo, Depends(any_verifier)]
VerifyingVerifierDep = Annotated[VerifierInfo, Depends(verifying_verifier)]


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
async def post_nonce(
    request: Request, slug: str, token: VerifierKey, session: SessionDep, settings: SettingsDep
) -> NonceOut:
    """A single-use nonce for API-to-API verification (5 minutes).

    Every verification begins with one, so it runs under the same limiter
    (:mod:`api.work_limit`) in one trip through the thread pool: the key checked (as
    :func:`current_verifier`) and the nonce stored.
    """

    def issue() -> IssuedNonce:
        verifier = current_verifier(slug, token, session, settings)
        return issue_nonce(session, verifier=verifier, now=datetime.now(UTC))

    return NonceOut.of(await run_limited(request, issue, kind="verify"))


@router.post("/v1/verifications", response_model=ReportOut)
async def post_verification(
    request: Request,
    body: VerificationIn,
    verifier: VerifyingVerifierDep,
    token: VerifierKey,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    language: LanguageDep,
    sources: SourcesDep,
) -> ReportOut:
    """Verify presentations (with a request id, or a nonce this verifier obtained).

    Run in the thread pool under the worker's work limiter (:mod:`api.work_limit`).
    """

    def verify() -> VerificationReport:
        return verify_presentations(
            session,
            verifier=verifier,
            request_id=body.request_id,
            nonce=body.nonce,
            audience=body.audience,
            vp_token=body.vp_token,
            presentations=body.presentations,
            sources=sources,
            kek=kek,
            language=language,
            base_url=settings.base_url,
            now=datetime.now(UTC),
            confirm_api_key=token,
        )

    report = await run_limited(request, verify, kind="verify")
    return ReportOut.model_validate(report.to_json())
