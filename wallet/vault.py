"""Encryption at rest of a person's wallet: a per-holder data key wrapped by the KEK.

NIST SP 800-38D (AES-256-GCM) through :mod:`sealing.aead`. Each holder has a 32-byte data
key from ``secrets``, sealed under the key-encryption key with the context
``wallet-data-key|<holder id>`` so a sealed key moved to another holder's row does not open.
Everything personal (credentials, claims, search indexes, skills, shares, activity details) is
sealed with the data key under a context naming its purpose, holder and row, so sealed values
cannot be swapped between rows or people either. Keyed fingerprints (HMAC-SHA-256 under keys
derived with HKDF, RFC 5869) let the database enforce uniqueness without holding plaintext.
"""

import json
import secrets
from dataclasses import dataclass, field

from sqlmodel import Session

from credentials.encoding import JSONValue, json_dumps
from sealing.aead import KEY_BYTES, NONCE_BYTES, open_sealed, seal
from sealing.keyed_hash import derive_key, keyed_hash
from wallet.errors import WalletNotFound
from wallet.tables import WalletHolder

__all__ = [
    "Vault",
    "derive_key",
    "keyed_hash",
    "login_lookup",
    "new_vault",
    "open_vault",
    "vault_of",
]


def login_lookup(kek: bytes, username: str) -> str:
    """The keyed hash under which a (normalised) username is found; the name is never stored."""
    return keyed_hash(derive_key(kek, "taito/wallet/login-lookup/v1"), username.encode("utf-8"))


def _data_key_context(holder_id: str) -> bytes:
    return f"wallet-data-key|{holder_id}".encode()


@dataclass(frozen=True)
class Vault:
    """A holder's open data key: seals and opens their personal data."""

    holder_id: str
    _key: bytes = field(repr=False)

    def _context(self, purpose: str, row_id: str) -> bytes:
        return f"wallet|{purpose}|{self.holder_id}|{row_id}".encode()

    def seal(self, value: JSONValue, *, purpose: str, row_id: str) -> bytes:
        """Seal a JSON value for one row and purpose."""
        plaintext = json_dumps(value).encode("utf-8")
        nonce = secrets.token_bytes(NONCE_BYTES)
        return seal(self._key, plaintext, context=self._context(purpose, row_id), nonce=nonce)

    def open(self, sealed: bytes, *, purpose: str, row_id: str) -> JSONValue:
        """Open a value sealed by :meth:`seal`; raises ``SealError`` if altered or moved.

        Plain :func:`json.loads`: the GCM tag proves Taito itself wrote this JSON (with
        :meth:`seal`), so the strict parsing meant for outside input has nothing to refuse.
        """
        plaintext = open_sealed(self._key, sealed, context=self._context(purpose, row_id))
        value: JSONValue = json.loads(plaintext)
        return value

    def fingerprint(self, data: bytes, *, purpose: str) -> str:
        """A keyed hash of ``data`` meaningful only with this holder's data key."""
        return keyed_hash(derive_key(self._key, f"taito/wallet/fingerprint/{purpose}"), data)


def new_vault(holder_id: str, *, kek: bytes) -> tuple[Vault, bytes]:
    """A fresh data key for ``holder_id``: the open vault and the key sealed under ``kek``."""
    data_key = secrets.token_bytes(KEY_BYTES)
    sealed = seal(
        kek,
        data_key,
        context=_data_key_context(holder_id),
        nonce=secrets.token_bytes(NONCE_BYTES),
    )
    return Vault(holder_id, data_key), sealed


def vault_of(holder: WalletHolder, *, kek: bytes) -> Vault:
    """Open the data key of a loaded holder row; raises ``SealError`` if it does not open."""
    data_key = open_sealed(kek, holder.sealed_data_key, context=_data_key_context(holder.id))
    return Vault(holder.id, data_key)


def open_vault(session: Session, *, holder_id: str, kek: bytes) -> Vault:
    """Load the holder and open their data key.

    Raises :class:`WalletNotFound` when the holder does not exist (e.g. erased).
    """
    holder = session.get(WalletHolder, holder_id)
    if holder is None:
        raise WalletNotFound("the wallet does not exist")
    return vault_of(holder, kek=kek)
