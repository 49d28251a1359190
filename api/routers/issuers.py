"""The issuer API: ``/v1/issuers/{slug}/...`` with the issuer's API key.

Authorization: ``Authorization: Bearer tik_...``. No or a malformed header, or an unknown key,
is 401. A valid key on another issuer's path is 404 ``issuer_not_found``, the same answer as for
a slug that does not exist, and a credential id of another issuer is 404
``issued_credential_not_found``: nothing reveals what other issuers have.
"""

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request

from api.auth import IssuerKey
from api.deps import KEKDep, OwnSession, SessionDep, SettingsDep, kek_of, settings_of
from api.edge import StrictRoute
from api.fields import Instant
from api.listings import ISSUER_REGISTER
from api.schemas_issuers import (
    BatchIn,
    BatchOut,
    CredentialIn,
    CredentialOfferOut,
    IssuedCredentialOut,
    IssuerOut,
    OfferIn,
    OpenIDOfferOut,
    RegisterEntryOut,
    RegisterPageOut,
    StatusChangeIn,
)
from api.work_limit import run_limited
from issuers.batch import issue_batch
from issuers.identifiers import issuer_did, issuer_identifier
from issuers.issuance import issue_credential
from issuers.offers import OPENID_OFFER_LIFETIME, create_offer
from issuers.oid4vci import offer_links
from issuers.organisations import IssuerAccount, authenticate_issuer_use
from issuers.register import get_issued_credential, list_issued_credentials
from issuers.status import change_credential_status
from issuers.status_history import StatusNote

router = APIRouter(route_class=StrictRoute, prefix="/v1/issuers/{slug}", tags=["issuers"])


def current_issuer(slug: str, token: IssuerKey, session: SessionDep) -> IssuerAccount:
    """The issuer whose API key was sent, if ``slug`` is its own (401 / 404 otherwise).

    The key's last use is recorded (to the minute) for its owner's key listing.
    """
    return authenticate_issuer_use(session, slug=slug, api_key=token, now=datetime.now(UTC))


IssuerDep = Annotated[IssuerAccount, Depends(current_issuer)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="Required; 1-255 visible ASCII characters."),
]


@router.get("", response_model=IssuerOut)
def read_issuer(issuer: IssuerDep, settings: SettingsDep) -> IssuerOut:
    """The issuer's own account: identifier, did:web and accredited types."""
    return IssuerOut.of(
        issuer,
        identifier=issuer_identifier(settings.base_url, issuer.slug),
        did=issuer_did(settings.base_url, issuer.slug),
    )


@router.post(
    "/credentials", response_model=IssuedCredentialOut | CredentialOfferOut, status_code=201
)
async def post_credential(
    request: Request,
    slug: str,
    token: IssuerKey,
    body: CredentialIn,
    idempotency_key: IdempotencyKey = None,
) -> IssuedCredentialOut | CredentialOfferOut:
    """Issue one credential bound to ``holder``, or (without ``holder``) make a credential offer
    that the person's wallet binds and the issuer signs at pickup (idempotent per
    ``Idempotency-Key``).

    The key is checked (as :func:`current_issuer`) in the same trip through the thread pool as
    the issuing, under the work limiter (:mod:`api.work_limit`): a request waiting for its turn
    holds no database connection. The session is the work thread's own
    (:func:`~api.flows.transaction.in_own_session`), the settings and key read off the app: this
    hot endpoint keeps its dependencies few (docs/architecture.md, "Threads and connections").
    """
    settings, kek = settings_of(request), kek_of(request)

    def issue(session: OwnSession) -> IssuedCredentialOut | CredentialOfferOut:
        issuer = current_issuer(slug, token, session)
        if body.holder is None:
            offer = create_offer(
                session,
                issuer=issuer,
                request=body.to_request(),
                idempotency_key=idempotency_key,
                kek=kek,
                base_url=settings.base_url,
                now=datetime.now(UTC),
            )
            return CredentialOfferOut.of(offer, base_url=settings.base_url)
        issued = issue_credential(
            session,
            issuer=issuer,
            request=body.to_request(),
            idempotency_key=idempotency_key,
            kek=kek,
            base_url=settings.base_url,
            now=datetime.now(UTC),
        )
        return IssuedCredentialOut.of(issued)

    return await run_limited(request, issue, kind="issue")


