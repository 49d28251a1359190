"""Key custody: issuer signing keys generated here, sealed at rest, rotated, published.

- Generation: EdDSA (Ed25519) or ES256 (P-256) keys made on the server (``credentials.keys``);
  the ``kid`` is the RFC 7638 thumbprint.
- At rest: the private JWK is sealed with AES-256-GCM under the KEK (NIST SP 800-38D through
  ``sealing.aead``) with associated data ``issuer-key|<issuer id>|<kid>``, so a row copied
  to another issuer, or relabelled, does not open. The private key never leaves this module
  except as a :class:`~credentials.keys.PrivateKey` handed to the signing code.
- Cache: within a request the opened key is kept in the application's
  :data:`PRIVATE_KEY_CACHE`, keyed by issuer, kid and a digest of the sealed bytes and the KEK,
  so a batch of a thousand credentials opens it once; the cache belongs to the application
  (``api.caches``), never to the process.
- Rotation: the new key signs from then on; a retired key stays published while any credential
  it signed is still valid (not expired), so those keep verifying (SD-JWT VC §3.5).
"""

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, exists, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from credentials.bounded_cache import CacheSlot
from credentials.clock import as_utc, as_utc_or_none, require_aware
from credentials.encoding import json_dumps, json_object
from credentials.errors import UnsupportedAlgorithm
from credentials.keys import (
    Algorithm,
    PrivateKey,
    PublicKey,
    algorithm_of,
    generate_key,
    private_key_from_jwk,
    public_key_from_jwk,
)
from issuers.errors import IssuerInvalid
from issuers.state_version import bump_state_version
from issuers.tables import IssuerCredential, IssuerKey
from sealing.aead import open_sealed, seal

PrivateKeyCacheKey = tuple[str, str, bytes]
PRIVATE_KEY_OVERHEAD = 2048
"""Bytes charged per opened private key beyond its cache key (the key objects themselves)."""


def private_key_cost(cache_key: PrivateKeyCacheKey, _key: PrivateKey) -> int:
    """What an opened key is charged in the cache: its key and the key objects."""
    issuer_id, kid, fingerprint = cache_key
    return PRIVATE_KEY_OVERHEAD + len(issuer_id) + len(kid) + len(fingerprint)


PRIVATE_KEY_CACHE: CacheSlot[PrivateKeyCacheKey, PrivateKey] = CacheSlot("taito.private_keys")
"""Where :func:`signing_key` finds its application's cache of opened private keys."""


@dataclass(frozen=True)
class SigningKey:
    """The issuer's active key, opened, and its row id."""

    key: PrivateKey
    issuer_id: str

    @property
    def kid(self) -> str:
        return self.key.kid

    def with_kid(self, kid: str) -> PrivateKey:
        """The same key under another ``kid`` (e.g. a did:web verification method id)."""
        return replace(self.key, public=replace(self.key.public, kid=kid))


@dataclass(frozen=True)
class KeyInfo:
    """A key's public facts (never the private part)."""

    kid: str
    alg: str
    public_jwk: dict[str, str]
    created_at: datetime
    retired_at: datetime | None


def key_context(issuer_id: str, kid: str) -> bytes:
    """The associated data that binds a sealed private key to its issuer and kid."""
    return f"issuer-key|{issuer_id}|{kid}".encode()


def add_issuer_key(
    session: Session, *, issuer_id: str, alg: str, kek: bytes, now: datetime
) -> KeyInfo:
    """Generate a key for ``issuer_id``, seal it, and add the row (the caller commits).

    RFC 7638 (kid), NIST SP 800-38D (sealing). Raises :class:`IssuerInvalid` for an algorithm
    other than EdDSA and ES256.
    """
    try:
        algorithm: Algorithm = algorithm_of(alg)
    except UnsupportedAlgorithm:
        raise IssuerInvalid("the key algorithm must be EdDSA or ES256") from None
    key = generate_key(algorithm)
    sealed = seal(
        kek,
        json_dumps(key.private_jwk).encode("utf-8"),
        context=key_context(issuer_id, key.kid),
        nonce=secrets.token_bytes(12),
    )
    row = IssuerKey(
        id=secrets.token_hex(16),
        issuer_id=issuer_id,
        kid=key.kid,
        alg=key.alg,
        public_jwk=key.public.jwk,
        sealed_private=sealed,
        created_at=require_aware(now),
    )
    session.add(row)
    bump_state_version(session)  # a verifier of this instance must see the new key at once
    return _info(row)


