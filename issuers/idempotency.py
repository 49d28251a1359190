"""``Idempotency-Key`` for issuance (draft-ietf-httpapi-idempotency-key-header §2, §2.7).

- A batch or an offer records the key and the request's fingerprint (SHA-256 of its canonical
  JSON) in a committed row before any work (:func:`begin`): a concurrent duplicate finds the
  row. A single issuance, whose work is one signature, records its key with the finished
  response in the same transaction as the credential (:func:`record_finished`): one transaction
  per credential; a concurrent duplicate waits on the key's unique row and then replays it.
- Same key, same fingerprint, finished: the stored response is replayed unchanged.
- Same key, another fingerprint: 422 :class:`IdempotencyKeyReused`.
- Same key while the first is still running: 409 :class:`IdempotencyInProgress`. A run that
  left no answer for :data:`STALE_AFTER` (a crashed process) may be taken over.
- A request that fails releases its key (the failure is not replayed), so it can be retried.

The stored response holds credentials, so it is sealed under the KEK (AES-256-GCM) bound to the
issuer and the key. The key itself is chosen by the issuer and may name the person (the demo's
did: ``demo:<username>:<n>``), so only its keyed hash is stored (:func:`stored_key`: HMAC-SHA-256
under a key derived from the KEK, RFC 2104 / RFC 5869). Records are kept for :data:`RETENTION`;
after that the key may be reused.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Final

from sqlalchemy import Executable, Table, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from credentials.clock import as_utc, require_aware
from credentials.encoding import JSONValue, json_dumps, json_object
from issuers.errors import IdempotencyInProgress, IdempotencyKeyMissing, IdempotencyKeyReused
from issuers.tables import IssuerIdempotency
from sealing.aead import open_sealed, seal
from sealing.keyed_hash import derive_key, keyed_hash

STALE_AFTER: Final = timedelta(minutes=10)
RETENTION: Final = timedelta(hours=24)
MAX_KEY_LENGTH: Final = 255


@dataclass(frozen=True)
class Started:
    """The key is ours: do the work, then :func:`complete` (or :func:`release` on failure)."""

    record_id: str
    key: str


@dataclass(frozen=True)
class Replay:
    """The request was done before: answer with this stored response."""

    response: dict[str, Any]


def fingerprint(request: JSONValue) -> str:
    """SHA-256 (hex) of the canonical JSON of a request (members sorted, no whitespace)."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_key(key: str | None) -> str:
    """The key when it is 1-255 visible ASCII characters; else :class:`IdempotencyKeyMissing`."""
    if key is None or not 0 < len(key) <= MAX_KEY_LENGTH:
        raise IdempotencyKeyMissing("send an Idempotency-Key header of 1 to 255 characters")
    if any(not "!" <= char <= "~" for char in key):
        raise IdempotencyKeyMissing("the Idempotency-Key must be visible ASCII characters")
    return key


def stored_key(kek: bytes, *, issuer_id: str, key: str) -> str:
    """The keyed hash under which ``key`` of ``issuer_id`` is stored (never the key itself)."""
    hashing_key = derive_key(kek, "taito/issuers/idempotency-key/v1")
    return keyed_hash(hashing_key, f"{issuer_id}|{key}".encode())


def _context(issuer_id: str, key: str) -> bytes:
    return f"issuer-idempotency|{issuer_id}|{key}".encode()


def begin(
    session: Session,
    *,
    issuer_id: str,
    key: str,
    request_fingerprint: str,
    kek: bytes,
    now: datetime,
) -> Started | Replay:
    """Claim ``key`` for this request, or find the earlier answer; commits.

    Raises :class:`IdempotencyKeyReused` (422) and :class:`IdempotencyInProgress` (409).
    """
    now = require_aware(now)
    key_hash = stored_key(kek, issuer_id=issuer_id, key=key)
    record = IssuerIdempotency(
        id=secrets.token_hex(16),
        issuer_id=issuer_id,
        key_hash=key_hash,
        fingerprint=request_fingerprint,
        created_at=now,
    )
    session.add(record)
    try:
        session.commit()
        return Started(record.id, key)
    except IntegrityError:
        session.rollback()
    found = session.exec(
        select(IssuerIdempotency).where(
            col(IssuerIdempotency.issuer_id) == issuer_id,
            col(IssuerIdempotency.key_hash) == key_hash,
        )
    ).first()
    if found is None:  # Released between our insert and our look; try once more.
        return begin(
            session,
            issuer_id=issuer_id,
            key=key,
            request_fingerprint=request_fingerprint,
            kek=kek,
            now=now,
        )
    created = as_utc(found.created_at)
    if found.completed_at is not None and now - created > RETENTION:
        return _take_over(session, found, key, request_fingerprint, now)
    if found.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused("the Idempotency-Key was used with another request body")
    if found.completed_at is None or found.sealed_response is None:
        if now - created > STALE_AFTER:
            return _take_over(session, found, key, request_fingerprint, now)
        raise IdempotencyInProgress("retry when the first request has finished")
    plaintext = open_sealed(kek, found.sealed_response, context=_context(issuer_id, key))
    return Replay(json_object(plaintext, what="stored response"))


