"""``/wallet/offers``: a credential offer from any OpenID4VCI issuer, pasted or from a QR code.

Two steps, without JavaScript: the person pastes the ``openid-credential-offer://`` link and
sees who offers what (the issuer's metadata, fetched through the SSRF-safe fetcher); then types
the transaction code the issuer sent, and the credential is obtained with the wallet's key,
checked by the one receipt gate and stored (:mod:`api.flows.credential_offers`).
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import KEKDep, SessionDep, SettingsDep
from api.flows.credential_offers import accept_credential_offer, show_credential_offer
from api.routers.verifiers import SourcesDep
from api.routers.wallet_offers import ResolvedOfferOut, offer_transport
from api.web.accounts import field
from api.web.checks import check_names
from api.web.rendering import PageDep
from api.web.service_calls import checker_in
from api.web.sessions import CheckedForm, CurrentPerson
from credentials.errors import TaitoError
from verifiers.errors import CredentialRejected
from wallet.errors import CredentialDuplicate, CredentialOfferInvalid, CredentialOfferRefused
from wallet.offer_client import MAX_LINK_LENGTH

router = APIRouter()


@router.get("/wallet/offers")
def offer_form(
    page: PageDep,
    holder: CurrentPerson,
    link: Annotated[str, Query(max_length=MAX_LINK_LENGTH)] = "",
) -> Response:
    """The form for an offer link; ``?link=`` fills it in."""
    return page.render("offers.html", title=page._("Take a credential offer"), link=link)


@router.post("/wallet/offers")
def offer_step(
    request: Request,
    page: PageDep,
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    kek: KEKDep,
    settings: SettingsDep,
    sources: SourcesDep,
) -> Response:
    """Show the offer (step ``show``) or take it with the transaction code (step ``accept``)."""
    link = field(form, "link").strip()[:MAX_LINK_LENGTH]
    tx_code = field(form, "tx_code").strip()[:64]
    accept = field(form, "step") == "accept"
    transport = offer_transport(request)
    title = page._("Take a credential offer")
    shown: ResolvedOfferOut | None = None
    refusals: list[dict[str, str]] = []
    status, error_field = 422, "link"
    try:
        if not link:
            raise CredentialOfferInvalid("no link")
        if accept:
            summary = accept_credential_offer(
                session,
                holder_id=holder,
                offer_link=link,
                tx_code=tx_code or None,
                transport=transport,
                verify=checker_in(
                    session, settings=settings, sources=sources, language=page.language
                ),
                kek=kek,
                base_url=settings.base_url,
                now=datetime.now(UTC),
            )
            return RedirectResponse(f"/wallet/credentials/{summary.id}?received=1", status_code=303)
        offer = show_credential_offer(session, offer_link=link, transport=transport)
        shown = ResolvedOfferOut.of(offer, lang=page.language)
        return page.render("offers.html", title=title, link=link, offer=shown)
    except CredentialOfferInvalid:
        message = page._(
            "This link is not a credential offer that can be used, or the issuer cannot be reached"
        )
    except CredentialOfferRefused:
        status, error_field = 409, "tx_code"
        message = page._(
            "The issuer refused: check the transaction code, or ask the issuer for a new offer"
        )
    except CredentialDuplicate:
        status = 409
        message = page._("This credential is already in your wallet")
    except CredentialRejected as rejected:
        message = page._("Your wallet refused this credential because it did not pass the checks")
        refusals = [dict(item) for item in rejected.failed]
    except TaitoError as error:
        status = error.status if 400 <= error.status < 500 else 422
        message = page._("The credential could not be picked up. Try again later")
    return page.render(
        "offers.html",
        title=title,
        status=status,
        errors=[(error_field, message)],
        link=link,
        refusals=refusals,
        check_names=check_names(page.t),
    )
