"""Conversions from the wallet's result dataclasses to the API's response models."""

from fastapi import Response
from pydantic import TypeAdapter

from api.routers.wallet_models import (
    ClaimOut,
    CredentialDetailOut,
    CredentialOut,
    LiveStatusOut,
    PreviewItemOut,
    SharedItemOut,
    ShareOut,
    SharePreviewOut,
)
from wallet.claims import ClaimRow
from wallet.credentials import CredentialDetail, CredentialSummary
from wallet.profile import SkillsProfile
from wallet.shares.creation import SharePreview
from wallet.shares.records import ShareSummary


def claim_out(row: ClaimRow) -> ClaimOut:
    return ClaimOut(path=list(row.path), label=row.label, value=row.value)


def credential_out(summary: CredentialSummary) -> CredentialOut:
    return CredentialOut(
        id=summary.id,
        format=summary.format,
        type=summary.type_slug,
        vct=summary.vct,
        type_name=summary.type_name,
        issuer=summary.issuer,
        issuer_name=summary.issuer_name,
        title=summary.title,
        received_at=summary.received_at,
        valid_until=summary.valid_until,
    )


def detail_out(detail: CredentialDetail) -> CredentialDetailOut:
    return CredentialDetailOut(
        credential=credential_out(detail.summary),
        valid_from=detail.valid_from,
        claims=[claim_out(row) for row in detail.claims],
        live_status=LiveStatusOut(
            state=detail.live_status.state,
            code=detail.live_status.code,
            reason=detail.live_status.reason,
        ),
    )


def preview_out(preview: SharePreview) -> SharePreviewOut:
    return SharePreviewOut(
        audience=preview.audience,
        audience_kind=preview.audience_kind,
        opens_for=preview.opens_for,
        purpose=preview.purpose,
        expires_at=preview.expires_at,
        max_views=preview.max_views,
        items=[
            PreviewItemOut(
                credential_id=item.credential_id,
                type_name=item.type_name,
                issuer_name=item.issuer_name,
                title=item.title,
                disclosure_count=item.disclosure_count,
                claims=[claim_out(row) for row in item.claims],
            )
            for item in preview.items
        ],
    )


def share_out(share: ShareSummary) -> ShareOut:
    return ShareOut(
        id=share.id,
        status=share.status,
        audience=share.audience,
        audience_kind=share.audience_kind,
        opens_for=share.opens_for,
        purpose=share.purpose,
        created_at=share.created_at,
        expires_at=share.expires_at,
        withdrawn_at=share.withdrawn_at,
        max_views=share.max_views,
        view_count=share.view_count,
        unlisted_views=share.unlisted_views,
        unlisted_since=share.unlisted_since,
        items=[
            SharedItemOut(credential_id=item.credential_id, claims=[list(p) for p in item.claims])
            for item in share.items
        ],
    )


_PROFILE_JSON = TypeAdapter(SkillsProfile)


def profile_response(profile: SkillsProfile) -> Response:
    """The profile as the JSON of :class:`~api.routers.wallet_models.ProfileOut`, serialized
    straight from the dataclasses: converting thousands of attestations to response models and
    validating them again costs ten times as much (a test keeps the two identical)."""
    return Response(content=_PROFILE_JSON.dump_json(profile), media_type="application/json")
