"""Request and response models of the issuer API (``/v1/issuers``, ``/v1/admin/issuers``).

They mirror the dataclasses of :mod:`issuers`; conversion functions live here too so that the
routers stay one call each.
"""

from datetime import datetime
from typing import Any, Literal

import segno
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.fields import ArrayIndex, DurationSeconds, Instant
from issuers.batch import BatchResult, InvalidItem
from issuers.custody import KeyInfo
from issuers.errors import Violation
from issuers.issuance import IssuedCredential
from issuers.issuance_input import CredentialRequest, HolderBinding
from issuers.offers import CredentialOffer
from issuers.oid4vci import OfferLinks
from issuers.organisations import IssuerAccount
from issuers.register import RegisterEntry, RegisterPage

PathIn = str | list[str | ArrayIndex | None]


class HolderIn(BaseModel):
    """The holder's key: a public JWK, or a did:jwk / did:key. Give exactly one."""

    model_config = ConfigDict(extra="forbid")

    jwk: dict[str, Any] | None = None
    did: str | None = Field(None, max_length=4096)


class CredentialIn(BaseModel):
    """``POST /v1/issuers/{slug}/credentials``."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(max_length=64, description="Credential type slug, e.g. qualification.")
    claims: dict[str, Any]
    holder: HolderIn | None = Field(
        None,
        description=(
            "The holder's key. Without it the answer is a credential offer: a pickup code the"
            " person redeems in their wallet, which binds the credential to the wallet's key"
            " and signs it then."
        ),
    )
    format: Literal["dc+sd-jwt", "vc+jwt"] = "dc+sd-jwt"
    valid_until: Instant | None = None
    expires_in: DurationSeconds | None = Field(
        None, description="Seconds until the credential expires."
    )
    disclosable: list[PathIn] | None = Field(
        None,
        max_length=200,
        description="Selectively disclosable claim paths (dc+sd-jwt); default from the type.",
    )

    def to_request(self) -> CredentialRequest:
        return CredentialRequest(
            type=self.type,
            claims=self.claims,
            holder=None
            if self.holder is None
            else HolderBinding(jwk=self.holder.jwk, did=self.holder.did),
            format=self.format,
            valid_until=self.valid_until,
            expires_in=self.expires_in,
            disclosable=None
            if self.disclosable is None
            else tuple(p if isinstance(p, str) else tuple(p) for p in self.disclosable),
        )


class OfferIn(BaseModel):
    """``POST /v1/issuers/{slug}/offers``: one issuance without a holder key (``dc+sd-jwt``)."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(max_length=64, description="Credential type slug, e.g. qualification.")
    claims: dict[str, Any]
    valid_until: Instant | None = None
    expires_in: DurationSeconds | None = Field(
        None, description="Seconds until the credential expires."
    )
    disclosable: list[PathIn] | None = Field(
        None,
        max_length=200,
        description="Selectively disclosable claim paths; default from the type.",
    )

    def to_request(self) -> CredentialRequest:
        return CredentialIn(
            type=self.type,
            claims=self.claims,
            valid_until=self.valid_until,
            expires_in=self.expires_in,
            disclosable=self.disclosable,
        ).to_request()


class OpenIDOfferOut(BaseModel):
    """An OpenID4VCI credential offer: for any conformant wallet, or Taito's by its pickup code."""

    id: str
    type: str
    vct: str
    credential_offer_uri: str = Field(description="The Credential Offer by reference (§4.1.3).")
    offer_link: str = Field(description="openid-credential-offer://?credential_offer_uri=...")
    offer_qr_svg: str = Field(description="The offer link as an SVG QR code.")
    credential_offer: dict[str, Any] = Field(description="The Credential Offer by value.")
    tx_code: str = Field(description="Send it to the person by another channel; shown once.")
    pickup_code: str = Field(description="The same offer for Taito's wallet; shown once.")
    pickup_url: str
    created_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, offer: CredentialOffer, links: OfferLinks, *, base_url: str) -> "OpenIDOfferOut":
        assert offer.tx_code is not None
        qr = segno.make(links.offer_link, error="m")
        return cls(
            id=offer.id,
            type=offer.type,
            vct=offer.vct,
            credential_offer_uri=links.credential_offer_uri,
            offer_link=links.offer_link,
            offer_qr_svg=qr.svg_inline(scale=4, border=2, title="Credential offer"),
            credential_offer=links.credential_offer,
            tx_code=offer.tx_code,
            pickup_code=offer.pickup_code,
            pickup_url=f"{base_url.rstrip('/')}/wallet/receive?code={offer.pickup_code}",
            created_at=offer.created_at,
            expires_at=offer.expires_at,
        )


class BatchIn(BaseModel):
    """``POST /v1/issuers/{slug}/credentials/batch``: each item is parsed on its own."""

    model_config = ConfigDict(extra="forbid")

    items: list[dict[str, Any]] = Field(min_length=1, max_length=1000)

    def to_requests(self) -> list[CredentialRequest | InvalidItem]:
        parsed: list[CredentialRequest | InvalidItem] = []
        for item in self.items:
            try:
                parsed.append(CredentialIn.model_validate(item).to_request())
            except ValidationError as error:
                violations = tuple(
                    Violation(_pointer(e.get("loc", ())), str(e.get("msg", "invalid")))
                    for e in error.errors()[:100]
                )
                parsed.append(InvalidItem(raw=item, violations=violations))
        return parsed


