"""Encryption at rest: AES-256-GCM sealing of private keys and data keys under a key-encryption key.

NIST SP 800-38D (GCM) through ``cryptography``'s AEAD API. A sealed value is
``version(1) || nonce(12) || ciphertext+tag`` and is bound to its context by the associated data
(for example ``b"issuer-key|<issuer id>|<kid>"``): moving a sealed row to another issuer or key id
changes the associated data, and opening fails. The 96-bit nonce is handed in by the caller (the
core takes no randomness it is not given); callers use ``secrets.token_bytes(12)`` and never reuse
one under the same key.
"""

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from credentials.errors import TaitoError

KEY_BYTES = 32
NONCE_BYTES = 12
_VERSION = b"\x01"


class SealError(TaitoError):
    code = "sealed_data_invalid"
    title = "Encrypted data could not be opened"
    status = 500


def seal(key: bytes, plaintext: bytes, *, context: bytes, nonce: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` bound to ``context``."""
    if len(key) != KEY_BYTES:
        raise ValueError("the sealing key must be 32 bytes")
    if len(nonce) != NONCE_BYTES:
        raise ValueError("the nonce must be 12 bytes")
    return _VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def open_sealed(key: bytes, sealed: bytes, *, context: bytes) -> bytes:
    """Decrypt ``sealed``; raise :class:`SealError` if it was altered or the context differs."""
    if len(key) != KEY_BYTES:
        raise ValueError("the sealing key must be 32 bytes")
    if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != _VERSION:
        raise SealError("the sealed value is malformed")
    nonce, ciphertext = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, context)
    except InvalidTag:
        raise SealError("the sealed value does not open with this key and context") from None