def rotate_issuer_key(
    session: Session, *, issuer_id: str, alg: str, kek: bytes, now: datetime
) -> KeyInfo:
    """Retire the active key and make a new one the signing key; commits.

    The retired key stays published while credentials it signed are valid (see
    :func:`published_keys`). Raises :class:`IssuerInvalid` for an unsupported algorithm.
    """
    now = require_aware(now)
    session.exec(
        update(IssuerKey)
        .where(col(IssuerKey.issuer_id) == issuer_id, col(IssuerKey.retired_at).is_(None))
        .values(retired_at=now)
    )
    # Flush the retirement first: the partial unique index allows one active key per issuer.
    session.flush()
    info = add_issuer_key(session, issuer_id=issuer_id, alg=alg, kek=kek, now=now)
    session.commit()
    return info


@cache
def _active_key_statement() -> "Select[str, bytes]":
    """:func:`signing_key`'s statement, built once with a bound parameter (every issuance
    runs it)."""
    return select(IssuerKey.kid, IssuerKey.sealed_private).where(
        col(IssuerKey.issuer_id) == bindparam("b_issuer_id"), col(IssuerKey.retired_at).is_(None)
    )


def signing_key(session: Session, *, issuer_id: str, kek: bytes) -> SigningKey:
    """The issuer's active private key, opened once per application and then cached.

    Raises :class:`~sealing.aead.SealError` when the sealed key does not open (wrong KEK,
    or a row that belongs to another issuer or kid) and ``LookupError`` without an active key.
    """
    row = session.exec(_active_key_statement(), params={"b_issuer_id": issuer_id}).first()
    if row is None:
        raise LookupError("the issuer has no active key")
    kid, sealed = row
    return SigningKey(key=_open(issuer_id, kid, sealed, kek), issuer_id=issuer_id)


def _open(issuer_id: str, kid: str, sealed: bytes, kek: bytes) -> PrivateKey:
    # The cache key includes a digest of the sealed value and of the KEK, so an altered row or
    # another KEK never hits an entry opened from something else.
    fingerprint = hashlib.sha256(kek + b"|" + sealed).digest()
    cache_key = (issuer_id, kid, fingerprint)
    cache = PRIVATE_KEY_CACHE.current()
    found = cache.get(cache_key) if cache is not None else None
    if found is not None:
        return found
    plaintext = open_sealed(kek, sealed, context=key_context(issuer_id, kid))
    key = private_key_from_jwk(json_object(plaintext, what="sealed private key"), kid=kid)
    if cache is not None:
        cache.put(cache_key, key)
    return key


def published_keys(session: Session, *, issuer_id: str, now: datetime) -> tuple[PublicKey, ...]:
    """Public keys to publish: the active key and retired keys that signed still-valid credentials.

    SD-JWT VC §3.5 (issuer key discovery) and §4 (JWT VC Issuer Metadata). Active key first.
    """
    now = require_aware(now)
    still_valid = exists().where(
        col(IssuerCredential.issuer_id) == issuer_id,
        col(IssuerCredential.kid) == IssuerKey.kid,
        (col(IssuerCredential.expires_at).is_(None)) | (col(IssuerCredential.expires_at) > now),
    )
    rows = session.exec(
        select(IssuerKey.kid, IssuerKey.public_jwk, IssuerKey.retired_at)
        .where(col(IssuerKey.issuer_id) == issuer_id)
        .where(col(IssuerKey.retired_at).is_(None) | still_valid)
        .order_by(col(IssuerKey.retired_at).is_not(None), col(IssuerKey.created_at).desc())
    ).all()
    return tuple(public_key_from_jwk(dict(jwk), kid=kid) for kid, jwk, _ in rows)


def list_keys(session: Session, *, issuer_id: str) -> tuple[KeyInfo, ...]:
    """Every key of the issuer, newest first (public facts only)."""
    rows = session.exec(
        select(IssuerKey)
        .where(col(IssuerKey.issuer_id) == issuer_id)
        .order_by(col(IssuerKey.created_at).desc())
    ).all()
    return tuple(_info(row) for row in rows)


def _info(row: IssuerKey) -> KeyInfo:
    return KeyInfo(
        kid=row.kid,
        alg=row.alg,
        public_jwk=dict(row.public_jwk),
        created_at=as_utc(row.created_at),
        retired_at=as_utc_or_none(row.retired_at),
    )