def _pointer(location: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in location)


class StatusReferenceOut(BaseModel):
    """IETF Token Status List reference (``status.status_list`` of the credential)."""

    idx: int
    uri: str


class CredentialOfferOut(BaseModel):
    """A credential offer: nothing is signed until the person redeems ``pickup_code``."""

    id: str
    offer: Literal[True] = True
    type: str
    vct: str
    format: Literal["dc+sd-jwt", "vc+jwt"]
    pickup_code: str = Field(description="Shown only now; case, spaces and dashes do not matter.")
    pickup_url: str = Field(description="The wallet page that fills the code in (for a QR code).")
    created_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, offer: CredentialOffer, *, base_url: str) -> "CredentialOfferOut":
        return cls(
            id=offer.id,
            type=offer.type,
            vct=offer.vct,
            format="vc+jwt" if offer.format == "vc+jwt" else "dc+sd-jwt",
            pickup_code=offer.pickup_code,
            pickup_url=f"{base_url.rstrip('/')}/wallet/receive?code={offer.pickup_code}",
            created_at=offer.created_at,
            expires_at=offer.expires_at,
        )


class IssuedCredentialOut(BaseModel):
    id: str
    type: str
    vct: str
    format: Literal["dc+sd-jwt", "vc+jwt"]
    credential: str
    status: StatusReferenceOut | None
    credential_status: list[dict[str, Any]] | None = Field(serialization_alias="credentialStatus")
    pickup_code: str
    issued_at: datetime
    expires_at: datetime | None

    @classmethod
    def of(cls, issued: IssuedCredential) -> "IssuedCredentialOut":
        return cls(
            id=issued.id,
            type=issued.type,
            vct=issued.vct,
            format=issued.format,
            credential=issued.credential,
            status=None if issued.status is None else StatusReferenceOut(**issued.status),
            credential_status=None
            if issued.credential_status is None
            else list(issued.credential_status),
            pickup_code=issued.pickup_code,
            issued_at=issued.issued_at,
            expires_at=issued.expires_at,
        )


class BatchItemOut(BaseModel):
    index: int
    credential: IssuedCredentialOut | None
    problem: dict[str, Any] | None


class BatchOut(BaseModel):
    issued: int
    failed: int
    items: list[BatchItemOut]

    @classmethod
    def of(cls, result: BatchResult) -> "BatchOut":
        return cls(
            issued=result.issued,
            failed=result.failed,
            items=[
                BatchItemOut(
                    index=item.index,
                    credential=None
                    if item.credential is None
                    else IssuedCredentialOut.of(item.credential),
                    problem=item.problem,
                )
                for item in result.items
            ],
        )


class RegisterEntryOut(BaseModel):
    """A register entry: no claims, only what the issuer keeps."""

    id: str
    type: str
    vct: str
    format: str
    status: Literal["valid", "revoked", "suspended"]
    status_list_id: str
    status_index: int
    digest: str = Field(description="SHA-256 (hex) of the credential as issued.")
    kid: str
    issued_at: datetime
    expires_at: datetime | None
    status_changed_at: datetime | None

    @classmethod
    def of(cls, entry: RegisterEntry) -> "RegisterEntryOut":
        return cls.model_validate(entry, from_attributes=True)


class RegisterPageOut(BaseModel):
    items: list[RegisterEntryOut]
    next_cursor: str | None

    @classmethod
    def of(cls, page: RegisterPage) -> "RegisterPageOut":
        return cls(items=[RegisterEntryOut.of(e) for e in page.items], next_cursor=page.next_cursor)


class StatusChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["valid", "revoked", "suspended"]
    reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="Why: kept, sealed, in the credential's status history.",
    )


class KeyOut(BaseModel):
    kid: str
    alg: str
    public_jwk: dict[str, str]
    created_at: datetime
    retired_at: datetime | None

    @classmethod
    def of(cls, key: KeyInfo) -> "KeyOut":
        return cls.model_validate(key, from_attributes=True)


class IssuerOut(BaseModel):
    id: str
    slug: str
    name: str
    types: list[str]
    identifier: str
    did: str
    created_at: datetime
    disabled_at: datetime | None = Field(None, description="Set: its API keys do not work.")

    @classmethod
    def of(cls, account: IssuerAccount, *, identifier: str, did: str) -> "IssuerOut":
        return cls(
            id=account.id,
            slug=account.slug,
            name=account.name,
            types=list(account.types),
            identifier=identifier,
            did=did,
            created_at=account.created_at,
            disabled_at=account.disabled_at,
        )


class IssuerListOut(BaseModel):
    issuers: list[IssuerOut]
    next_cursor: str | None = Field(
        default=None, description="Pass as ``cursor`` for the next page; absent on the last."
    )


class IssuerCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    slug: str = Field(min_length=1, max_length=64)
    types: list[str] = Field(min_length=1, max_length=20)
    alg: Literal["EdDSA", "ES256"] = "EdDSA"


class IssuerCreatedOut(BaseModel):
    issuer: IssuerOut
    api_key: str = Field(description="Shown once; store it safely.")
    key: KeyOut


class KeyRotateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    alg: Literal["EdDSA", "ES256"] = "EdDSA"
