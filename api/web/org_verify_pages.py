"""The verifier staff's other ways to check, and the history of their requests.

- ``/org/{slug}/verify``: a presentation (SD-JWT) pasted or uploaded as a file (at most
  :data:`MAX_PRESENTATION_BYTES`) goes through the same door as ``POST /v1/verifications``
  (:func:`api.flows.verification.verify_presentations`, policy
  :data:`~verifiers.policy.VERIFICATION_API`): its Key Binding must name this verifier and a
  nonce issued to it, which the page hands out as a one-time code for the person's wallet, and
  which the check consumes. A share link the person sent is opened as the verifier's API key
  would open it (:func:`api.flows.share_view.view_share_as_verifier`). Either shows the report.
- ``/org/{slug}/requests``: the organisation's requests, newest first, a page at a time.
"""

from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Final

from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import KEKDep, SessionDep, SettingsDep
from api.flows.share_view import view_share_as_verifier
from api.flows.verification import verify_presentations
from api.routers.verifiers import SourcesDep
from api.web.accounts import field
from api.web.org_access import StaffAt, VerifierStaffDep
from api.web.org_verifier_pages import verifier_of
from api.web.rendering import Page, PageDep
from api.web.report_view import shown_report
from api.web.sessions import CheckedForm
from verifiers.errors import (
    NonceExpired,
    NonceReused,
    NonceUnknown,
    RequestExpired,
    RequestNotFound,
    SubmissionInvalid,
)
from verifiers.nonces import IssuedNonce, issue_nonce
from verifiers.request_history import list_requests
from verifiers.vp_token import presented_nonce
from wallet.errors import ShareExpired, ShareGone, ShareNotFound, ShareWithdrawn

router = APIRouter()

MAX_PRESENTATION_BYTES: Final = 64 * 1024
HISTORY_PAGE: Final = 20
MAX_LINK: Final = 500


def _verify_page(
    page: Page,
    here: StaffAt,
    *,
    errors: list[tuple[str, str]],
    status: int = 200,
    issued: IssuedNonce | None = None,
    link: str = "",
) -> Response:
    return page.render(
        "org_verify.html",
        title=page._("Check a credential"),
        status=status,
        errors=errors,
        here=here,
        issued=issued,
        link=link,
        org_nav=True,
    )


@router.get("/org/{slug}/verify")
def verify_form(page: PageDep, here: VerifierStaffDep) -> Response:
    """Paste or upload a presentation, or open a share link."""
    verifier_of(here)
    return _verify_page(page, here, errors=[])


@router.post("/org/{slug}/verify/code")
def verify_code(
    page: PageDep, here: VerifierStaffDep, form: CheckedForm, session: SessionDep
) -> Response:
    """A one-time code (nonce) and this verifier's identifier for the person's wallet."""
    verifier = verifier_of(here)
    issued = issue_nonce(session, verifier=verifier, now=datetime.now(UTC))
    return _verify_page(page, here, errors=[], issued=issued)


async def _presentation(form: CheckedForm) -> str | None:
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_PRESENTATION_BYTES + 1)
        if len(raw) > MAX_PRESENTATION_BYTES:
            return None
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            return None
    else:
        pasted = form.get("presentation")
        text = pasted if isinstance(pasted, str) else ""
    text = "".join(text.split())
    return text or None


@router.post("/org/{slug}/verify")
async def verify(
    page: PageDep,
    here: VerifierStaffDep,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    sources: SourcesDep,
) -> Response:
    """The presentation through the gate as ``POST /v1/verifications`` does; the report."""
    verifier = verifier_of(here)
    token = await _presentation(form)
    nonce = presented_nonce(token) if token else None
    if token is None or nonce is None:
        message = page._(
            "Paste a presentation made for your organisation, or choose its file (at most 64 KB)"
        )
        return _verify_page(page, here, errors=[("presentation", message)], status=422)
    now = datetime.now(UTC)
    try:
        report = await run_in_threadpool(
            partial(
                verify_presentations,
                session,
                verifier=verifier,
                request_id=None,
                nonce=nonce,
                audience=None,
                vp_token=None,
                presentations=[token],
                sources=sources,
                kek=kek,
                language=page.language,
                base_url=settings.base_url,
                now=now,
            )
        )
    except (NonceUnknown, RequestNotFound, SubmissionInvalid):
        message = page._("This presentation was not made for a code your organisation gave")
        return _verify_page(page, here, errors=[("presentation", message)], status=422)
    except (NonceExpired, RequestExpired):
        message = page._("The code this presentation was made for has expired. Get a new code")
        return _verify_page(page, here, errors=[("presentation", message)], status=422)
    except NonceReused:
        message = page._("This presentation has been checked already. Ask for a new one")
        return _verify_page(page, here, errors=[("presentation", message)], status=422)
    return page.render(
        "org_verified.html",
        title=page._("Result of the check"),
        here=here,
        checked=now,
        purpose=None,
        report=shown_report(report.to_json(), t=page.t, base_url=settings.base_url),
        org_nav=True,
    )


def share_token(link: str) -> str | None:
    """The token of a share link (``…/s/{token}``), or the token itself."""
    text = link.strip()
    if "/s/" in text:
        text = text.rsplit("/s/", 1)[1]
    text = text.split("?", 1)[0].split("#", 1)[0].strip("/")
    if not 0 < len(text) <= 128 or not all(c.isalnum() or c in "-_" for c in text):
        return None
    return text


@router.post("/org/{slug}/verify/share")
def open_share(
    page: PageDep,
    here: VerifierStaffDep,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    sources: SourcesDep,
) -> Response:
    """A share link the person sent, opened for this organisation; the report."""
    verifier = verifier_of(here)
    link = field(form, "link")[:MAX_LINK]
    token = share_token(link)
    not_found = page._("This link does not open for your organisation. Check the whole link")
    if token is None:
        return _verify_page(page, here, errors=[("link", not_found)], status=422, link=link)
    now = datetime.now(UTC)
    try:
        shared = view_share_as_verifier(
            session,
            token=token,
            verifier=verifier,
            sources=sources,
            kek=kek,
            language=page.language,
            base_url=settings.base_url,
            now=now,
        )
    except ShareNotFound:
        return _verify_page(page, here, errors=[("link", not_found)], status=422, link=link)
    except ShareGone as gone:
        message = (
            page._("The person has withdrawn this share")
            if isinstance(gone, ShareWithdrawn)
            else page._("This share has expired")
            if isinstance(gone, ShareExpired)
            else page._("This share has been opened as many times as the person allowed")
        )
        return _verify_page(page, here, errors=[("link", message)], status=422, link=link)
    return page.render(
        "org_verified.html",
        title=page._("Result of the check"),
        here=here,
        checked=now,
        purpose=shared.purpose,
        report=shown_report(shared.report.to_json(), t=page.t, base_url=settings.base_url),
        org_nav=True,
    )


@router.get("/org/{slug}/requests")
def history(
    page: PageDep,
    here: VerifierStaffDep,
    session: SessionDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The organisation's requests, newest first: state and purpose, a page at a time."""
    verifier = verifier_of(here)
    found = list_requests(
        session, verifier_id=verifier.id, limit=HISTORY_PAGE, cursor=cursor, now=datetime.now(UTC)
    )
    return page.render(
        "org_requests.html",
        title=page._("Requests"),
        here=here,
        requests=found.items,
        next_cursor=found.next_cursor,
        org_nav=True,
    )
