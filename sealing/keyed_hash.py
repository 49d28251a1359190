"""Keyed hashes under keys derived from the key-encryption key: lookups without plaintext.

HKDF-SHA-256 (RFC 5869) derives one 32-byte key per purpose label from a secret (the KEK, or a
holder's data key); HMAC-SHA-256 (RFC 2104) under it gives a 64-hex-character hash a database
can index and compare, while a copy of the database without the KEK cannot recompute it, so it
cannot test guesses (a username, an ``Idempotency-Key``) against it nor join tables on it.
"""

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def derive_key(secret: bytes, label: str) -> bytes:
    """A 32-byte key for ``label`` derived from ``secret`` with HKDF-SHA-256 (RFC 5869)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label.encode("utf-8"))
    return hkdf.derive(secret)


def keyed_hash(key: bytes, data: bytes) -> str:
    """HMAC-SHA-256 of ``data`` under ``key``, hex (64 characters)."""
    return hmac.new(key, data, hashlib.sha256).hexdigest()
