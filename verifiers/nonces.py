"""Single-use nonces, always issued by Taito (RFC 9901 §7.3 step 5; OpenID4VP 1.0 §5.2, §14.1).

A nonce is 128 random bits (``secrets``), issued to one verifier, for a presentation request or
for API-to-API use (``POST /v1/verifiers/{slug}/nonces``), and expires. It is consumed by one
conditional ``UPDATE ... WHERE consumed_at IS NULL``: of two concurrent presentations carrying it
only the first commits; the other affects no row and is a replay (409). Expired nonces are
purged :data:`NONCE_RETENTION` after their expiry (:func:`purge_expired_nonces`); a replay that
late finds no nonce and is refused as ``nonce_unknown``.

``POST /v1/verifications`` checks and consumes its nonce in one statement
(:func:`consume_usable_nonce`), which also reads the trust registry's version; a presentation
that turns out not to carry the nonce under its holder's signature gives it back
(:func:`release_nonce`) before the transaction ends, so a stranger still cannot burn one.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Executable,
    bindparam,
    delete,
    exists,
    literal_column,
    update,
)
from sqlmodel import Session, col, select

from credentials.clock import as_utc, require_aware
from verifiers.errors import NonceExpired, NonceReused, NonceUnknown
from verifiers.organisations import VerifierInfo
from verifiers.state_version import READ_TRUST_VERSION
from verifiers.tables import Verifier, VerifierApiKey, VerifierNonce

NONCE_LIFETIME = timedelta(minutes=5)
"""How long an API-to-API nonce may wait for its presentation (the KB-JWT age limit too)."""
NONCE_RETENTION = timedelta(days=1)
"""How long an expired nonce is kept, so that a replay soon after still answers 409 or 410."""


@dataclass(frozen=True)
class IssuedNonce:
    """A nonce for the holder's KB-JWT, with the audience it must be bound to."""

    nonce: str
    audience: str
    expires_at: datetime


def new_nonce() -> str:
    """128 bits from the operating system's CSPRNG, base64url (22 characters)."""
    return secrets.token_urlsafe(16)


def add_nonce(
    session: Session,
    *,
    verifier_id: str,
    nonce: str,
    request_id: str | None,
    now: datetime,
    expires_at: datetime,
) -> None:
    """Stage a nonce row in the caller's transaction (the caller commits)."""
    session.add(
        VerifierNonce(
            nonce=nonce,
            verifier_id=verifier_id,
            request_id=request_id,
            issued_at=require_aware(now),
            expires_at=require_aware(expires_at),
        )
    )


def issue_nonce(session: Session, *, verifier: VerifierInfo, now: datetime) -> IssuedNonce:
    """Issue an API-to-API nonce to ``verifier``; it expires after :data:`NONCE_LIFETIME`."""
    now = require_aware(now)
    nonce = new_nonce()
    expires_at = now + NONCE_LIFETIME
    add_nonce(
        session,
        verifier_id=verifier.id,
        nonce=nonce,
        request_id=None,
        now=now,
        expires_at=expires_at,
    )
    session.commit()
    return IssuedNonce(nonce=nonce, audience=verifier.client_id, expires_at=expires_at)


def usable_nonce(session: Session, *, verifier_id: str, nonce: str, now: datetime) -> VerifierNonce:
    """The nonce row if ``verifier_id`` may still use it.

    Raises :class:`NonceUnknown` (never issued to this verifier), :class:`NonceReused` (409,
    already consumed) and :class:`NonceExpired` (410).
    """
    query = (
        select(VerifierNonce)
        .where(col(VerifierNonce.nonce) == nonce)
        .execution_options(populate_existing=True)
    )
    row = session.exec(query).first() if 0 < len(nonce) <= 64 else None
    if row is None or row.verifier_id != verifier_id:
        raise NonceUnknown("the nonce was not issued to this verifier")
    if row.consumed_at is not None:
        raise NonceReused("the nonce has already been used")
    if require_aware(now) >= as_utc(row.expires_at):
        raise NonceExpired("the nonce has expired")
    return row