@router.post("/offers", response_model=OpenIDOfferOut, status_code=201)
def post_offer(
    body: OfferIn,
    issuer: IssuerDep,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    idempotency_key: IdempotencyKey = None,
) -> OpenIDOfferOut:
    """An OpenID4VCI credential offer (pre-authorized code and ``tx_code``) that also has a
    pickup code; redeemable once, by either (idempotent per ``Idempotency-Key``)."""
    offer = create_offer(
        session,
        issuer=issuer,
        request=body.to_request(),
        idempotency_key=idempotency_key,
        kek=kek,
        base_url=settings.base_url,
        now=datetime.now(UTC),
        pre_authorized=True,
        lifetime=OPENID_OFFER_LIFETIME,
    )
    links = offer_links(offer, slug=issuer.slug, base_url=settings.base_url)
    return OpenIDOfferOut.of(offer, links, base_url=settings.base_url)


@router.post("/credentials/batch", response_model=BatchOut)
async def post_batch(
    request: Request,
    slug: str,
    token: IssuerKey,
    body: BatchIn,
    idempotency_key: IdempotencyKey = None,
) -> BatchOut:
    """Issue up to 1,000 credentials; a result per item (idempotent as a whole). The key is
    checked in the same trip through the thread pool, under the work limiter, as
    :func:`post_credential` does, in the work thread's own session."""
    settings, kek = settings_of(request), kek_of(request)

    def issue(session: OwnSession) -> BatchOut:
        result = issue_batch(
            session,
            issuer=current_issuer(slug, token, session),
            requests=body.to_requests(),
            idempotency_key=idempotency_key,
            kek=kek,
            base_url=settings.base_url,
            now=datetime.now(UTC),
        )
        return BatchOut.of(result)

    return await run_limited(request, issue, kind="issue")


@router.get("/credentials", response_model=RegisterPageOut)
def get_register(
    issuer: IssuerDep,
    session: SessionDep,
    type: Annotated[str | None, Query(max_length=64)] = None,
    status: Literal["valid", "revoked", "suspended"] | None = None,
    issued_after: Instant | None = None,
    issued_before: Instant | None = None,
    limit: Annotated[int, Query(ge=1, le=ISSUER_REGISTER.max_items)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> RegisterPageOut:
    """The register of issued credentials, newest first (no claims)."""
    page = list_issued_credentials(
        session,
        issuer_id=issuer.id,
        type=type,
        status=status,
        issued_after=issued_after,
        issued_before=issued_before,
        limit=limit,
        cursor=cursor,
    )
    return RegisterPageOut.of(page)


@router.get("/credentials/{credential_id}", response_model=RegisterEntryOut)
def get_register_entry(
    credential_id: str, issuer: IssuerDep, session: SessionDep
) -> RegisterEntryOut:
    """One register entry."""
    entry = get_issued_credential(session, issuer_id=issuer.id, credential_id=credential_id)
    return RegisterEntryOut.of(entry)


@router.post("/credentials/{credential_id}/status", response_model=RegisterEntryOut)
def post_status(
    credential_id: str, body: StatusChangeIn, issuer: IssuerDep, session: SessionDep, kek: KEKDep
) -> RegisterEntryOut:
    """Revoke (final), suspend or reinstate a credential; published with the next list. The
    change and its ``reason`` join the credential's status history."""
    entry = change_credential_status(
        session,
        issuer_id=issuer.id,
        credential_id=credential_id,
        status=body.status,
        now=datetime.now(UTC),
        note=None if body.reason is None else StatusNote(reason=body.reason, changed_by=None),
        kek=kek,
    )
    return RegisterEntryOut.of(entry)
