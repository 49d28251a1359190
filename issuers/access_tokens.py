"""OpenID4VCI 1.0 token endpoint (§6, pre-authorized code grant) and nonce endpoint (§7).

- :func:`exchange_pre_authorized_code`: a pre-authorized code (single use, expiring with its
  offer) and its transaction code become an opaque access token of 256 random bits, valid for
  :data:`ACCESS_TOKEN_LIFETIME`, bound to the one offer and stored as a hash. The offered request
  moves from under the code's key to under the token's key, so the code is useless afterwards.
  Every try of a transaction code counts (committed before the comparison); after
  :data:`~issuers.pre_authorized.MAX_TX_ATTEMPTS` tries the offer's pre-authorized grant is
  dead (§13.6.3). Anonymous access: no client authentication (§6.1; ``client_id`` is ignored);
  ``resource`` (RFC 8707), when sent, must be the credential issuer identifier. With a
  ``DPoP`` proof (RFC 9449 §5, checked by :mod:`issuers.dpop`) the token is bound to the proof's
  key: ``token_type`` ``DPoP`` and the key's thumbprint stored with the token's hash (§6);
  without one it is a Bearer token.
- :func:`new_nonce` / :func:`consume_nonce`: a ``c_nonce`` of 256 random bits per request, stored
  as a hash with its issuer, valid :data:`NONCE_LIFETIME`, deleted when a proof uses it.
"""

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from credentials.clock import as_utc, require_aware
from credentials.dpop import DPoPProof
from issuers.dpop import check_proof, purge_spent_proofs, remember_proof
from issuers.errors import (
    InvalidAccessToken,
    InvalidDPoPProof,
    InvalidGrant,
    InvalidNonce,
    InvalidTarget,
    NonceLimitReached,
    TokenRequestInvalid,
    UnsupportedGrantType,
)
from issuers.identifiers import issuer_identifier
from issuers.organisations import IssuerAccount
from issuers.pre_authorized import (
    CODE_SEAL_LABEL,
    MAX_SECRET_LENGTH,
    MAX_TX_ATTEMPTS,
    TX_CODE_LENGTH,
    code_hash,
    offer_context,
    open_request,
    seal_request,
    tx_code_matches,
)
from issuers.tables import IssuerAccessToken, IssuerNonce, IssuerOffer

PRE_AUTHORIZED_GRANT: Final = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
ACCESS_TOKEN_LIFETIME: Final = timedelta(minutes=10)
NONCE_LIFETIME: Final = timedelta(minutes=5)
MAX_LIVE_NONCES: Final = 10_000
"""Live ``c_nonce`` values per issuer: the endpoint is public, so its table is bounded."""
TOKEN_SEAL_LABEL: Final = b"taito-access-token-seal|"
_MAX_FORM_VALUE: Final = 2048


@dataclass(frozen=True)
class AccessToken:
    """A token as answered once (RFC 6749 §5.1); only its hash is kept."""

    access_token: str
    token_type: str
    expires_in: int
    credential_configuration_id: str


@dataclass(frozen=True)
class Authorized:
    """What a live access token allows: one offer and its request (opened with the token), and
    the thumbprint of the DPoP key it is bound to (``None``: a Bearer token)."""

    token_hash: str
    offer_id: str
    issuer_id: str
    request: dict[str, Any]
    dpop_jkt: str | None


def _hash(label: bytes, secret: str) -> str:
    return hashlib.sha256(label + secret.encode("utf-8")).hexdigest()


def _token_hash(token: str) -> str:
    return _hash(b"taito-access-token|", token)


def _nonce_hash(nonce: str) -> str:
    return _hash(b"taito-c-nonce|", nonce)


def _token_context(token_hash: str) -> bytes:
    return f"issuer-access-token|{token_hash}".encode()


def _field(form: Mapping[str, str], name: str) -> str | None:
    value = form.get(name)
    if value is not None and len(value) > _MAX_FORM_VALUE:
        raise TokenRequestInvalid(f"{name} is too long")
    return value


def _remember(
    session: Session, *, issuer: IssuerAccount, proof: DPoPProof | None, now: datetime
) -> None:
    if proof is not None:
        remember_proof(session, issuer_id=issuer.id, proof=proof, now=now, refuse=InvalidDPoPProof)


