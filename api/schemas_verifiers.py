"""Request and response models of the verifier and trust registry endpoints."""

from datetime import datetime
from typing import Any, Literal, Self

import segno
from pydantic import BaseModel, ConfigDict, Field

from verifiers.nonces import IssuedNonce
from verifiers.openid4vp import AuthorizationRequest
from verifiers.organisations import CreatedVerifier, VerifierInfo
from verifiers.presentation_requests import CreatedRequest, RequestState, ResponseMode
from verifiers.request_history import RequestPage, RequestSummary
from verifiers.trust_entries import KeySource, StoredTrustEntry, TrustEntry


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VerifierCreateIn(_In):
    slug: str = Field(min_length=1, max_length=64, examples=["acme-recruiting"])
    name: str = Field(min_length=1, max_length=200, examples=["Acme Recruiting Oy"])
    guidance: bool = Field(
        False, description="A guidance or employment service people may grant access to."
    )


class VerifierOut(BaseModel):
    id: str
    slug: str
    name: str
    client_id: str = Field(description="The audience of every presentation made to it.")
    created_at: datetime
    guidance: bool = False
    disabled_at: datetime | None = Field(None, description="Set: its API keys do not work.")

    @classmethod
    def of(cls, info: VerifierInfo) -> Self:
        return cls(
            id=info.id,
            slug=info.slug,
            name=info.name,
            client_id=info.client_id,
            created_at=info.created_at,
            guidance=info.guidance,
            disabled_at=info.disabled_at,
        )


class VerifierListOut(BaseModel):
    verifiers: list[VerifierOut]
    next_cursor: str | None = Field(
        default=None, description="Pass as ``cursor`` for the next page; absent on the last."
    )


class VerifierCreatedOut(BaseModel):
    verifier: VerifierOut
    api_key: str = Field(description="tvk_...; shown once, store it now.")

    @classmethod
    def of(cls, created: CreatedVerifier) -> Self:
        return cls(verifier=VerifierOut.of(created.verifier), api_key=created.api_key)


class TrustEntryIn(_In):
    identifier: str = Field(min_length=1, max_length=500)
    display_name: str = Field(min_length=1, max_length=200)
    key_source: KeySource
    vct_values: list[str] = Field(min_length=1, max_length=100)
    key_url: str | None = Field(None, max_length=1000)
    jwks: dict[str, Any] | None = None

    def entry(self) -> TrustEntry:
        return TrustEntry(
            identifier=self.identifier,
            display_name=self.display_name,
            key_source=self.key_source,
            vct_values=tuple(self.vct_values),
            key_url=self.key_url,
            jwks=self.jwks,
        )


class TrustEntryOut(BaseModel):
    identifier: str
    display_name: str
    key_source: KeySource
    vct_values: list[str]
    key_url: str | None
    jwks: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, stored: StoredTrustEntry) -> Self:
        entry = stored.entry
        return cls(
            identifier=entry.identifier,
            display_name=entry.display_name,
            key_source=entry.key_source,
            vct_values=list(entry.vct_values),
            key_url=entry.key_url,
            jwks=dict(entry.jwks) if entry.jwks is not None else None,
            created_at=stored.created_at,
            updated_at=stored.updated_at,
        )


class TrustListOut(BaseModel):
    trusted_issuers: list[TrustEntryOut]
    next_cursor: str | None = Field(
        default=None, description="Pass as ``cursor`` for the next page; absent on the last."
    )


class RequestCreateIn(_In):
    dcql_query: dict[str, Any] | None = Field(
        None, description="A DCQL query (OpenID4VP 1.0 §6, Taito's subset)."
    )
    credentials: list[Any] | None = Field(
        None,
        description="The convenience form: [{type, claims: [path | {path, min, max, values, "
        "required} | {has_skill}]}], expanded to DCQL.",
    )
    purpose: str = Field(min_length=1, max_length=500, description="Why, in plain language.")
    expires_in: int = Field(900, ge=60, le=30 * 24 * 3600, description="Seconds (1 min-30 days).")
    response_mode: ResponseMode = Field(
        "direct_post",
        description=(
            "How an OpenID4VP wallet answers: direct_post, or direct_post.jwt (the response"
            " encrypted to a key of this request, ECDH-ES P-256; OpenID4VP 1.0 §8.3.1, HAIP)."
        ),
    )


