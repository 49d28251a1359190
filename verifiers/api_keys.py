"""A verifier's API keys: several per verifier, each named, shown once, revocable, last use kept.

A key ``tvk_<43 characters>`` carries 256 random bits and is stored only as its SHA-256
(``sealing.secret_hashes``), looked up by that hash. A revoked key, and every key of a disabled
verifier, answers exactly like a key that never existed (401 ``verifier_key_invalid``): a caller
learns nothing about other keys or organisations. The last use is recorded at most once a minute
per key, so authentication does not write on every request.
"""

import secrets
from datetime import datetime

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from credentials.clock import as_utc, require_aware
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
from verifiers.errors import VerifierApiKeyNotFound, VerifierInvalid, VerifierKeyInvalid
from verifiers.tables import Verifier, VerifierApiKey

API_KEY_PREFIX = "tvk_"


def add_key_row(session: Session, *, verifier_id: str, name: str, now: datetime) -> CreatedApiKey:
    """Add a named key to ``verifier_id`` (in the caller's transaction, no commit).

    Raises :class:`VerifierInvalid` for a bad name or when the verifier has
    :data:`MAX_ACTIVE_KEYS` unrevoked keys already.
    """
    checked = key_name(name)
    if checked is None:
        raise VerifierInvalid(f"the key name must be 1 to {MAX_KEY_NAME} printable characters")
    active = session.exec(
        select(func.count())
        .select_from(VerifierApiKey)
        .where(
            col(VerifierApiKey.verifier_id) == verifier_id, col(VerifierApiKey.revoked_at).is_(None)
        )
    ).one()
    if active >= MAX_ACTIVE_KEYS:
        raise VerifierInvalid(f"an verifier has at most {MAX_ACTIVE_KEYS} keys: revoke one first")
    api_key = new_bearer_secret(API_KEY_PREFIX)
    row = VerifierApiKey(
        id="vkey_" + secrets.token_hex(12),
        verifier_id=verifier_id,
        name=checked,
        key_hash=hash_secret(api_key),
        created_at=require_aware(now),
    )
    session.add(row)
    session.flush()
    return CreatedApiKey(info=key_info(row), api_key=api_key)


def add_api_key(session: Session, *, verifier_id: str, name: str, now: datetime) -> CreatedApiKey:
    """Give the verifier another named key, shown once; commits. Raises :class:`VerifierInvalid`."""
    created = add_key_row(session, verifier_id=verifier_id, name=name, now=now)
    session.commit()
    return created


def list_api_keys(session: Session, *, verifier_id: str) -> tuple[ApiKeyInfo, ...]:
    """The verifier's keys, revoked ones too, oldest first."""
    rows = session.exec(
        select(VerifierApiKey)
        .where(col(VerifierApiKey.verifier_id) == verifier_id)
        .order_by(col(VerifierApiKey.created_at), col(VerifierApiKey.id))
    ).all()
    return tuple(key_info(row) for row in rows)


def revoke_api_key(session: Session, *, verifier_id: str, key_id: str, now: datetime) -> ApiKeyInfo:
    """Revoke one of the verifier's keys at once; commits (revoking twice changes nothing).

    Raises :class:`VerifierApiKeyNotFound` for a key of another verifier or none.
    """
    row = session.get(VerifierApiKey, key_id)
    if row is None or row.verifier_id != verifier_id:
        raise VerifierApiKeyNotFound("the verifier has no such API key")
    if row.revoked_at is None:
        row.revoked_at = require_aware(now)
        session.add(row)
        session.commit()
    return key_info(row)


def verifier_and_last_use(session: Session, *, api_key: str) -> tuple[Verifier, datetime | None]:
    """:func:`verifier_of_key` and the key's last use, read in one statement.

    Raises :class:`VerifierKeyInvalid` as :func:`verifier_of_key` does.
    """
    if not has_key_shape(api_key, prefix=API_KEY_PREFIX):
        raise VerifierKeyInvalid("the API key is not an verifier API key")
    found = session.exec(
        select(Verifier, VerifierApiKey.last_used_at)
        .join(VerifierApiKey, col(VerifierApiKey.verifier_id) == col(Verifier.id))
        .where(
            col(VerifierApiKey.key_hash) == hash_secret(api_key),
            col(VerifierApiKey.revoked_at).is_(None),
            col(Verifier.disabled_at).is_(None),
        )
    ).first()
    if found is None:
        raise VerifierKeyInvalid("the API key is not valid")
    verifier, last_used_at = found
    return verifier, None if last_used_at is None else as_utc(last_used_at)


def note_api_key_use(
    session: Session, *, api_key: str, last_used_at: datetime | None, now: datetime
) -> None:
    """:func:`record_api_key_use` when the key's known ``last_used_at`` is a minute old or more;
    otherwise nothing is written and nothing committed (most requests)."""
    now = require_aware(now)
    if last_used_at is None or last_used_at < now - LAST_USE_GRANULARITY:
        record_api_key_use(session, api_key=api_key, now=now)


def verifier_of_key(session: Session, *, api_key: str) -> Verifier:
    """The enabled verifier holding this unrevoked key.

    Raises :class:`VerifierKeyInvalid` for a malformed, unknown or revoked key and for a key of
    a disabled verifier.
    """
    if not has_key_shape(api_key, prefix=API_KEY_PREFIX):
        raise VerifierKeyInvalid("the API key is not an verifier API key")
    verifier = session.exec(
        select(Verifier)
        .join(VerifierApiKey, col(VerifierApiKey.verifier_id) == col(Verifier.id))
        .where(
            col(VerifierApiKey.key_hash) == hash_secret(api_key),
            col(VerifierApiKey.revoked_at).is_(None),
            col(Verifier.disabled_at).is_(None),
        )
    ).first()
    if verifier is None:
        raise VerifierKeyInvalid("the API key is not valid")
    return verifier


def record_api_key_use(session: Session, *, api_key: str, now: datetime) -> None:
    """Note that ``api_key`` was used at ``now`` (at most once a minute per key); commits."""
    now = require_aware(now)
    session.execute(
        update(VerifierApiKey)
        .where(
            col(VerifierApiKey.key_hash) == hash_secret(api_key),
            or_(
                col(VerifierApiKey.last_used_at).is_(None),
                col(VerifierApiKey.last_used_at) < now - LAST_USE_GRANULARITY,
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
