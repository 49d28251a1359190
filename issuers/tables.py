"""SQLModel tables owned by ``issuers``.

Nothing personal is stored in the clear: the register keeps what a credential *is* (type, status
entry, digest, times), never its claims (only the subject's initial and family name, sealed, so
that staff find what to revoke: :mod:`issuers.register_subject`; and each status change's note,
sealed: :mod:`issuers.status_history`), and not the holder's key either: its thumbprint is the
wallet's key identifier too, so a copy of the database could join every wallet to the types,
issuers and revocations of its credentials. Status management does not need it, so it is not
stored. ``Idempotency-Key`` values are chosen by issuers and may name a person, so only their
keyed hash is kept. The two places that must keep a credential for a while (an idempotent replay
and a pickup code) keep it sealed under the KEK, as are the issuers' private keys. Every
uniqueness rule is a database constraint:

- ``issuer.slug`` is unique, and so is ``issuer_api_key.key_hash`` (an issuer has several named
  API keys, each stored as its SHA-256 only);
- ``issuer_key`` has one row per ``(issuer_id, kid)`` and at most one active key per issuer
  (a partial unique index on ``retired_at IS NULL``);
- ``issuer_status_entry`` has ``(list_id, idx)`` as its primary key, which is what makes status
  indices unique under concurrency (an index is never handed out twice, never reused);
- ``issuer_credential`` references its entry, and ``(list_id, idx)`` is unique there too;
- ``issuer_idempotency`` is unique per ``(issuer_id, key_hash)``; ``issuer_pickup`` per code hash.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel


def _utc(*, nullable: bool = False, index: bool = False) -> Any:
    """A timezone-aware timestamp column (SQLite hands back naive values: see ``times``)."""
    return Field(
        default=None if nullable else ...,
        sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index),
    )


class Issuer(SQLModel, table=True):
    """An issuing organisation (a school, an employer); ``disabled_at`` set stops its keys."""

    __tablename__ = "issuer"

    id: str = Field(primary_key=True, max_length=40)
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    created_at: datetime = _utc()
    disabled_at: datetime | None = _utc(nullable=True)


class IssuerApiKey(SQLModel, table=True):
    """One named API key of an issuer: its SHA-256, when it was made, last used and revoked."""

    __tablename__ = "issuer_api_key"

    id: str = Field(primary_key=True, max_length=40)
    issuer_id: str = Field(foreign_key="issuer.id", index=True, max_length=40)
    name: str = Field(max_length=100)
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _utc()
    last_used_at: datetime | None = _utc(nullable=True)
    revoked_at: datetime | None = _utc(nullable=True)


class IssuerAccreditation(SQLModel, table=True):
    """A credential type (by slug) an issuer is accredited to issue."""

    __tablename__ = "issuer_accreditation"

    issuer_id: str = Field(foreign_key="issuer.id", primary_key=True, max_length=40)
    type_slug: str = Field(primary_key=True, max_length=64)


class IssuerKey(SQLModel, table=True):
    """A signing key: the public JWK in the clear, the private JWK sealed under the KEK.

    The sealed value's associated data binds it to ``issuer_id`` and ``kid``: a row copied to
    another issuer (or relabelled) does not open.
    """

    __tablename__ = "issuer_key"
    __table_args__ = (
        UniqueConstraint("issuer_id", "kid", name="uq_issuer_key_kid"),
        Index(
            "uq_issuer_key_active",
            "issuer_id",
            unique=True,
            postgresql_where=text("retired_at IS NULL"),
            sqlite_where=text("retired_at IS NULL"),
        ),
    )

    id: str = Field(primary_key=True, max_length=40)
    issuer_id: str = Field(foreign_key="issuer.id", index=True, max_length=40)
    kid: str = Field(max_length=100)
    alg: str = Field(max_length=16)
    public_jwk: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    sealed_private: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = _utc()
    retired_at: datetime | None = _utc(nullable=True)


class IssuerStatusList(SQLModel, table=True):
    """One status list of an issuer: 2 bits per entry, packed as the IETF list is (lsb0).

    ``kind`` ``ietf`` lists back ``dc+sd-jwt`` credentials and are published as Token Status
    List tokens; ``w3c`` lists back ``vc+jwt`` credentials and are published as two
    BitstringStatusListCredentials (revocation, suspension) derived from the same entries.
    ``statuses`` is updated with each status change (and ``version`` bumped), so publishing
    never scans the register. ``allocated`` counts reserved entries against ``capacity``.
    """

    __tablename__ = "issuer_status_list"
    __table_args__ = (Index("ix_issuer_status_list_open", "issuer_id", "kind", "created_at"),)

    id: str = Field(primary_key=True, max_length=40)
    issuer_id: str = Field(foreign_key="issuer.id", max_length=40)
    kind: str = Field(max_length=8)
    size: int
    capacity: int
    allocated: int = 0
    version: int = 0
    statuses: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = _utc()


class IssuerStatusEntry(SQLModel, table=True):
    """A reserved index of a status list; the primary key makes each index unique."""

    __tablename__ = "issuer_status_entry"

    list_id: str = Field(foreign_key="issuer_status_list.id", primary_key=True, max_length=40)
    idx: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    reserved_at: datetime = _utc()


class IssuerCredential(SQLModel, table=True):
    """The register: one row per issued credential, without its claims."""

    __tablename__ = "issuer_credential"
    __table_args__ = (
        UniqueConstraint("list_id", "idx", name="uq_issuer_credential_status_entry"),
        ForeignKeyConstraint(
            ["list_id", "idx"], ["issuer_status_entry.list_id", "issuer_status_entry.idx"]
        ),
        Index("ix_issuer_credential_register", "issuer_id", "issued_at", "id"),
        Index("ix_issuer_credential_kid", "issuer_id", "kid", "expires_at"),
    )

    id: str = Field(primary_key=True, max_length=40)
    issuer_id: str = Field(foreign_key="issuer.id", max_length=40)
    type_slug: str = Field(max_length=64)
    vct: str = Field(max_length=300)
    format: str = Field(max_length=16)
    list_id: str = Field(max_length=40)
    idx: int
    status: str = Field(max_length=16)
    digest: str = Field(max_length=64)
    kid: str = Field(max_length=100)
    issued_at: datetime = _utc()
    expires_at: datetime | None = _utc(nullable=True)
    status_changed_at: datetime | None = _utc(nullable=True)
    sealed_subject: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class IssuerStatusChange(SQLModel, table=True):
    """One change of a credential's status: the new status, when, and a sealed note (who asked
    and why, as staff wrote it) that only the KEK opens."""

    __tablename__ = "issuer_status_change"
    __table_args__ = (Index("ix_issuer_status_change_credential", "credential_id", "changed_at"),)

    id: str = Field(primary_key=True, max_length=40)
    credential_id: str = Field(foreign_key="issuer_credential.id", max_length=40)
    status: str = Field(max_length=16)
    changed_at: datetime = _utc()
    sealed_note: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class IssuerIdempotency(SQLModel, table=True):
    """An ``Idempotency-Key`` of an issuer (its keyed hash), the request's fingerprint, the
    sealed response."""

    __tablename__ = "issuer_idempotency"
    __table_args__ = (
        UniqueConstraint("issuer_id", "key_hash", name="uq_issuer_idempotency_key_hash"),
    )

    id: str = Field(primary_key=True, max_length=40)
    issuer_id: str = Field(foreign_key="issuer.id", max_length=40)
    key_hash: str = Field(max_length=64)
    fingerprint: str = Field(max_length=64)
    sealed_response: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
    created_at: datetime = _utc()
    completed_at: datetime | None = _utc(nullable=True)


class IssuerPickup(SQLModel, table=True):
    """A one-time pickup code (stored as its SHA-256) for a credential, sealed until redeemed."""

    __tablename__ = "issuer_pickup"

    code_hash: str = Field(primary_key=True, max_length=64)
    credential_id: str = Field(foreign_key="issuer_credential.id", unique=True, max_length=40)
    sealed_credential: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
    expires_at: datetime = _utc(index=True)
    redeemed_at: datetime | None = _utc(nullable=True)


class IssuerOffer(SQLModel, table=True):
    """A credential offer: a checked request waiting for the holder's key (issuers.offers).

    The request (claims included) is sealed under a key derived from the offer code, which is
    stored only as a hash; ``credential_id`` names the register entry once it is redeemed.
    """

    __tablename__ = "issuer_offer"

    id: str = Field(primary_key=True, max_length=40)
    issuer_id: str = Field(foreign_key="issuer.id", index=True, max_length=40)
    type_slug: str = Field(max_length=64)
    format: str = Field(max_length=16)
    code_hash: str = Field(unique=True, max_length=64)
    sealed_request: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = _utc()
    expires_at: datetime = _utc(index=True)
    redeemed_at: datetime | None = _utc(nullable=True)
    credential_id: str | None = Field(
        default=None, foreign_key="issuer_credential.id", max_length=40, nullable=True
    )
    # OpenID4VCI 1.0 pre-authorized code grant (issuers.oid4vci): the request sealed a second
    # time under a key derived from the pre-authorized code, which is stored only as a hash, as
    # are the by-reference handle and the transaction code; tx_attempts counts wrong tx_codes.
    ref_hash: str | None = Field(default=None, unique=True, max_length=64, nullable=True)
    pre_authorized_hash: str | None = Field(default=None, unique=True, max_length=64, nullable=True)
    sealed_pre_authorized: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
    tx_code_hash: str | None = Field(default=None, max_length=64, nullable=True)
    tx_attempts: int = Field(default=0)
    pre_authorized_used_at: datetime | None = _utc(nullable=True)


class IssuerAccessToken(SQLModel, table=True):
    """An OpenID4VCI access token (issuers.access_tokens): its hash, its offer, the offered
    request sealed under a key derived from the token itself; single use, short-lived."""

    __tablename__ = "issuer_access_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    offer_id: str = Field(foreign_key="issuer_offer.id", index=True, max_length=40)
    issuer_id: str = Field(foreign_key="issuer.id", max_length=40)
    sealed_request: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    expires_at: datetime = _utc(index=True)
    used_at: datetime | None = _utc(nullable=True)
    dpop_jkt: str | None = Field(default=None, max_length=43)
    """The RFC 7638 thumbprint of the DPoP key the token is bound to (RFC 9449 §6), or None."""


class IssuerNonce(SQLModel, table=True):
    """An OpenID4VCI ``c_nonce`` (§7): its hash, its issuer and expiry; deleted when used."""

    __tablename__ = "issuer_nonce"

    nonce_hash: str = Field(primary_key=True, max_length=64)
    issuer_id: str = Field(foreign_key="issuer.id", max_length=40)
    expires_at: datetime = _utc(index=True)


class IssuerDPoPProof(SQLModel, table=True):
    """A DPoP proof already used (RFC 9449 §11.1 replay): a hash of its key and ``jti``, kept
    until no proof with that ``iat`` could be accepted any more (issuers.dpop)."""

    __tablename__ = "issuer_dpop_proof"

    jti_hash: str = Field(primary_key=True, max_length=64)
    issuer_id: str = Field(foreign_key="issuer.id", max_length=40)
    expires_at: datetime = _utc(index=True)


class IssuerState(SQLModel, table=True):
    """One row: the version of what verification reads from the issuers, new at every change.

    Written with every change a verifier of this instance must see at once (a status change, a
    key added or rotated, an issuer created); :mod:`issuers.state_version` reads and writes it.
    """

    __tablename__ = "issuer_state"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: str = Field(max_length=32)


class IssuerOpportunity(SQLModel, table=True):
    """A learning opportunity an educator publishes (public catalogue data, nothing personal)."""

    __tablename__ = "issuer_opportunity"

    id: str = Field(primary_key=True, max_length=40)
    issuer_id: str = Field(foreign_key="issuer.id", index=True, max_length=40)
    title: str = Field(max_length=200)
    provider: str = Field(max_length=200)
    description: str = Field(max_length=2000)
    eqf_level: int | None = None
    duration: str = Field(max_length=20)
    mode: str = Field(max_length=16)
    language: str = Field(max_length=8)
    link: str = Field(max_length=500)
    created_at: datetime = _utc()


class IssuerOpportunitySkill(SQLModel, table=True):
    """An ESCO skill an opportunity teaches; found by skill when a gap is read."""

    __tablename__ = "issuer_opportunity_skill"

    opportunity_id: str = Field(
        foreign_key="issuer_opportunity.id", primary_key=True, max_length=40
    )
    skill_uri: str = Field(primary_key=True, max_length=200, index=True)


class IssuerBatch(SQLModel, table=True):
    """A spreadsheet of credentials checked and waiting to be issued as offers (issuers.batches).

    The checked rows (claims included) and, as they are made, the results (pickup codes
    included) are sealed under the KEK; only the staff account that uploaded it (``owner``, an
    opaque account id) reads it, and it is purged when it expires.
    """

    __tablename__ = "issuer_batch"

    id: str = Field(primary_key=True, max_length=40)
    issuer_id: str = Field(foreign_key="issuer.id", index=True, max_length=40)
    owner: str = Field(max_length=40)
    type_slug: str = Field(max_length=64)
    state: str = Field(max_length=16)
    rows_total: int
    rows_good: int
    rows_done: int = Field(default=0)
    sealed_rows: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sealed_results: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    lease_until: datetime | None = _utc(nullable=True)
    """Until when the process issuing it holds it; a stopped process's lease runs out."""
    expires_at: datetime = _utc(index=True)
