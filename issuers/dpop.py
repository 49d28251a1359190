"""DPoP (RFC 9449) at the OpenID4VCI doors: the proof checked, its ``jti`` used once.

Offered, not required: a wallet that sends a ``DPoP`` header to the token endpoint gets a
DPoP-bound access token (``token_type`` ``DPoP``, RFC 9449 §5) whose key thumbprint is stored
with it (§6); without the header the token is a Bearer token as before.

- :func:`check_proof`: the pure checks of :func:`credentials.dpop.check_dpop_proof` (§4.3) with
  this issuer's algorithms (:data:`DPOP_ALGORITHMS`, advertised as
  ``dpop_signing_alg_values_supported``) and window (:data:`PROOF_MAX_AGE`,
  :data:`PROOF_LEEWAY`), failures raised as the door's error class.
- :func:`remember_proof`: the replay check of §11.1. A hash of (issuer, key thumbprint, ``jti``)
  is inserted and committed; the primary key refuses a second one. Kept until no proof with that
  ``iat`` could pass the window, deleted then; at most :data:`MAX_LIVE_PROOFS` per issuer. Only
  requests that already hold a live pre-authorized code with its transaction code, or a live
  access token, reach it, so the public endpoints cannot fill it.

Server-provided DPoP nonces (§8, ``use_dpop_nonce``) are not asked for: the proof's freshness is
its ``iat`` window and the single-use ``jti``.
"""

import hashlib
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from credentials.clock import require_aware
from credentials.dpop import DPoPProof, check_dpop_proof
from credentials.errors import DPoPProofInvalid
from issuers.errors import DPoPProofLimitReached, OAuthError
from issuers.tables import IssuerDPoPProof

DPOP_ALGORITHMS: Final = ("ES256", "EdDSA")
PROOF_MAX_AGE: Final = timedelta(minutes=5)
PROOF_LEEWAY: Final = timedelta(seconds=60)
MAX_LIVE_PROOFS: Final = 10_000


def check_proof(
    proof: str,
    *,
    method: str,
    uri: str,
    now: datetime,
    access_token: str | None,
    refuse: type[OAuthError],
) -> DPoPProof:
    """Check ``proof`` for a ``method`` request to ``uri``; raise ``refuse`` when it fails."""
    try:
        return check_dpop_proof(
            proof,
            method=method,
            uri=uri,
            now=now,
            max_age=PROOF_MAX_AGE,
            leeway=PROOF_LEEWAY,
            algorithms=DPOP_ALGORITHMS,
            access_token=access_token,
        )
    except DPoPProofInvalid as error:
        raise refuse(error.detail) from None


def _jti_hash(issuer_id: str, proof: DPoPProof) -> str:
    material = f"taito-dpop-jti|{issuer_id}|{proof.jkt}|{proof.jti}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def remember_proof(
    session: Session,
    *,
    issuer_id: str,
    proof: DPoPProof,
    now: datetime,
    refuse: type[OAuthError],
) -> None:
    """Record ``proof``'s ``jti`` once (RFC 9449 §11.1); commits.

    Raises ``refuse`` when the same key already used that ``jti`` within the window, and
    :class:`DPoPProofLimitReached` (429) when the issuer has :data:`MAX_LIVE_PROOFS` live.
    """
    now = require_aware(now)
    session.exec(delete(IssuerDPoPProof).where(col(IssuerDPoPProof.expires_at) <= now))
    live = session.exec(
        select(func.count())
        .select_from(IssuerDPoPProof)
        .where(col(IssuerDPoPProof.issuer_id) == issuer_id)
    ).one()
    if live >= MAX_LIVE_PROOFS:
        session.commit()
        raise DPoPProofLimitReached("the issuer has too many live DPoP proofs")
    try:
        with session.begin_nested():
            session.add(
                IssuerDPoPProof(
                    jti_hash=_jti_hash(issuer_id, proof),
                    issuer_id=issuer_id,
                    expires_at=now + PROOF_MAX_AGE + PROOF_LEEWAY,
                )
            )
    except IntegrityError:
        session.commit()
        raise refuse("the DPoP proof has been used before") from None
    session.commit()


def purge_spent_proofs(session: Session, *, now: datetime) -> int:
    """Delete the DPoP proofs past their window; in the caller's transaction; returns how many."""
    spent = session.exec(
        delete(IssuerDPoPProof).where(col(IssuerDPoPProof.expires_at) <= require_aware(now))
    )
    return int(spent.rowcount)
