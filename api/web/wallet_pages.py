"""The person's credentials: ``/wallet`` (cards, filter, search), one credential, and receiving.

``/wallet/receive`` picks a credential up with the code an issuer gave (typed, or filled in from
a link or QR code ``/wallet/receive?code=...``); the code is read as the issuers service reads
it (spaces, dashes and lower case do not matter). A credential the wallet refuses is shown with
the reason of every failed check, in the page language.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import RedirectResponse, Response

from api.deps import KEKDep, SessionDep, SettingsDep
from api.routers.verifiers import SourcesDep
from api.web.accounts import field
from api.web.checks import check_names
from api.web.claim_values import shown_claims
from api.web.rendering import PageDep
from api.web.service_calls import checker_in, pick_up
from api.web.sessions import CheckedForm, CurrentPerson
from credentials.errors import TaitoError
from issuers.errors import PickupCodeExpired, PickupCodeUnknown, PickupCodeUsed
from schemas import SLUGS, type_display_name
from verifiers.errors import CredentialRejected
from wallet.credentials import CredentialFilter, credential_detail, list_credentials
from wallet.errors import CredentialDuplicate
from wallet.shares.records import list_shares

router = APIRouter()
MAX_CARDS = 200


@router.get("/wallet")
def wallet_home(
    page: PageDep,
    holder: CurrentPerson,
    session: SessionDep,
    kek: KEKDep,
    settings: SettingsDep,
    sources: SourcesDep,
    type: Annotated[str, Query(max_length=64)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The credentials as cards, each with its live status; filter by type, search by text."""
    now = datetime.now(UTC)
    chosen_type = type if type in SLUGS else ""
    found = list_credentials(
        session,
        holder_id=holder,
        kek=kek,
        lang=page.language,
        filters=CredentialFilter(type=chosen_type or None, text=q.strip() or None),
    )[:MAX_CARDS]
    checker = checker_in(session, settings=settings, sources=sources, language=page.language)
    cards = [
        credential_detail(
            session,
            holder_id=holder,
            credential_id=summary.id,
            kek=kek,
            lang=page.language,
            now=now,
            verify=checker,
        )
        for summary in found
    ]
    types = [(slug, type_display_name(slug, page.language)) for slug in SLUGS]
    return page.render(
        "wallet.html",
        title=page._("Your credentials"),
        cards=cards,
        types=types,
        chosen_type=chosen_type,
        q=q,
        filtered=bool(chosen_type or q.strip()),
    )


@router.get("/wallet/credentials/{credential_id}")
def credential_page(
    credential_id: Annotated[str, Path(max_length=40)],
    page: PageDep,
    holder: CurrentPerson,
    session: SessionDep,
    kek: KEKDep,
    settings: SettingsDep,
    sources: SourcesDep,
    received: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    """Every claim labelled, the issuer, validity, live status and the shares it is in."""
    now = datetime.now(UTC)
    detail = credential_detail(
        session,
        holder_id=holder,
        credential_id=credential_id,
        kek=kek,
        lang=page.language,
        now=now,
        verify=checker_in(session, settings=settings, sources=sources, language=page.language),
    )
    shares = [
        share
        for share in list_shares(
            session, holder_id=holder, kek=kek, base_url=settings.base_url, now=now
        )
        if any(item.credential_id == detail.summary.id for item in share.items)
    ]
    return page.render(
        "credential.html",
        title=detail.summary.title or detail.summary.type_name,
        detail=detail,
        claims=shown_claims(detail.claims, page.t),
        shares=shares,
        check_names=check_names(page.t),
        received=received,
    )


@router.get("/wallet/receive")
def receive_form(
    page: PageDep,
    holder: CurrentPerson,
    code: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The pickup form; ``?code=`` (from a link or QR code) fills it in."""
    return page.render("receive.html", title=page._("Receive a credential"), code=code)


@router.post("/wallet/receive")
def receive(
    page: PageDep,
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    kek: KEKDep,
    settings: SettingsDep,
    sources: SourcesDep,
) -> Response:
    """Pick the credential up; on success go to it, else say why (at the field)."""
    code = field(form, "code").strip()
    message: str | None = None
    refusals: list[dict[str, str]] = []
    status = 422
    if not code:
        message = page._("Enter the pickup code you were given")
    else:
        try:
            summary = pick_up(
                session,
                holder_id=holder,
                code=code,
                settings=settings,
                kek=kek,
                checker=checker_in(
                    session, settings=settings, sources=sources, language=page.language
                ),
                now=datetime.now(UTC),
            )
            return RedirectResponse(f"/wallet/credentials/{summary.id}?received=1", status_code=303)
        except PickupCodeUnknown:
            status = 404
            message = page._("This code is not known. Check the code you were given and try again")
        except (PickupCodeUsed, PickupCodeExpired) as gone:
            status = 410
            message = (
                page._("This code has already been used")
                if isinstance(gone, PickupCodeUsed)
                else page._("This code has expired. Ask the issuer for a new one")
            )
        except CredentialDuplicate:
            status = 409
            message = page._("This credential is already in your wallet")
        except CredentialRejected as rejected:
            message = page._(
                "Your wallet refused this credential because it did not pass the checks"
            )
            refusals = [dict(item) for item in rejected.failed]
        except TaitoError as error:
            status = error.status if 400 <= error.status < 500 else 422
            message = page._("The credential could not be picked up. Try again later")
    return page.render(
        "receive.html",
        title=page._("Receive a credential"),
        status=status,
        errors=[("code", message or "")],
        code=code,
        refusals=refusals,
        check_names=check_names(page.t),
    )
