"""Grants to guidance organisations and consent receipts: ``/v1/wallet/grants`` (issue 16).

A person grants a guidance or employment service access to their skills profile (with the gaps
to their goal occupations) and/or chosen credentials, for a purpose and a period (default 3
months, at most 1 year), after agreeing to the versioned consent text
(``GET /v1/wallet/grants/terms``). Withdrawal (``DELETE``) is immediate. Every grant and share
has a consent receipt (``GET /v1/wallet/consent-receipts``).
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.deps import KEKDep, SessionDep, SettingsDep
from api.edge import StrictRoute
from api.flows.grant_access import GrantRequest, grant_access, organisations_to_grant
from api.language import LanguageDep
from api.routers.wallet_deps import CurrentHolder, NowDep
from wallet.consent import GRANT_CONSENT, list_receipts
from wallet.grants import (
    MAX_GRANT_CREDENTIALS,
    MAX_LABEL_CHARS,
    MAX_PURPOSE_CHARS,
    Grant,
    list_grants,
)
from wallet.grants import withdraw_grant as withdraw

router = APIRouter(tags=["wallet", "wallet grants"], route_class=StrictRoute)


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: str = Field(min_length=1, max_length=64, description="The service's slug.")
    purpose: str = Field(min_length=1, max_length=MAX_PURPOSE_CHARS)
    profile: bool = Field(description="The skills profile and the gaps to your goals.")
    credential_ids: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=MAX_GRANT_CREDENTIALS
    )
    expires_at: AwareDatetime | None = Field(None, description="Default 3 months; at most 1 year.")
    consent_version: str = Field(max_length=40, description="The version of the text agreed to.")
    label: str = Field(
        "",
        max_length=MAX_LABEL_CHARS,
        description="How the service knows you, such as your name (optional).",
    )


class GrantOut(BaseModel):
    id: str
    organisation: str
    organisation_name: str
    purpose: str
    profile: bool
    credential_ids: list[str]
    created_at: datetime
    expires_at: datetime
    withdrawn_at: datetime | None
    consent_version: str
    state: str
    label: str


class GrantListOut(BaseModel):
    grants: list[GrantOut]


class TermsOut(BaseModel):
    version: str
    text: str


class OrganisationOut(BaseModel):
    slug: str
    name: str


class OrganisationListOut(BaseModel):
    organisations: list[OrganisationOut]


class ReceiptOut(BaseModel):
    id: str
    kind: str
    created_at: datetime
    subject_id: str
    recipient: str
    purpose: str
    what: dict[str, Any]
    valid_from: datetime
    valid_until: datetime
    consent_version: str


class ReceiptListOut(BaseModel):
    receipts: list[ReceiptOut]


def grant_out(grant: Grant) -> GrantOut:
    return GrantOut(
        id=grant.id,
        organisation=grant.grantee.slug,
        organisation_name=grant.grantee.name,
        purpose=grant.purpose,
        profile=grant.profile,
        credential_ids=list(grant.credential_ids),
        created_at=grant.created_at,
        expires_at=grant.expires_at,
        withdrawn_at=grant.withdrawn_at,
        consent_version=grant.consent_version,
        state=grant.state,
        label=grant.label,
    )


@router.get("/v1/wallet/grants/terms", response_model=TermsOut)
def get_terms(_holder: CurrentHolder, lang: LanguageDep) -> TermsOut:
    """The consent text a grant agrees to, in your language, and its version."""
    return TermsOut(version=GRANT_CONSENT.version, text=GRANT_CONSENT.text(lang))


@router.get("/v1/wallet/grants/organisations", response_model=OrganisationListOut)
def get_organisations(
    _holder: CurrentHolder, session: SessionDep, settings: SettingsDep
) -> OrganisationListOut:
    """The guidance and employment services you may grant access to."""
    found = organisations_to_grant(session, base_url=settings.base_url)
    return OrganisationListOut(
        organisations=[OrganisationOut(slug=o.slug, name=o.name) for o in found]
    )


@router.post("/v1/wallet/grants", status_code=status.HTTP_201_CREATED, response_model=GrantOut)
def post_grant(
    body: GrantIn,
    holder: CurrentHolder,
    session: SessionDep,
    kek: KEKDep,
    settings: SettingsDep,
    now: NowDep,
) -> GrantOut:
    """Grant a guidance organisation access; a consent receipt is kept."""
    request = GrantRequest(
        organisation=body.organisation,
        purpose=body.purpose,
        profile=body.profile,
        credential_ids=tuple(body.credential_ids),
        consent_version=body.consent_version,
        expires_at=body.expires_at,
        label=body.label,
    )
    grant = grant_access(
        session, holder_id=holder, request=request, kek=kek, base_url=settings.base_url, now=now
    )
    return grant_out(grant)


@router.get("/v1/wallet/grants", response_model=GrantListOut)
def get_grants(
    holder: CurrentHolder, session: SessionDep, kek: KEKDep, now: NowDep
) -> GrantListOut:
    """Your grants, newest first: who may see what, until when, and whether still active."""
    return GrantListOut(
        grants=[grant_out(g) for g in list_grants(session, holder_id=holder, kek=kek, now=now)]
    )


@router.delete("/v1/wallet/grants/{grant_id}", status_code=204)
def delete_grant(
    grant_id: Annotated[str, Path(max_length=40)],
    holder: CurrentHolder,
    session: SessionDep,
    kek: KEKDep,
    now: NowDep,
) -> None:
    """Withdraw a grant; the organisation's next read is refused."""
    withdraw(session, holder_id=holder, grant_id=grant_id, kek=kek, now=now)


@router.get("/v1/wallet/consent-receipts", response_model=ReceiptListOut)
def get_receipts(holder: CurrentHolder, session: SessionDep, kek: KEKDep) -> ReceiptListOut:
    """The consent receipt of every grant and share, newest first."""
    return ReceiptListOut(
        receipts=[
            ReceiptOut.model_validate(r.to_json())
            for r in list_receipts(session, holder_id=holder, kek=kek)
        ]
    )
