"""SQLModel tables owned by ``wallet``.

What a copy of these tables reveals, by design (docs/security.md, data at rest): row counts,
timestamps, share expiry and view counters, and the kind of each activity entry. Everything
personal is sealed
(AES-256-GCM) under the holder's data key, itself sealed under the key-encryption key: the
username, every credential (its text, claims, type, issuer and search index), the skills a person
declares, each share's audience, purpose and presentations, and the details of every activity
entry. Even the credential type and issuer are sealed: which credentials someone holds (a nursing
degree, a first-aid card) is itself personal data, and filtering a few thousand small sealed
indexes per request in Python is fast enough. Lookups that must work without the data key use
keyed hashes: the login lookup (HMAC under a key derived from the KEK), credential and skill
fingerprints (HMAC under a key derived from the holder's data key) and token hashes (SHA-256 of
256- or 128-bit random secrets).
"""

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, LargeBinary, UniqueConstraint
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from credentials.encoding import JSONValue


def _when(*, nullable: bool = False, index: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


def _sealed() -> Column:  # type: ignore[type-arg]
    return Column(LargeBinary, nullable=False)


class WalletHolder(SQLModel, table=True):
    """A person's wallet account; the head of their activity chain lives here too."""

    __tablename__ = "wallet_holder"

    id: str = Field(primary_key=True, max_length=40)
    login_lookup: str = Field(max_length=64, unique=True)
    password_hash: str | None = Field(default=None, max_length=512)
    sealed_data_key: bytes = Field(sa_column=_sealed())
    sealed_profile: bytes = Field(sa_column=_sealed())
    created_at: datetime = Field(sa_column=_when())
    activity_seq: int = 0
    activity_head: str = Field(max_length=64)


class WalletLoginThrottle(SQLModel, table=True):
    """Recent failed logins (or registrations) counted under a keyed hash of who and where from.

    The key is an HMAC under a key of its own, so a row cannot be linked to a holder's
    ``login_lookup`` nor read back as a username or an IP address (wallet.login_throttle).
    """

    __tablename__ = "wallet_login_throttle"

    key: str = Field(primary_key=True, max_length=80)
    events: int = 0
    last_at: datetime = Field(sa_column=_when(index=True))


class WalletTokenFamily(SQLModel, table=True):
    """One login session: every access and refresh token descends from one login."""

    __tablename__ = "wallet_token_family"

    id: str = Field(primary_key=True, max_length=40)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=40)
    created_at: datetime = Field(sa_column=_when())
    revoked_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))


class WalletAccessToken(SQLModel, table=True):
    __tablename__ = "wallet_access_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    family_id: str = Field(foreign_key="wallet_token_family.id", index=True, max_length=40)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=40)
    expires_at: datetime = Field(sa_column=_when())


class WalletRefreshToken(SQLModel, table=True):
    __tablename__ = "wallet_refresh_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    family_id: str = Field(foreign_key="wallet_token_family.id", index=True, max_length=40)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=40)
    expires_at: datetime = Field(sa_column=_when())
    rotated_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))


class WalletHolderKey(SQLModel, table=True):
    """A holder's signing key pair; the private JWK is sealed under the KEK."""

    __tablename__ = "wallet_holder_key"
    __table_args__ = (UniqueConstraint("holder_id", "kid", name="uq_wallet_holder_key_kid"),)

    id: str = Field(primary_key=True, max_length=40)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=40)
    kid: str = Field(max_length=64)
    alg: str = Field(max_length=16)
    public_jwk: dict[str, JSONValue] = Field(sa_column=Column(JSON, nullable=False))
    sealed_private_jwk: bytes = Field(sa_column=_sealed())
    is_primary: bool = True
    created_at: datetime = Field(sa_column=_when())


class WalletCredential(SQLModel, table=True):
    """A received credential: the document and a small search index, both sealed."""

    __tablename__ = "wallet_credential"
    __table_args__ = (
        UniqueConstraint("holder_id", "fingerprint", name="uq_wallet_credential_fingerprint"),
    )

    id: str = Field(primary_key=True, max_length=40)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=40)
    fingerprint: str = Field(max_length=64)
    received_at: datetime = Field(sa_column=_when())
    sealed_document: bytes = Field(sa_column=_sealed())
    sealed_index: bytes = Field(sa_column=_sealed())


class WalletDeclaredSkill(SQLModel, table=True):
    """A skill the person declares themselves (never presented as verified)."""

    __tablename__ = "wallet_declared_skill"
    __table_args__ = (
        UniqueConstraint("holder_id", "fingerprint", name="uq_wallet_declared_skill_fingerprint"),
    )

    id: str = Field(primary_key=True, max_length=40)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=40)
    fingerprint: str = Field(max_length=64)
    declared_at: datetime = Field(sa_column=_when())
    sealed_skill: bytes = Field(sa_column=_sealed())