class RequestCreatedOut(BaseModel):
    id: str
    nonce: str
    audience: str
    link: str = Field(description="The link the person opens in their wallet.")
    purpose: str
    dcql_query: dict[str, Any]
    created_at: datetime
    expires_at: datetime
    response_mode: ResponseMode = Field(
        "direct_post", description="How an OpenID4VP wallet answers this request."
    )
    client_id: str | None = Field(
        None,
        description=(
            "OpenID4VP Client Identifier (x509_hash:...): the audience of presentations any"
            " wallet posts to response_uri. Absent when no OpenID4VP certificate is configured."
        ),
    )
    authorization_request_uri: str | None = Field(
        None,
        description="openid4vp://?client_id=...&request_uri=...: the link any wallet opens.",
    )
    request_uri: str | None = Field(None, description="Where wallets fetch the Request Object.")
    response_uri: str | None = Field(None, description="Where wallets post the vp_token.")
    qr_svg: str | None = Field(
        None, description="authorization_request_uri as an SVG QR code, for a phone wallet."
    )

    @classmethod
    def of(cls, created: CreatedRequest, openid4vp: AuthorizationRequest | None = None) -> Self:
        extra: dict[str, Any] = {}
        if openid4vp is not None:
            extra = {
                "client_id": openid4vp.client_id,
                "authorization_request_uri": openid4vp.uri,
                "request_uri": openid4vp.request_uri,
                "response_uri": openid4vp.response_uri,
                "qr_svg": segno.make(openid4vp.uri, error="m").svg_inline(scale=4, border=2),
            }
        return cls(
            id=created.id,
            nonce=created.nonce,
            audience=created.audience,
            link=created.link,
            purpose=created.purpose,
            dcql_query=created.query,
            created_at=created.created_at,
            expires_at=created.expires_at,
            response_mode=created.response_mode,
            **extra,
        )


class CheckOut(BaseModel):
    check: str
    outcome: Literal["passed", "failed", "not_applicable"]
    code: str | None
    reason: str | None


class LabelledClaimOut(BaseModel):
    path: list[str | int]
    label: str
    value: Any


class PresentationReportOut(BaseModel):
    query_id: str | None
    verified: bool
    format: str
    issuer: str | None
    issuer_name: str | None
    vct: str | None
    type_name: str | None
    checks: list[CheckOut]
    claims: dict[str, Any]
    labelled_claims: list[LabelledClaimOut]


class ReportOut(BaseModel):
    verified: bool
    language: Literal["fi", "sv", "en"]
    audience: str
    request_id: str | None
    checks: list[CheckOut]
    presentations: list[PresentationReportOut]


class RequestStateOut(BaseModel):
    id: str
    status: Literal["pending", "verified", "rejected", "expired"]
    purpose: str
    dcql_query: dict[str, Any]
    audience: str
    link: str
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    outcome: ReportOut | None

    @classmethod
    def of(cls, state: RequestState) -> Self:
        return cls(
            id=state.id,
            status=state.status,
            purpose=state.purpose,
            dcql_query=state.query,
            audience=state.audience,
            link=state.link,
            created_at=state.created_at,
            expires_at=state.expires_at,
            answered_at=state.answered_at,
            outcome=ReportOut.model_validate(state.outcome) if state.outcome else None,
        )


class RequestSummaryOut(BaseModel):
    id: str
    status: Literal["pending", "verified", "rejected", "expired"]
    purpose: str
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None

    @classmethod
    def of(cls, summary: RequestSummary) -> Self:
        return cls(
            id=summary.id,
            status=summary.status,
            purpose=summary.purpose,
            created_at=summary.created_at,
            expires_at=summary.expires_at,
            answered_at=summary.answered_at,
        )


class RequestPageOut(BaseModel):
    items: list[RequestSummaryOut]
    next_cursor: str | None = Field(description="Give it as ?cursor= for the next page.")

    @classmethod
    def of(cls, page: RequestPage) -> Self:
        return cls(
            items=[RequestSummaryOut.of(item) for item in page.items], next_cursor=page.next_cursor
        )


class NonceOut(BaseModel):
    nonce: str
    audience: str
    expires_at: datetime

    @classmethod
    def of(cls, issued: IssuedNonce) -> Self:
        return cls(nonce=issued.nonce, audience=issued.audience, expires_at=issued.expires_at)


class VerificationIn(_In):
    request_id: str | None = Field(None, max_length=40)
    nonce: str | None = Field(None, max_length=64)
    audience: str | None = Field(None, max_length=500)
    vp_token: dict[str, Any] | None = Field(
        None, description="OpenID4VP vp_token: credential query id -> [presentation]."
    )
    presentations: list[Any] | None = Field(None, max_length=20)
