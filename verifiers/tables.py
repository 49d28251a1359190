"""SQLModel tables owned by ``verifiers``.

Every uniqueness rule is a database constraint:

- ``verifier.slug`` is unique, and so is ``verifier_api_key.key_hash`` (a verifier has several
  named API keys, each stored as SHA-256 hex only);
- ``verifier_nonce.nonce`` is the primary key: a nonce exists once, belongs to one verifier and is
  consumed by one conditional ``UPDATE`` (``consumed_at IS NULL``), so of two concurrent
  presentations with the same nonce only one can pass;
- ``verifier_request.nonce`` is unique and names the request's row in ``verifier_nonce``;
- ``trusted_issuer.identifier`` is unique.

A request's outcome (the report, which holds the disclosed claims) and its answer (the
presentations, kept to verify them again) are sealed under the KEK: a copy of the database alone
reveals no claim.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, LargeBinary
from sqlmodel import Field, SQLModel


def _utc(*, nullable: bool = False, index: bool = False) -> Any:
    """A timezone-aware timestamp column (SQLite reads back naive UTC: ``credentials.clock``)."""
    return Field(
        default=None if nullable else ...,
        sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index),
    )


class Verifier(SQLModel, table=True):
    """A verifier organisation (an employer, an employment service); ``disabled_at`` stops it."""

    __tablename__ = "verifier"

    id: str = Field(primary_key=True, max_length=40)
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    created_at: datetime = _utc()
    guidance: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    """A guidance or employment service: people may grant it access to their skills profile."""
    disabled_at: datetime | None = _utc(nullable=True)


class VerifierApiKey(SQLModel, table=True):
    """One named API key of a verifier: its SHA-256, when it was made, last used and revoked."""

    __tablename__ = "verifier_api_key"

    id: str = Field(primary_key=True, max_length=40)
    verifier_id: str = Field(foreign_key="verifier.id", index=True, max_length=40)
    name: str = Field(max_length=100)
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _utc()
    last_used_at: datetime | None = _utc(nullable=True)
    revoked_at: datetime | None = _utc(nullable=True)


class VerifierRequest(SQLModel, table=True):
    """A presentation request: the DCQL query, its purpose, nonce, expiry and sealed outcome."""

    __tablename__ = "verifier_request"

    id: str = Field(primary_key=True, max_length=40)
    verifier_id: str = Field(foreign_key="verifier.id", index=True, max_length=40)
    query: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    purpose: str = Field(max_length=1000)
    language: str = Field(max_length=8)
    nonce: str = Field(max_length=64, unique=True)
    created_at: datetime = _utc()
    expires_at: datetime = _utc()
    status: str = Field(max_length=16)
    answered_at: datetime | None = _utc(nullable=True)
    sealed_outcome: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    response_mode: str = Field(
        default="direct_post", max_length=16, sa_column_kwargs={"server_default": "direct_post"}
    )
    """How an OpenID4VP wallet answers: ``direct_post`` or ``direct_post.jwt`` (encrypted)."""
    sealed_answer: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    """The presentations as they arrived and their audience, sealed, to verify them again."""


class VerifierNonce(SQLModel, table=True):
    """A single-use nonce issued to a verifier (for a request, or API-to-API)."""

    __tablename__ = "verifier_nonce"

    nonce: str = Field(primary_key=True, max_length=64)
    verifier_id: str = Field(foreign_key="verifier.id", index=True, max_length=40)
    request_id: str | None = Field(default=None, foreign_key="verifier_request.id", max_length=40)
    issued_at: datetime = _utc()
    expires_at: datetime = _utc(index=True)
    consumed_at: datetime | None = _utc(nullable=True)


class TrustedIssuer(SQLModel, table=True):
    """An entry of the trust registry: an issuer, where its keys come from, the types it is
    trusted for (``vct`` values)."""

    __tablename__ = "trusted_issuer"

    id: str = Field(primary_key=True, max_length=40)
    identifier: str = Field(max_length=500, unique=True)
    display_name: str = Field(max_length=200)
    key_source: str = Field(max_length=32)
    key_url: str | None = Field(default=None, max_length=1000)
    jwks: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    vct_values: list[str] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class VerifierState(SQLModel, table=True):
    """One row: the version of the trust registry, new at every change of it.

    Read in the statement that consumes a nonce (:mod:`verifiers.nonces`), so a verification sees
    every registry change committed before it began (:mod:`verifiers.state_version`).
    """

    __tablename__ = "verifier_state"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: str = Field(max_length=32)