def exchange_pre_authorized_code(
    session: Session,
    *,
    issuer: IssuerAccount,
    form: Mapping[str, str],
    dpop_proof: str | None,
    base_url: str,
    now: datetime,
) -> AccessToken:
    """Redeem the Token Request ``form`` (RFC 6749 §4.1.3, OpenID4VCI 1.0 §6.1); commits.

    ``dpop_proof`` is the request's ``DPoP`` header, if any (RFC 9449 §5). Raises
    :class:`UnsupportedGrantType`, :class:`TokenRequestInvalid` (``invalid_request``: no code,
    no transaction code), :class:`InvalidGrant` (unknown, used or expired code, another issuer's
    code, a wrong transaction code, too many attempts), :class:`InvalidTarget` and
    :class:`InvalidDPoPProof` (a proof failing RFC 9449 §4.3, or used before).
    """
    now = require_aware(now)
    if _field(form, "grant_type") != PRE_AUTHORIZED_GRANT:
        raise UnsupportedGrantType("grant_type must be the pre-authorized code grant")
    dpop: DPoPProof | None = None
    if dpop_proof is not None:
        dpop = check_proof(
            dpop_proof,
            method="POST",
            uri=f"{issuer_identifier(base_url, issuer.slug)}/oid4vci/token",
            now=now,
            access_token=None,
            refuse=InvalidDPoPProof,
        )
    code = _field(form, "pre-authorized_code")
    if not code:
        raise TokenRequestInvalid("pre-authorized_code is missing")
    resource = _field(form, "resource")
    if resource is not None and resource != issuer_identifier(base_url, issuer.slug):
        raise InvalidTarget("resource must be the credential issuer identifier")
    tx_code = _field(form, "tx_code")
    if len(code) > MAX_SECRET_LENGTH:
        raise InvalidGrant("the pre-authorized code is not valid")
    row = session.exec(
        select(IssuerOffer).where(col(IssuerOffer.pre_authorized_hash) == code_hash(code))
    ).first()
    if (
        row is None
        or row.issuer_id != issuer.id
        or row.redeemed_at is not None
        or row.pre_authorized_used_at is not None
        or row.sealed_pre_authorized is None
        or as_utc(row.expires_at) <= now
    ):
        raise InvalidGrant("the pre-authorized code is unknown, used or expired")
    offer_id, sealed = row.id, row.sealed_pre_authorized
    if row.tx_code_hash is not None:
        if tx_code is None:
            raise TokenRequestInvalid("this offer needs its tx_code")
        # Every try is counted before the comparison, by one conditional UPDATE committed on
        # its own: concurrent guesses cannot get past the limit (§13.6.3).
        counted = session.exec(
            update(IssuerOffer)
            .where(col(IssuerOffer.id) == offer_id, col(IssuerOffer.tx_attempts) < MAX_TX_ATTEMPTS)
            .values(tx_attempts=IssuerOffer.tx_attempts + 1)
        )
        session.commit()
        if counted.rowcount != 1:
            raise InvalidGrant("too many wrong transaction codes: the offer is no longer valid")
        # The proof is spent with the try it came with: a retry needs a fresh proof.
        _remember(session, issuer=issuer, proof=dpop, now=now)
        if len(tx_code) != TX_CODE_LENGTH or not tx_code_matches(
            row.tx_code_hash, offer_id=offer_id, tx_code=tx_code
        ):
            raise InvalidGrant("the transaction code is wrong")
    elif tx_code is not None:
        raise TokenRequestInvalid("this offer has no tx_code")
    else:
        _remember(session, issuer=issuer, proof=dpop, now=now)
    request = open_request(code, sealed, label=CODE_SEAL_LABEL, context=offer_context(offer_id))
    claimed = session.exec(
        update(IssuerOffer)
        .where(
            col(IssuerOffer.id) == offer_id,
            col(IssuerOffer.pre_authorized_used_at).is_(None),
            col(IssuerOffer.redeemed_at).is_(None),
        )
        .values(pre_authorized_used_at=now, sealed_pre_authorized=None)
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise InvalidGrant("the pre-authorized code is unknown, used or expired")
    token = secrets.token_urlsafe(32)
    token_hash = _token_hash(token)
    session.add(
        IssuerAccessToken(
            token_hash=token_hash,
            offer_id=offer_id,
            issuer_id=issuer.id,
            sealed_request=seal_request(
                token, request, label=TOKEN_SEAL_LABEL, context=_token_context(token_hash)
            ),
            expires_at=now + ACCESS_TOKEN_LIFETIME,
            dpop_jkt=None if dpop is None else dpop.jkt,
        )
    )
    session.commit()
    return AccessToken(
        access_token=token,
        token_type="Bearer" if dpop is None else "DPoP",
        expires_in=int(ACCESS_TOKEN_LIFETIME.total_seconds()),
        credential_configuration_id=str(request["type"]),
    )


def authorize(session: Session, *, issuer: IssuerAccount, token: str, now: datetime) -> Authorized:
    """The offer a live, unused access token of ``issuer`` allows (RFC 6750 §3); reads only.

    Raises :class:`InvalidAccessToken` (401) for anything else.
    """
    now = require_aware(now)
    if not token or len(token) > MAX_SECRET_LENGTH:
        raise InvalidAccessToken("the access token is not valid")
    token_hash = _token_hash(token)
    row = session.get(IssuerAccessToken, token_hash)
    if (
        row is None
        or row.issuer_id != issuer.id
        or row.used_at is not None
        or row.sealed_request is None
        or as_utc(row.expires_at) <= now
    ):
        raise InvalidAccessToken("the access token is unknown, used or expired")
    request = open_request(
        token, row.sealed_request, label=TOKEN_SEAL_LABEL, context=_token_context(token_hash)
    )
    return Authorized(
        token_hash=token_hash,
        offer_id=row.offer_id,
        issuer_id=row.issuer_id,
        request=request,
        dpop_jkt=row.dpop_jkt,
    )


def spend_access_token(session: Session, *, token_hash: str, now: datetime) -> None:
    """Mark the token used and drop its sealed request, in the caller's transaction (a step).

    Raises :class:`InvalidAccessToken` when a concurrent request spent it first.
    """
    spent = session.exec(
        update(IssuerAccessToken)
        .where(
            col(IssuerAccessToken.token_hash) == token_hash,
            col(IssuerAccessToken.used_at).is_(None),
        )
        .values(used_at=require_aware(now), sealed_request=None)
    )
    if spent.rowcount != 1:
        raise InvalidAccessToken("the access token has been used")


def new_nonce(session: Session, *, issuer: IssuerAccount, now: datetime) -> str:
    """A fresh ``c_nonce`` for ``issuer`` (§7.2); deletes expired nonces; commits.

    Raises :class:`NonceLimitReached` (429) when the issuer has :data:`MAX_LIVE_NONCES` live.
    """
    now = require_aware(now)
    session.exec(delete(IssuerNonce).where(col(IssuerNonce.expires_at) <= now))
    live = session.exec(
        select(func.count()).select_from(IssuerNonce).where(col(IssuerNonce.issuer_id) == issuer.id)
    ).one()
    if live >= MAX_LIVE_NONCES:
        session.commit()
        raise NonceLimitReached("the issuer has too many live nonces")
    nonce = secrets.token_urlsafe(32)
    session.add(
        IssuerNonce(
            nonce_hash=_nonce_hash(nonce), issuer_id=issuer.id, expires_at=now + NONCE_LIFETIME
        )
    )
    session.commit()
    return nonce


def consume_nonce(session: Session, *, issuer: IssuerAccount, nonce: str, now: datetime) -> None:
    """Use ``nonce`` once, in the caller's transaction (a step; §8.2, §13.10 proof replay).

    Raises :class:`InvalidNonce` when it is unknown, another issuer's, used or expired.
    """
    now = require_aware(now)
    if not nonce or len(nonce) > MAX_SECRET_LENGTH:
        raise InvalidNonce("the nonce is not valid")
    used = session.exec(
        delete(IssuerNonce).where(
            col(IssuerNonce.nonce_hash) == _nonce_hash(nonce),
            col(IssuerNonce.issuer_id) == issuer.id,
            col(IssuerNonce.expires_at) > now,
        )
    )
    if used.rowcount != 1:
        raise InvalidNonce("the nonce is unknown, used or expired")


def purge_spent_grants(session: Session, *, now: datetime) -> int:
    """Delete expired access tokens, nonces and DPoP proofs; commits; returns how many."""
    now = require_aware(now)
    tokens = session.exec(delete(IssuerAccessToken).where(col(IssuerAccessToken.expires_at) <= now))
    nonces = session.exec(delete(IssuerNonce).where(col(IssuerNonce.expires_at) <= now))
    proofs = purge_spent_proofs(session, now=now)
    session.commit()
    return int(tokens.rowcount) + int(nonces.rowcount) + proofs
