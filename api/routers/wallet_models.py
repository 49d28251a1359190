"""Request and response models of the wallet API (next to its routers)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.fields import ArrayIndex, Instant

PathPart = str | ArrayIndex | None
JSON = Any  # a JSON value at the edge


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- accounts ---------------------------------------------------------------------------------


class Credentials(Strict):
    username: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class RefreshIn(Strict):
    refresh_token: str = Field(min_length=1, max_length=200)


class PasswordChangeIn(Strict):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    refresh_expires_in: int


# --- holding ----------------------------------------------------------------------------------


class BindingOut(BaseModel):
    kid: str
    alg: str
    jwk: dict[str, JSON]
    did: str
    verification_method: str


class ReceiveIn(Strict):
    credential: str = Field(min_length=1, max_length=256 * 1024)


class PickupIn(Strict):
    code: str = Field(min_length=1, max_length=200)


class CredentialOut(BaseModel):
    id: str
    format: str
    type: str | None
    vct: str
    type_name: str
    issuer: str
    issuer_name: str | None
    title: str | None
    received_at: datetime
    valid_until: datetime | None


class CredentialListOut(BaseModel):
    credentials: list[CredentialOut]
    next_cursor: str | None = Field(
        default=None, description="Pass as ``cursor`` for the next page; absent on the last."
    )


class ClaimOut(BaseModel):
    path: list[str | int]
    label: str | None
    value: JSON


class LiveStatusOut(BaseModel):
    state: Literal["valid", "invalid", "unchecked"]
    code: str | None
    reason: str | None


class CredentialDetailOut(BaseModel):
    credential: CredentialOut
    valid_from: datetime | None
    claims: list[ClaimOut]
    live_status: LiveStatusOut


# --- skills -----------------------------------------------------------------------------------


class SkillLevelOut(BaseModel):
    level: str
    scale: str | None
    description: str | None


class AttestationOut(BaseModel):
    credential_id: str
    type_name: str
    issuer_name: str | None
    title: str | None
    level: SkillLevelOut | None


class ProfileSkillOut(BaseModel):
    uri: str
    label: str
    labels_in_credentials: list[str]
    verified: bool
    self_declared: bool
    marker: str
    best_level: SkillLevelOut | None
    declared_level: str | None
    attested_by: list[AttestationOut]


class ProfileOut(BaseModel):
    lang: str
    skills: list[ProfileSkillOut]


class SkillIn(Strict):
    uri: str = Field(min_length=1, max_length=200)
    level: str | None = Field(default=None, max_length=100)


class DeclaredSkillOut(BaseModel):
    id: str
    uri: str
    label: str
    level: str | None
    declared_at: datetime
    self_declared: Literal[True] = True


class DeclaredSkillListOut(BaseModel):
    skills: list[DeclaredSkillOut]


# --- shares -----------------------------------------------------------------------------------


class ShareItemIn(Strict):
    credential_id: str = Field(min_length=1, max_length=40)
    claims: list[list[PathPart]] = Field(min_length=1, max_length=200)


class ShareIn(Strict):
    credentials: list[ShareItemIn] = Field(min_length=1, max_length=20)
    audience: str = Field(
        min_length=1,
        max_length=500,
        description='"anyone" (anyone with the link) or a verifier\'s client identifier',
    )
    purpose: str = Field(min_length=1, max_length=500)
    expires_at: Instant | None = None
    max_views: int | None = Field(default=None, ge=1, le=100_000)


class PreviewItemOut(BaseModel):
    credential_id: str
    type_name: str
    issuer_name: str | None
    title: str | None
    disclosure_count: int
    claims: list[ClaimOut]


class SharePreviewOut(BaseModel):
    audience: str
    audience_kind: Literal["verifier", "anyone", "outside_verifier"]
    opens_for: str = Field(description="Who can open the share, in plain words.")
    purpose: str
    expires_at: datetime
    max_views: int | None
    items: list[PreviewItemOut]


class ShareCreatedOut(BaseModel):
    id: str
    url: str = Field(description="The link, shown only now: only its hash is kept.")
    expires_at: datetime
    preview: SharePreviewOut


class SharedItemOut(BaseModel):
    credential_id: str
    claims: list[list[PathPart]]


class ShareOut(BaseModel):
    id: str
    status: Literal["active", "withdrawn", "expired", "used_up"]
    audience: str
    audience_kind: Literal["verifier", "anyone", "outside_verifier"]
    opens_for: str = Field(description="Who can open the share, in plain words.")
    purpose: str
    created_at: datetime
    expires_at: datetime
    withdrawn_at: datetime | None
    max_views: int | None
    view_count: int
    unlisted_views: int = Field(
        description="Views counted but not yet in the activity log: after a share's first 10 "
        "views, its views are logged together, at most once a day."
    )
    unlisted_since: datetime | None = Field(description="When the first of those views was.")
    items: list[SharedItemOut]


class ShareListOut(BaseModel):
    shares: list[ShareOut]
    next_cursor: str | None = Field(
        default=None, description="Pass as ``cursor`` for the next page; absent on the last."
    )


# --- requests ---------------------------------------------------------------------------------


class AskedClaimOut(BaseModel):
    id: str
    path: list[PathPart]
    label: str | None
    values: list[JSON] | None


class CandidateClaimOut(BaseModel):
    id: str
    revealed: list[ClaimOut]


class CandidateOut(BaseModel):
    credential_id: str
    type_name: str
    issuer_name: str | None
    title: str | None
    claims: list[CandidateClaimOut]


class QueryMatchOut(BaseModel):
    query_id: str
    multiple: bool
    asked: list[AskedClaimOut]
    candidates: list[CandidateOut]


class RequestMatchOut(BaseModel):
    request_id: str
    audience: str
    verifier_name: str | None
    purpose: str
    expires_at: datetime
    satisfiable: bool
    queries: list[QueryMatchOut]


class ApprovalIn(Strict):
    query_id: str = Field(min_length=1, max_length=64)
    credential_id: str = Field(min_length=1, max_length=40)
    claim_ids: list[str] = Field(max_length=100)


class AnswerIn(Strict):
    approvals: list[ApprovalIn] = Field(max_length=20)


class AnswerOut(BaseModel):
    request_id: str
    declined: bool
    outcome: dict[str, JSON] | None


# --- activity and portability -----------------------------------------------------------------


class ActivityEntryOut(BaseModel):
    seq: int
    kind: str
    occurred_at: datetime
    details: dict[str, JSON]


class ActivityOut(BaseModel):
    entries: list[ActivityEntryOut]
    next_before: int | None = Field(
        default=None, description="Pass as ``before`` for the next page; absent on the last."
    )


class ImportRejectionOut(BaseModel):
    index: int
    code: str
    reason: str


class PasswordConfirmationIn(Strict):
    password: str = Field(
        min_length=1,
        max_length=1024,
        description="Your password again: an access token alone cannot do this.",
    )


class ExportIn(PasswordConfirmationIn):
    passphrase: str = Field(
        min_length=1,
        max_length=1024,
        description="12 or more characters, not your password: the export is encrypted under it"
        " (Argon2id and AES-256-GCM) and can be imported only with it.",
    )


class ExportKDFOut(BaseModel):
    name: Literal["argon2id"]
    salt: str = Field(description="base64url, 16 random bytes")
    iterations: int
    lanes: int
    memory_kib: int


class ExportCipherOut(BaseModel):
    name: Literal["A256GCM"]
    nonce: str = Field(description="base64url, 12 random bytes")


class ExportEnvelopeOut(BaseModel):
    """The wallet export, encrypted: Argon2id of the passphrase keys AES-256-GCM."""

    format: Literal["taito-wallet-export-encrypted"]
    version: Literal[1]
    kdf: ExportKDFOut
    cipher: ExportCipherOut
    ciphertext: str = Field(description="base64url; the header above is the associated data")


class ImportIn(Strict):
    passphrase: str = Field(min_length=1, max_length=1024)
    export: dict[str, Any] = Field(description="The encrypted export, exactly as exported.")


class ImportReportOut(BaseModel):
    imported: int
    duplicates: int
    keys_added: int
    rejected: list[ImportRejectionOut]


class ErasureOut(BaseModel):
    erased_at: datetime
    credentials: int
    shares: int
