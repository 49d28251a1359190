"""The secrets of an OpenID4VCI 1.0 pre-authorized code grant (§3.5, §4.1.1), and how they are kept.

An offer made for any wallet (``POST /v1/issuers/{slug}/offers``) carries, besides the pickup
code of :mod:`issuers.offers`:

- a *reference* ``r`` (256 random bits): the last path segment of its ``credential_offer_uri``
  (§4.1.3); the pre-authorized code is derived from it (``SHA-256("taito-pre-auth|" + r)``,
  base64url), so the offer served by reference can name the code without the code being stored;
- the *pre-authorized code*: the database keeps only a domain-separated SHA-256 of it, and the
  offered request sealed with AES-256-GCM under a second, independent hash of it;
- a numeric *transaction code* of :data:`TX_CODE_LENGTH` digits, sent to the person by another
  channel (§4.1.1 ``tx_code``, §13.6): kept as a SHA-256 salted with the offer id; a wrong code
  counts an attempt, and after :data:`MAX_TX_ATTEMPTS` the offer is dead (§13.6.3 "Transaction
  Code Guessing").

A copy of the database therefore reveals neither the codes nor the claims.
"""

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any, Final

from credentials.encoding import b64url_encode
from sealing.aead import open_sealed, seal

TX_CODE_LENGTH: Final = 6
MAX_TX_ATTEMPTS: Final = 5
MAX_SECRET_LENGTH: Final = 128
"""Longest reference, pre-authorized code or access token read (ours are 43 characters)."""


@dataclass(frozen=True)
class NewGrant:
    """A fresh grant: the reference and transaction code (to hand out once) and the row values."""

    reference: str
    tx_code: str
    row: dict[str, Any]


def _sha256_hex(label: bytes, secret: str) -> str:
    return hashlib.sha256(label + secret.encode("utf-8")).hexdigest()


def pre_authorized_code(reference: str) -> str:
    """The pre-authorized code the offer with ``reference`` carries."""
    return b64url_encode(hashlib.sha256(b"taito-pre-auth|" + reference.encode("ascii")).digest())


def reference_hash(reference: str) -> str:
    """How the reference is stored and looked up."""
    return _sha256_hex(b"taito-offer-ref|", reference)


def code_hash(code: str) -> str:
    """How the pre-authorized code is stored and looked up."""
    return _sha256_hex(b"taito-pre-auth-lookup|", code)


def tx_code_hash(offer_id: str, tx_code: str) -> str:
    """How the transaction code of ``offer_id`` is stored."""
    return _sha256_hex(f"taito-tx-code|{offer_id}|".encode(), tx_code)


def tx_code_matches(stored: str, *, offer_id: str, tx_code: str) -> bool:
    """Whether ``tx_code`` is the offer's transaction code (constant-time comparison)."""
    return hmac.compare_digest(stored, tx_code_hash(offer_id, tx_code))


def _sealing_key(secret: str, label: bytes) -> bytes:
    return hashlib.sha256(label + secret.encode("utf-8")).digest()


def seal_request(secret: str, request: dict[str, Any], *, label: bytes, context: bytes) -> bytes:
    """``request`` sealed under a key derived from ``secret`` (a code or an access token)."""
    return seal(
        _sealing_key(secret, label),
        json.dumps(request, separators=(",", ":")).encode("utf-8"),
        context=context,
        nonce=secrets.token_bytes(12),
    )


def open_request(secret: str, sealed: bytes, *, label: bytes, context: bytes) -> dict[str, Any]:
    """Open what :func:`seal_request` sealed; raises :class:`sealing.aead.SealError`."""
    opened: dict[str, Any] = json.loads(
        open_sealed(_sealing_key(secret, label), sealed, context=context)
    )
    return opened


CODE_SEAL_LABEL: Final = b"taito-pre-auth-seal|"


def new_grant(*, offer_id: str, request: dict[str, Any]) -> NewGrant:
    """Draw a reference and a transaction code for ``offer_id`` and seal ``request`` (no I/O)."""
    reference = secrets.token_urlsafe(32)
    code = pre_authorized_code(reference)
    tx_code = "".join(secrets.choice("0123456789") for _ in range(TX_CODE_LENGTH))
    return NewGrant(
        reference=reference,
        tx_code=tx_code,
        row={
            "ref_hash": reference_hash(reference),
            "pre_authorized_hash": code_hash(code),
            "sealed_pre_authorized": seal_request(
                code, request, label=CODE_SEAL_LABEL, context=offer_context(offer_id)
            ),
            "tx_code_hash": tx_code_hash(offer_id, tx_code),
            "tx_attempts": 0,
        },
    )


def offer_context(offer_id: str) -> bytes:
    """The AEAD context of an offer's request sealed under its pre-authorized code."""
    return f"issuer-offer-pre-auth|{offer_id}".encode()
