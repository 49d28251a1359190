"""``/v1/wallet/offers/...``: a credential offer from any OpenID4VCI issuer (logic in
:mod:`wallet.offer_client` and :mod:`api.flows.credential_offers`)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field

from api.deps import KEKDep, SessionDep, SettingsDep
from api.edge import StrictRoute
from api.flows.credential_offers import accept_credential_offer, show_credential_offer
from api.language import LanguageDep
from api.routers.wallet_deps import CheckerDep, CurrentHolder, NowDep
from api.routers.wallet_models import CredentialOut, Strict
from api.routers.wallet_views import credential_out
from wallet.offer_client import MAX_LINK_LENGTH, ResolvedOffer, Transport

router = APIRouter(tags=["wallet"], route_class=StrictRoute)


class OfferLinkIn(Strict):
    offer_link: str = Field(
        min_length=1, max_length=MAX_LINK_LENGTH, description="openid-credential-offer://..."
    )


class OfferAcceptIn(OfferLinkIn):
    tx_code: str | None = Field(None, max_length=64, description="The code the issuer sent.")


class OfferedOut(BaseModel):
    configuration_id: str
    name: str


class ResolvedOfferOut(BaseModel):
    """Who offers what (names in the asked language when the issuer gives it)."""

    credential_issuer: str
    issuer_name: str
    credentials: list[OfferedOut]
    tx_code_required: bool
    tx_code_length: int | None = None
    tx_code_input_mode: str | None = None
    tx_code_description: str | None = None

    @classmethod
    def of(cls, offer: ResolvedOffer, *, lang: str) -> "ResolvedOfferOut":
        tx = offer.tx_code or {}
        length, mode, text = tx.get("length"), tx.get("input_mode"), tx.get("description")
        return cls(
            credential_issuer=offer.credential_issuer,
            issuer_name=_pick(offer.issuer_names, lang) or offer.credential_issuer,
            credentials=[
                OfferedOut(
                    configuration_id=item.configuration_id,
                    name=_pick(item.names, lang) or item.configuration_id,
                )
                for item in offer.offered
            ],
            tx_code_required=offer.tx_code is not None,
            tx_code_length=length if isinstance(length, int) and 0 < length <= 64 else None,
            tx_code_input_mode=mode if mode in ("numeric", "text") else None,
            tx_code_description=text[:300] if isinstance(text, str) else None,
        )


def _pick(names: dict[str, str], lang: str) -> str | None:
    for locale, name in names.items():
        if locale.split("-")[0].lower() == lang:
            return name
    return names.get("en") or next(iter(names.values()), None)


def offer_transport(request: Request) -> Transport:
    """The app's SSRF-safe fetcher (``api.fetch``), which also POSTs."""
    transport: Transport = request.app.state.remote_fetcher
    return transport


TransportDep = Annotated[Transport, Depends(offer_transport)]


@router.post("/v1/wallet/offers/resolve")
def post_resolve(
    body: OfferLinkIn,
    holder: CurrentHolder,
    session: SessionDep,
    transport: TransportDep,
    lang: LanguageDep,
) -> ResolvedOfferOut:
    """Who offers what, and whether a transaction code is needed (nothing is accepted yet)."""
    offer = show_credential_offer(session, offer_link=body.offer_link, transport=transport)
    return ResolvedOfferOut.of(offer, lang=lang)


@router.post("/v1/wallet/offers/accept", status_code=status.HTTP_201_CREATED)
def post_accept(
    body: OfferAcceptIn,
    holder: CurrentHolder,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    verify: CheckerDep,
    now: NowDep,
    transport: TransportDep,
) -> CredentialOut:
    """Obtain the offered credential with this wallet's key; verified, then stored."""
    summary = accept_credential_offer(
        session,
        holder_id=holder,
        offer_link=body.offer_link,
        tx_code=body.tx_code,
        transport=transport,
        verify=verify,
        kek=kek,
        base_url=settings.base_url,
        now=now,
    )
    return credential_out(summary)
