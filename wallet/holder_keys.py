"""Holder keys: the key pair each person's credentials are bound to (SD-JWT VC §3.2.2.2 ``cnf``).

Every holder gets an ES256 (P-256) key pair at registration. The private JWK is sealed under the
key-encryption key with the context ``holder-key|<holder id>|<kid>`` (like issuer keys); the
public JWK and its did:jwk are what issuers bind credentials to (``GET /v1/wallet/binding``).
A wallet imported from another instance brings its earlier keys along, so the credentials bound
to them can still be presented; the newest key stays the primary one.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from credentials.did_jwk import did_jwk_key_id, encode_did_jwk, resolve_did_jwk
from credentials.encoding import json_dumps, json_object
from credentials.errors import TaitoError
from credentials.jws import parse_compact, payload_object
from credentials.kb_jwt import holder_key_from_cnf
from credentials.keys import (
    JWK,
    Algorithm,
    PrivateKey,
    PublicKey,
    generate_key,
    private_key_from_jwk,
    public_key_from_jwk,
)
from credentials.sd_jwt_holder import open_sd_jwt
from sealing.aead import NONCE_BYTES, open_sealed, seal
from wallet.errors import WalletNotFound
from wallet.tables import WalletHolderKey

DEFAULT_HOLDER_ALGORITHM: Algorithm = "ES256"


@dataclass(frozen=True)
class HolderBinding:
    """What an issuer binds a credential to: the public JWK and the same key as a did:jwk."""

    kid: str
    alg: str
    jwk: JWK
    did: str
    verification_method: str


def _context(holder_id: str, kid: str) -> bytes:
    return f"holder-key|{holder_id}|{kid}".encode()


def store_holder_key(
    session: Session, *, holder_id: str, key: PrivateKey, kek: bytes, now: datetime, primary: bool
) -> WalletHolderKey:
    """Add ``key`` to the holder's keys, sealed under ``kek`` (the caller commits)."""
    sealed = seal(
        kek,
        json_dumps(key.private_jwk).encode("utf-8"),
        context=_context(holder_id, key.kid),
        nonce=secrets.token_bytes(NONCE_BYTES),
    )
    if primary:
        for other in session.exec(
            select(WalletHolderKey).where(col(WalletHolderKey.holder_id) == holder_id)
        ):
            other.is_primary = False
            session.add(other)
    row = WalletHolderKey(
        id=f"hk_{secrets.token_hex(16)}",
        holder_id=holder_id,
        kid=key.kid,
        alg=key.alg,
        public_jwk=key.public.jwk,
        sealed_private_jwk=sealed,
        is_primary=primary,
        created_at=now,
    )
    session.add(row)
    return row


def create_holder_key(
    session: Session, *, holder_id: str, kek: bytes, now: datetime
) -> WalletHolderKey:
    """Generate the holder's primary ES256 key and store it sealed (the caller commits)."""
    key = generate_key(DEFAULT_HOLDER_ALGORITHM)
    return store_holder_key(session, holder_id=holder_id, key=key, kek=kek, now=now, primary=True)


def _rows(session: Session, holder_id: str) -> list[WalletHolderKey]:
    statement = (
        select(WalletHolderKey)
        .where(col(WalletHolderKey.holder_id) == holder_id)
        .order_by(col(WalletHolderKey.is_primary).desc(), col(WalletHolderKey.created_at).desc())
    )
    return list(session.exec(statement))


def holder_binding(session: Session, *, holder_id: str) -> HolderBinding:
    """The holder's primary public key as JWK and did:jwk (did:jwk specification, "Create").

    Raises :class:`WalletNotFound` when the holder has no key.
    """
    rows = _rows(session, holder_id)
    if not rows:
        raise WalletNotFound("the wallet has no holder key")
    public = public_key_from_jwk(rows[0].public_jwk)
    did = encode_did_jwk(public)
    return HolderBinding(
        kid=public.kid,
        alg=public.alg,
        jwk=public.jwk,
        did=did,
        verification_method=did_jwk_key_id(did),
    )


def holder_public_keys(session: Session, *, holder_id: str) -> tuple[PublicKey, ...]:
    """Every public key of the holder, the primary first."""
    return tuple(public_key_from_jwk(row.public_jwk) for row in _rows(session, holder_id))


def holder_signing_key(
    session: Session, *, holder_id: str, thumbprint: str | None, kek: bytes
) -> PrivateKey:
    """Open the holder's private key with RFC 7638 ``thumbprint`` (the primary one if ``None``).

    Raises :class:`WalletNotFound` when the holder has no such key and ``SealError`` when the
    sealed key does not open with ``kek``.
    """
    for row in _rows(session, holder_id):
        if thumbprint is None or public_key_from_jwk(row.public_jwk).thumbprint == thumbprint:
            opened = open_sealed(kek, row.sealed_private_jwk, context=_context(holder_id, row.kid))
            return private_key_from_jwk(json_object(opened, what="holder key"), kid=row.kid)
    raise WalletNotFound("the wallet holds no key the credential is bound to")


def holder_private_jwks(session: Session, *, holder_id: str, kek: bytes) -> list[JWK]:
    """Every private JWK of the holder, for the person's own export (a secret)."""
    keys: list[JWK] = []
    for row in _rows(session, holder_id):
        opened = open_sealed(kek, row.sealed_private_jwk, context=_context(holder_id, row.kid))
        keys.append(json_object(opened, what="holder key"))
    return keys


def key_bound_to(credential: str, keys: tuple[PublicKey, ...]) -> PublicKey:
    """Which of the holder's keys ``credential`` names (``cnf.jwk``), else the first (primary).

    The peek is unverified and only picks the key to verify against (SD-JWT VC §3.2.2.2 ``cnf``;
    for a ``vc+jwt`` a did:jwk subject ``id``, VC DM 2.0 Appendix A.4); the gate then checks the
    binding for real.
    """
    bound: set[str] = set()
    try:
        if "~" in credential:
            bound.add(holder_key_from_cnf(open_sd_jwt(credential).claims).thumbprint)
        else:
            payload = payload_object(parse_compact(credential, what="credential"))
            subjects = payload.get("credentialSubject")
            for subject in subjects if isinstance(subjects, list) else [subjects]:
                subject_id = subject.get("id") if isinstance(subject, dict) else None
                if isinstance(subject_id, str) and subject_id.startswith("did:jwk:"):
                    bound.add(resolve_did_jwk(subject_id).thumbprint)
    except (TaitoError, ValueError):
        return keys[0]
    return next((key for key in keys if key.thumbprint in bound), keys[0])
