"""An issuer's API keys: several per issuer, each named, shown once, revocable, last use kept.

A key ``tik_<43 characters>`` carries 256 random bits and is stored only as its SHA-256
(``sealing.secret_hashes``), looked up by that hash. A revoked key, and every key of a disabled
issuer, answers exactly like a key that never existed (401 ``issuer_api_key_invalid``): a caller
learns nothing about other keys or organisations. The last use is recorded at most once a minute
per key, so authentication does not write on every request.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, func, or_, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from credentials.clock import as_utc, require_aware
from issuers.errors import IssuerAPIKeyInvalid, IssuerApiKeyNotFound, IssuerInvalid
from issuers.tables import Issuer, IssuerAccreditation, IssuerApiKey
from sealing.api_keys import (
    LAST_USE_GRANULARITY,
    MAX_ACTIVE_KEYS,
    MAX_KEY_NAME,
    ApiKeyInfo,
    CreatedApiKey,
    has_key_shape,
    key_info,
    key_name,
)
from sealing.secret_hashes import hash_secret, new_bearer_secret

API_KEY_PREFIX = "tik_"


@dataclass(frozen=True)
class KeyHolder:
    """The enabled issuer holding a key, its accredited types (sorted) and the key's last use."""

    issuer: Issuer
    types: tuple[str, ...]
    last_used_at: datetime | None


def add_key_row(session: Session, *, issuer_id: str, name: str, now: datetime) -> CreatedApiKey:
    """Add a named key to ``issuer_id`` (in the caller's transaction, no commit).

    Raises :class:`IssuerInvalid` for a bad name or when the issuer has
    :data:`MAX_ACTIVE_KEYS` unrevoked keys already.
    """
    checked = key_name(name)
    if checked is None:
        raise IssuerInvalid(f"the key name must be 1 to {MAX_KEY_NAME} printable characters")
    active = session.exec(
        select(func.count())
        .select_from(IssuerApiKey)
        .where(col(IssuerApiKey.issuer_id) == issuer_id, col(IssuerApiKey.revoked_at).is_(None))
    ).one()
    if active >= MAX_ACTIVE_KEYS:
        raise IssuerInvalid(f"an issuer has at most {MAX_ACTIVE_KEYS} keys: revoke one first")
    api_key = new_bearer_secret(API_KEY_PREFIX)
    row = IssuerApiKey(
        id="ikey_" + secrets.token_hex(12),
        issuer_id=issuer_id,
        name=checked,
        key_hash=hash_secret(api_key),
        created_at=require_aware(now),
    )
    session.add(row)
    session.flush()
    return CreatedApiKey(info=key_info(row), api_key=api_key)


def add_api_key(session: Session, *, issuer_id: str, name: str, now: datetime) -> CreatedApiKey:
    """Give the issuer another named key, shown once; commits. Raises :class:`IssuerInvalid`."""
    created = add_key_row(session, issuer_id=issuer_id, name=name, now=now)
    session.commit()
    return created


def list_api_keys(session: Session, *, issuer_id: str) -> tuple[ApiKeyInfo, ...]:
    """The issuer's keys, revoked ones too, oldest first."""
    rows = session.exec(
        select(IssuerApiKey)
        .where(col(IssuerApiKey.issuer_id) == issuer_id)
        .order_by(col(IssuerApiKey.created_at), col(IssuerApiKey.id))
    ).all()
    return tuple(key_info(row) for row in rows)


def revoke_api_key(session: Session, *, issuer_id: str, key_id: str, now: datetime) -> ApiKeyInfo:
    """Revoke one of the issuer's keys at once; commits (revoking twice changes nothing).

    Raises :class:`IssuerApiKeyNotFound` for a key of another issuer or none.
    """
    row = session.get(IssuerApiKey, key_id)
    if row is None or row.issuer_id != issuer_id:
        raise IssuerApiKeyNotFound("the issuer has no such API key")
    if row.revoked_at is None:
        row.revoked_at = require_aware(now)
        session.add(row)
        session.commit()
    return key_info(row)


def holder_of_key(session: Session, *, api_key: str) -> KeyHolder:
    """:func:`issuer_of_key` with the issuer's accredited types and the key's last use, read in
    one statement (an authenticated request's first and often only read before its work).

    Raises :class:`IssuerAPIKeyInvalid` as :func:`issuer_of_key` does.
    """
    if not has_key_shape(api_key, prefix=API_KEY_PREFIX):
        raise IssuerAPIKeyInvalid("the API key is not an issuer API key")
    rows = session.exec(_holder_statement(), params={"b_key_hash": hash_secret(api_key)}).all()
    if not rows:
        raise IssuerAPIKeyInvalid("the API key is not valid")
    issuer, last_used_at, _ = rows[0]
    types = tuple(type_slug for _, _, type_slug in rows if type_slug is not None)
    return KeyHolder(
        issuer=issuer,
        types=types,
        last_used_at=None if last_used_at is None else as_utc(last_used_at),
    )


@cache
def _holder_statement() -> "Select[Issuer, datetime | None, str]":
    """:func:`holder_of_key`'s statement, built once with a bound parameter: building it took
    longer than running it, on every authenticated issuance (bench/)."""
    return (
        select(Issuer, IssuerApiKey.last_used_at, IssuerAccreditation.type_slug)
        .join(IssuerApiKey, col(IssuerApiKey.issuer_id) == col(Issuer.id))
        .outerjoin(IssuerAccreditation, col(IssuerAccreditation.issuer_id) == col(Issuer.id))
        .where(
            col(IssuerApiKey.key_hash) == bindparam("b_key_hash"),
            col(IssuerApiKey.revoked_at).is_(None),
            col(Issuer.disabled_at).is_(None),
        )
        .order_by(col(IssuerAccreditation.type_slug))
    )


def note_api_key_use(
    session: Session, *, api_key: str, last_used_at: datetime | None, now: datetime
) -> None:
    """:func:`record_api_key_use` when the key's known ``last_used_at`` is a minute old or more;
    otherwise nothing is written and nothing committed (most requests)."""
    now = require_aware(now)
    if last_used_at is None or last_used_at < now - LAST_USE_GRANULARITY:
        record_api_key_use(session, api_key=api_key, now=now)


def issuer_of_key(session: Session, *, api_key: str) -> Issuer:
    """The enabled issuer holding this unrevoked key.

    Raises :class:`IssuerAPIKeyInvalid` for a malformed, unknown or revoked key and for a key of
    a disabled issuer.
    """
    if not has_key_shape(api_key, prefix=API_KEY_PREFIX):
        raise IssuerAPIKeyInvalid("the API key is not an issuer API key")
    issuer = session.exec(
        select(Issuer)
        .join(IssuerApiKey, col(IssuerApiKey.issuer_id) == col(Issuer.id))
        .where(
            col(IssuerApiKey.key_hash) == hash_secret(api_key),
            col(IssuerApiKey.revoked_at).is_(None),
            col(Issuer.disabled_at).is_(None),
        )
    ).first()
    if issuer is None:
        raise IssuerAPIKeyInvalid("the API key is not valid")
    return issuer


def record_api_key_use(session: Session, *, api_key: str, now: datetime) -> None:
    """Note that ``api_key`` was used at ``now`` (at most once a minute per key); commits."""
    now = require_aware(now)
    session.execute(
        update(IssuerApiKey)
        .where(
            col(IssuerApiKey.key_hash) == hash_secret(api_key),
            or_(
                col(IssuerApiKey.last_used_at).is_(None),
                col(IssuerApiKey.last_used_at) < now - LAST_USE_GRANULARITY,
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
