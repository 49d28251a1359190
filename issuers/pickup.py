"""One-time pickup codes: a wallet on this instance collects an issued credential with a code.

The issuer hands the code to the person (printed, e-mailed); the person's wallet redeems it once
(``POST /v1/wallet/pickup``). The code ``tpc_<43 characters>`` carries 256 random bits and is
itself the key: the database keeps SHA-256 of the code (domain-separated) to find the row, and
the credential sealed with AES-256-GCM under a second, independent SHA-256 of the code (NIST SP
800-38D through ``sealing.aead``). A copy of the database therefore reveals no credential,
and no KEK is needed to redeem. Redeeming erases the sealed credential; codes expire.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from credentials.clock import as_utc, require_aware
from issuers.errors import PickupCodeExpired, PickupCodeUnknown, PickupCodeUsed
from issuers.tables import IssuerPickup
from sealing.aead import open_sealed, seal

PICKUP_PREFIX: Final = "tpc_"
PICKUP_LIFETIME: Final = timedelta(days=14)
_MAX_CODE_LENGTH: Final = 100


@dataclass(frozen=True)
class NewPickup:
    """A fresh code (to hand out once) and the row values that store it."""

    code: str
    row: dict[str, object]


def _lookup_hash(code: str) -> str:
    return hashlib.sha256(b"taito-pickup-lookup|" + code.encode("utf-8")).hexdigest()


def _sealing_key(code: str) -> bytes:
    return hashlib.sha256(b"taito-pickup-seal|" + code.encode("utf-8")).digest()


def _context(credential_id: str) -> bytes:
    return f"issuer-pickup|{credential_id}".encode()


def new_pickup(*, credential_id: str, credential: str, now: datetime) -> NewPickup:
    """Make a pickup code for ``credential`` and the sealed row to insert (no database access)."""
    code = PICKUP_PREFIX + secrets.token_urlsafe(32)
    sealed = seal(
        _sealing_key(code),
        credential.encode("utf-8"),
        context=_context(credential_id),
        nonce=secrets.token_bytes(12),
    )
    row: dict[str, object] = {
        "code_hash": _lookup_hash(code),
        "credential_id": credential_id,
        "sealed_credential": sealed,
        "expires_at": require_aware(now) + PICKUP_LIFETIME,
        "redeemed_at": None,
    }
    return NewPickup(code=code, row=row)


def claim_pickup_code(session: Session, *, code: str, now: datetime) -> str:
    """Mark ``code`` redeemed and return its credential, in the caller's transaction (no commit).

    A step for a flow (``api.flows.pickup``): the caller commits once the wallet has stored the
    credential, or rolls back, which leaves the code usable, so a wallet that refuses the
    credential does not burn the code. The claim is one conditional ``UPDATE`` (``redeemed_at IS
    NULL``), so of two concurrent redemptions one wins. Raises :class:`PickupCodeUnknown` (404),
    :class:`PickupCodeUsed` (410, also when another redemption won the race) and
    :class:`PickupCodeExpired` (410).
    """
    now = require_aware(now)
    if not code.startswith(PICKUP_PREFIX) or len(code) > _MAX_CODE_LENGTH:
        raise PickupCodeUnknown("this is not a pickup code")
    code_hash = _lookup_hash(code)
    row = session.exec(select(IssuerPickup).where(col(IssuerPickup.code_hash) == code_hash)).first()
    if row is None:
        raise PickupCodeUnknown("the pickup code is not known")
    if row.redeemed_at is not None or row.sealed_credential is None:
        raise PickupCodeUsed("the pickup code has been used")
    if as_utc(row.expires_at) <= now:
        raise PickupCodeExpired("the pickup code has expired")
    sealed, credential_id = row.sealed_credential, row.credential_id
    claimed = session.exec(
        update(IssuerPickup)
        .where(col(IssuerPickup.code_hash) == code_hash, col(IssuerPickup.redeemed_at).is_(None))
        .values(redeemed_at=now, sealed_credential=None)
    )
    if claimed.rowcount != 1:
        raise PickupCodeUsed("the pickup code has been used")
    return open_sealed(_sealing_key(code), sealed, context=_context(credential_id)).decode("utf-8")


def purge_expired_pickups(session: Session, *, now: datetime) -> int:
    """Delete pickup rows that expired before ``now``; commits; returns how many."""
    now = require_aware(now)
    result = session.exec(delete(IssuerPickup).where(col(IssuerPickup.expires_at) <= now))
    session.commit()
    return int(result.rowcount)