class WalletGoal(SQLModel, table=True):
    """An occupation the person aims at (sealed: a career plan is personal)."""

    __tablename__ = "wallet_goal"
    __table_args__ = (
        UniqueConstraint("holder_id", "fingerprint", name="uq_wallet_goal_fingerprint"),
    )

    id: str = Field(primary_key=True, max_length=40)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=40)
    fingerprint: str = Field(max_length=64)
    chosen_at: datetime = Field(sa_column=_when())
    sealed_goal: bytes = Field(sa_column=_sealed())


class WalletGrant(SQLModel, table=True):
    """Access a person grants a guidance organisation: scope, purpose and grantee sealed.

    ``grantee_ref`` is a keyed hash of the organisation's id (a key derived from the KEK), so
    the organisation's grants are found without storing who was granted what in the clear.
    """

    __tablename__ = "wallet_grant"

    id: str = Field(primary_key=True, max_length=40)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=40)
    grantee_ref: str = Field(max_length=64, index=True)
    created_at: datetime = Field(sa_column=_when())
    expires_at: datetime = Field(sa_column=_when())
    withdrawn_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    read_count: int = 0
    logged_reads: int = 0
    """How many of ``read_count`` the activity log accounts for (:mod:`wallet.grants`)."""
    last_logged_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    unlogged_since: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    sealed_grant: bytes = Field(sa_column=_sealed())


class WalletConsentReceipt(SQLModel, table=True):
    """A consent receipt: who, what, purpose, period and the consent text's version (sealed)."""

    __tablename__ = "wallet_consent_receipt"

    id: str = Field(primary_key=True, max_length=40)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=40)
    kind: str = Field(max_length=16)
    created_at: datetime = Field(sa_column=_when())
    sealed_receipt: bytes = Field(sa_column=_sealed())


class WalletShare(SQLModel, table=True):
    """A consented share: presentations sealed; the link token stored only as its SHA-256."""

    __tablename__ = "wallet_share"
    __table_args__ = (Index("ix_wallet_share_holder_active", "holder_id", "withdrawn_at"),)

    id: str = Field(primary_key=True, max_length=40)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=40)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=_when())
    expires_at: datetime = Field(sa_column=_when())
    withdrawn_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    max_views: int | None = None
    view_count: int = 0
    logged_views: int = 0
    """How many of ``view_count`` the activity log accounts for (:mod:`wallet.shares.viewing`)."""
    last_logged_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    unlogged_since: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    sealed_content: bytes = Field(sa_column=_sealed())


class WalletActivity(SQLModel, table=True):
    """One append-only, hash-chained entry of a person's activity log (details sealed)."""

    __tablename__ = "wallet_activity"
    __table_args__ = (UniqueConstraint("holder_id", "seq", name="uq_wallet_activity_seq"),)

    id: str = Field(primary_key=True, max_length=40)
    holder_id: str = Field(foreign_key="wallet_holder.id", index=True, max_length=40)
    seq: int
    kind: str = Field(max_length=40)
    occurred_at: datetime = Field(sa_column=_when())
    sealed_details: bytes = Field(sa_column=_sealed())
    prev_hash: str = Field(max_length=64)
    entry_hash: str = Field(max_length=64)


class WalletErasure(SQLModel, table=True):
    """The minimal record that a wallet was erased: a pseudonym, the time and the final chain."""

    __tablename__ = "wallet_erasure"

    id: str = Field(primary_key=True, max_length=40)
    holder_ref: str = Field(max_length=64, unique=True)
    erased_at: datetime = Field(sa_column=_when())
    final_seq: int
    final_head: str = Field(max_length=64)


class StaffAccount(SQLModel, table=True):
    """A person who works for organisations: the staff realm, never joined to people's wallets.

    ``username`` (a work login) and ``name`` are kept in the clear: an organisation admin lists
    its staff by them. ``platform_admin`` may manage every organisation.
    """

    __tablename__ = "staff_account"

    id: str = Field(primary_key=True, max_length=40)
    username: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=512)
    platform_admin: bool = False
    created_at: datetime = Field(sa_column=_when())


class StaffMembership(SQLModel, table=True):
    """One role of a staff account in one organisation (by its slug)."""

    __tablename__ = "staff_membership"

    account_id: str = Field(foreign_key="staff_account.id", primary_key=True, max_length=40)
    organisation: str = Field(primary_key=True, max_length=64)
    role: str = Field(primary_key=True, max_length=20)


class StaffInvite(SQLModel, table=True):
    """A one-time invitation link to join an organisation in a role: only its SHA-256 is kept."""

    __tablename__ = "staff_invite"

    id: str = Field(primary_key=True, max_length=40)
    token_hash: str = Field(max_length=64, unique=True)
    organisation: str = Field(max_length=64, index=True)
    role: str = Field(max_length=20)
    created_at: datetime = Field(sa_column=_when())
    expires_at: datetime = Field(sa_column=_when())
    used_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))


class StaffSession(SQLModel, table=True):
    """A staff member's browser session: the cookie value's SHA-256, its end."""

    __tablename__ = "staff_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(foreign_key="staff_account.id", index=True, max_length=40)
    expires_at: datetime = Field(sa_column=_when())
    ended_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