def record_finished(
    session: Session,
    *,
    issuer_id: str,
    key: str,
    request_fingerprint: str,
    response: dict[str, Any],
    kek: bytes,
    now: datetime,
) -> Replay | None:
    """Record ``key`` with its finished, sealed ``response`` in the caller's transaction (no
    commit); ``None`` when recorded, else the earlier answer to replay.

    One statement when the key is new (``INSERT ... ON CONFLICT DO NOTHING``: a concurrent
    transaction holding the same key makes it wait for that one's end). A key finished more than
    :data:`RETENTION` ago, or left unfinished for :data:`STALE_AFTER`, is taken over. Raises
    :class:`IdempotencyKeyReused` (422) and :class:`IdempotencyInProgress` (409); the caller
    rolls back on a replay or an error.
    """
    now = require_aware(now)
    key_hash = stored_key(kek, issuer_id=issuer_id, key=key)
    sealed = _seal(kek, issuer_id=issuer_id, key=key, response=response)
    inserted = session.execute(
        _finished_insert(session.get_bind().dialect.name == "postgresql"),
        {
            "id": secrets.token_hex(16),
            "issuer_id": issuer_id,
            "key_hash": key_hash,
            "fingerprint": request_fingerprint,
            "sealed_response": sealed,
            "created_at": now,
            "completed_at": now,
        },
    ).first()
    if inserted is not None:
        return None
    found = session.exec(
        select(IssuerIdempotency).where(
            col(IssuerIdempotency.issuer_id) == issuer_id,
            col(IssuerIdempotency.key_hash) == key_hash,
        )
    ).first()
    if found is None:  # Released between our insert and our look; try once more.
        return record_finished(
            session,
            issuer_id=issuer_id,
            key=key,
            request_fingerprint=request_fingerprint,
            response=response,
            kek=kek,
            now=now,
        )
    created = as_utc(found.created_at)
    finished = found.completed_at is not None and found.sealed_response is not None
    expired = finished and now - created > RETENTION
    if not expired and found.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused("the Idempotency-Key was used with another request body")
    if expired or (not finished and now - created > STALE_AFTER):
        started = _take_over(session, found, key, request_fingerprint, now, commit=False)
        _store(session, started.record_id, sealed, now)
        return None
    if not finished or found.sealed_response is None:
        raise IdempotencyInProgress("retry when the first request has finished")
    plaintext = open_sealed(kek, found.sealed_response, context=_context(issuer_id, key))
    return Replay(json_object(plaintext, what="stored response"))


@cache
def _finished_insert(postgres: bool) -> Executable:
    """:func:`record_finished`'s ``INSERT ... ON CONFLICT DO NOTHING RETURNING id``, built once
    per dialect; its values are bound at execution (every issuance runs it)."""
    table: Table = IssuerIdempotency.__table__  # type: ignore[attr-defined]
    if postgres:
        return postgresql.insert(table).on_conflict_do_nothing().returning(table.c.id)
    return sqlite.insert(table).on_conflict_do_nothing().returning(table.c.id)


def _seal(kek: bytes, *, issuer_id: str, key: str, response: dict[str, Any]) -> bytes:
    return seal(
        kek,
        json_dumps(response).encode("utf-8"),
        context=_context(issuer_id, key),
        nonce=secrets.token_bytes(12),
    )


def _store(session: Session, record_id: str, sealed: bytes, now: datetime) -> None:
    session.exec(
        update(IssuerIdempotency)
        .where(col(IssuerIdempotency.id) == record_id)
        .values(sealed_response=sealed, completed_at=require_aware(now))
    )


def _take_over(
    session: Session,
    found: IssuerIdempotency,
    key: str,
    request_fingerprint: str,
    now: datetime,
    *,
    commit: bool = True,
) -> Started:
    # Conditional on the row being unchanged, so two takers cannot both win.
    result = session.exec(
        update(IssuerIdempotency)
        .where(
            col(IssuerIdempotency.id) == found.id,
            col(IssuerIdempotency.created_at) == found.created_at,
        )
        .values(
            created_at=now,
            fingerprint=request_fingerprint,
            completed_at=None,
            sealed_response=None,
        )
    )
    if result.rowcount != 1:
        session.rollback()
        raise IdempotencyInProgress("retry when the first request has finished")
    if commit:
        session.commit()
    return Started(found.id, key)


def complete(
    session: Session,
    *,
    started: Started,
    issuer_id: str,
    response: dict[str, Any],
    kek: bytes,
    now: datetime,
) -> None:
    """Store the sealed response in the caller's transaction (the caller commits)."""
    sealed = _seal(kek, issuer_id=issuer_id, key=started.key, response=response)
    _store(session, started.record_id, sealed, now)


def release(session: Session, *, started: Started) -> None:
    """Forget a key whose request failed, so that it can be retried; commits."""
    session.rollback()
    session.exec(
        delete(IssuerIdempotency).where(
            col(IssuerIdempotency.id) == started.record_id,
            col(IssuerIdempotency.completed_at).is_(None),
        )
    )
    session.commit()


def purge_idempotency_records(session: Session, *, now: datetime) -> int:
    """Delete records older than :data:`RETENTION`; commits; returns how many.

    Finished ones have served their replay window; unfinished ones that old were left by a
    process that died mid-request (no request runs for a day) and would otherwise stay forever.
    """
    cutoff = require_aware(now) - RETENTION
    result = session.exec(
        delete(IssuerIdempotency).where(col(IssuerIdempotency.created_at) < cutoff)
    )
    session.commit()
    return int(result.rowcount)