def consume_nonce(session: Session, *, verifier_id: str, nonce: str, now: datetime) -> None:
    """Mark the nonce used, atomically, in the caller's transaction (the caller commits).

    Raises :class:`NonceReused` when it was consumed meanwhile (a concurrent replay).
    """
    now = require_aware(now)
    result = session.execute(
        update(VerifierNonce)
        .where(col(VerifierNonce.nonce) == nonce)
        .where(col(VerifierNonce.verifier_id) == verifier_id)
        .where(col(VerifierNonce.consumed_at).is_(None))
        .values(consumed_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        session.rollback()
        raise NonceReused("the nonce has already been used")


def purge_expired_nonces(session: Session, *, now: datetime) -> int:
    """Delete nonces expired more than :data:`NONCE_RETENTION` ago; commits; returns how many.

    A request's nonce expires with the request, and an expired or answered request is refused
    before its nonce is looked at, so no request needs its nonce row once it has expired.
    """
    cutoff = require_aware(now) - NONCE_RETENTION
    result = session.execute(
        delete(VerifierNonce)
        .where(col(VerifierNonce.expires_at) < cutoff)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(getattr(result, "rowcount", 0))


@dataclass(frozen=True)
class ConsumedNonce:
    """A nonce this transaction consumed, and what the same statement read along the way."""

    nonce: str
    trust_version: str | None
    also_read: str | None = None
    """The value of the ``also_read`` subquery (``None`` without one)."""


def consume_usable_nonce(
    session: Session,
    *,
    verifier_id: str,
    nonce: str,
    now: datetime,
    api_key_hash: str | None = None,
    also_read: str | None = None,
) -> ConsumedNonce | None:
    """Check and consume an API-to-API nonce in one statement, in the caller's transaction.

    The ``UPDATE`` matches only a nonce of ``verifier_id``, not consumed, not expired and not a
    presentation request's, and, with ``api_key_hash``, only while that is still the verifier's
    key; it returns the trust registry's version read in the same statement
    (:mod:`verifiers.state_version`) and the value of ``also_read``, a scalar subquery the
    caller's code defines (the local issuers' state version; never request input), so that a
    verification makes one round trip before its commit. ``None`` when nothing matched:
    :func:`usable_nonce` then says why (or hands back a request's nonce). OpenID4VP 1.0 §14.1.
    Raises nothing.

    The statement is built once (:func:`_consume_statement`) and run as a Core statement on
    the session's connection: building it and the ORM's bulk-update path (synchronising the
    session) cost more CPU than the rest of a verification's database work (bench/).
    """
    now = require_aware(now)
    if not 0 < len(nonce) <= 64:
        return None
    parameters: dict[str, object] = {"b_nonce": nonce, "b_verifier_id": verifier_id, "b_now": now}
    if api_key_hash is not None:
        parameters["b_key_hash"] = api_key_hash
    statement = _consume_statement(api_key_hash is not None, also_read)
    found = session.connection().execute(statement, parameters).first()
    if found is None:
        return None
    version = found[0]
    other = found[1] if also_read is not None else None
    return ConsumedNonce(
        nonce=nonce,
        trust_version=version if isinstance(version, str) else None,
        also_read=other if isinstance(other, str) else None,
    )


@lru_cache(maxsize=8)
def _consume_statement(with_key: bool, also_read: str | None) -> Executable:
    """:func:`consume_usable_nonce`'s ``UPDATE ... RETURNING``, with bound parameters."""
    table = VerifierNonce
    now = bindparam("b_now", type_=DateTime(timezone=True))
    statement = (
        update(table)
        .where(col(table.nonce) == bindparam("b_nonce"))
        .where(col(table.verifier_id) == bindparam("b_verifier_id"))
        .where(col(table.consumed_at).is_(None))
        .where(col(table.request_id).is_(None))
        .where(col(table.expires_at) > now)
    )
    if with_key:
        key_still_valid = exists().where(
            col(VerifierApiKey.verifier_id) == bindparam("b_verifier_id"),
            col(VerifierApiKey.key_hash) == bindparam("b_key_hash"),
            col(VerifierApiKey.revoked_at).is_(None),
            col(Verifier.id) == col(VerifierApiKey.verifier_id),
            col(Verifier.disabled_at).is_(None),
        )
        statement = statement.where(key_still_valid)
    returned: list[ColumnElement[Any]] = [literal_column(READ_TRUST_VERSION)]
    if also_read is not None:
        returned.append(literal_column(also_read))
    return statement.values(consumed_at=now).returning(*returned)


def release_nonce(session: Session, *, verifier_id: str, consumed: ConsumedNonce) -> None:
    """Give back a nonce :func:`consume_usable_nonce` took in this transaction (no commit)."""
    session.execute(
        update(VerifierNonce)
        .where(col(VerifierNonce.nonce) == consumed.nonce)
        .where(col(VerifierNonce.verifier_id) == verifier_id)
        .values(consumed_at=None)
        .execution_options(synchronize_session=False)
    )
