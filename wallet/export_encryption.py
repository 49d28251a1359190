"""The wallet export, encrypted under a passphrase the person chooses (issue 12).

An export holds the holder's private keys and every credential, so it never leaves the service
in the clear. The construction is a password-based key derivation and an AEAD, both from
``cryptography``:

- **key**: Argon2id (RFC 9106) of the UTF-8 passphrase with a random 16-byte salt, 32 bytes out;
  the cost is the login's (by default RFC 9106 §4's second recommended option: 3 passes, 64 MiB,
  4 lanes) and is written in the envelope, so an import derives the same key;
- **encryption**: AES-256-GCM (NIST SP 800-38D) with a random 96-bit nonce; the envelope's
  header (format, version, KDF and its parameters, cipher and nonce) is the associated data, so
  a changed parameter fails like a wrong passphrase.

The envelope is JSON, its binary members base64url::

    {"format": "taito-wallet-export-encrypted", "version": 1,
     "kdf": {"name": "argon2id", "salt": ..., "iterations": 3, "lanes": 4, "memory_kib": 65536},
     "cipher": {"name": "A256GCM", "nonce": ...}, "ciphertext": ...}

Opening bounds the cost an envelope may ask for (at most 10 passes, 16 lanes, 256 MiB), so an
uploaded file cannot make the server spend unbounded memory or time.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from credentials.encoding import JSONValue, b64url_decode, b64url_encode, json_dumps, json_object
from credentials.errors import TaitoError
from wallet.errors import ExportPassphraseWrong, ImportInvalid, PassphraseRejected

ENVELOPE_FORMAT: Final = "taito-wallet-export-encrypted"
ENVELOPE_VERSION: Final = 1
MIN_PASSPHRASE_CHARS: Final = 12
MAX_PASSPHRASE_CHARS: Final = 1024
SALT_BYTES: Final = 16
NONCE_BYTES: Final = 12
MAX_ITERATIONS: Final = 10
MAX_LANES: Final = 16
MAX_MEMORY_KIB: Final = 256 * 1024


@dataclass(frozen=True)
class ExportKDF:
    """Argon2id cost for a new export (RFC 9106 §4, second recommended option by default)."""

    iterations: int = 3
    lanes: int = 4
    memory_kib: int = 64 * 1024


def check_passphrase(passphrase: str) -> None:
    """Raise :class:`PassphraseRejected` (422) unless it is 12 to 1024 characters, not blank."""
    if not MIN_PASSPHRASE_CHARS <= len(passphrase) <= MAX_PASSPHRASE_CHARS:
        raise PassphraseRejected(
            f"The passphrase must be {MIN_PASSPHRASE_CHARS} to {MAX_PASSPHRASE_CHARS} characters."
        )
    if not passphrase.strip():
        raise PassphraseRejected("The passphrase must not be blank.")


def _key(passphrase: str, salt: bytes, kdf: ExportKDF) -> bytes:
    derive = Argon2id(
        salt=salt,
        length=32,
        iterations=kdf.iterations,
        lanes=kdf.lanes,
        memory_cost=kdf.memory_kib,
    )
    return derive.derive(passphrase.encode("utf-8"))


def _header(salt: bytes, nonce: bytes, kdf: ExportKDF) -> dict[str, JSONValue]:
    return {
        "format": ENVELOPE_FORMAT,
        "version": ENVELOPE_VERSION,
        "kdf": {
            "name": "argon2id",
            "salt": b64url_encode(salt),
            "iterations": kdf.iterations,
            "lanes": kdf.lanes,
            "memory_kib": kdf.memory_kib,
        },
        "cipher": {"name": "A256GCM", "nonce": b64url_encode(nonce)},
    }


def encrypt_export(
    document: Mapping[str, JSONValue], *, passphrase: str, kdf: ExportKDF
) -> dict[str, JSONValue]:
    """Encrypt an export document under ``passphrase`` (module docstring); the envelope.

    RFC 9106 (Argon2id), NIST SP 800-38D (GCM). Raises :class:`PassphraseRejected` (422).
    """
    check_passphrase(passphrase)
    salt, nonce = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(NONCE_BYTES)
    header = _header(salt, nonce, kdf)
    plaintext = json_dumps(document).encode("utf-8")
    sealed = AESGCM(_key(passphrase, salt, kdf)).encrypt(
        nonce, plaintext, json_dumps(header).encode("utf-8")
    )
    return {**header, "ciphertext": b64url_encode(sealed)}


def _bounded(value: Any, low: int, high: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ImportInvalid(f"The export's '{name}' is not an acceptable value.")
    return value


def _parse(envelope: Mapping[str, Any]) -> tuple[bytes, bytes, ExportKDF, bytes]:
    if envelope.get("format") != ENVELOPE_FORMAT or envelope.get("version") != ENVELOPE_VERSION:
        raise ImportInvalid(
            f"Only an encrypted {ENVELOPE_FORMAT} version {ENVELOPE_VERSION} can be imported."
        )
    kdf, cipher = envelope.get("kdf"), envelope.get("cipher")
    if not isinstance(kdf, dict) or kdf.get("name") != "argon2id":
        raise ImportInvalid("The export's key derivation must be argon2id.")
    if not isinstance(cipher, dict) or cipher.get("name") != "A256GCM":
        raise ImportInvalid("The export's cipher must be A256GCM.")
    lanes = _bounded(kdf.get("lanes"), 1, MAX_LANES, "lanes")
    cost = ExportKDF(
        iterations=_bounded(kdf.get("iterations"), 1, MAX_ITERATIONS, "iterations"),
        lanes=lanes,
        memory_kib=_bounded(kdf.get("memory_kib"), 8 * lanes, MAX_MEMORY_KIB, "memory_kib"),
    )
    try:
        salt = b64url_decode(str(kdf.get("salt", "")), what="salt")
        nonce = b64url_decode(str(cipher.get("nonce", "")), what="nonce")
        ciphertext = b64url_decode(str(envelope.get("ciphertext", "")), what="ciphertext")
    except TaitoError:
        raise ImportInvalid("The export's salt, nonce or ciphertext is not base64url.") from None
    if not SALT_BYTES <= len(salt) <= 64 or len(nonce) != NONCE_BYTES or len(ciphertext) < 16:
        raise ImportInvalid("The export's salt, nonce or ciphertext has the wrong length.")
    return salt, nonce, cost, ciphertext


def decrypt_export(envelope: Mapping[str, Any], *, passphrase: str) -> dict[str, Any]:
    """Open an envelope made by :func:`encrypt_export`; the export document.

    Raises :class:`ImportInvalid` (422) for a malformed envelope or one asking for more than
    the bounded cost, and :class:`ExportPassphraseWrong` (422) when the passphrase (or anything
    in the envelope) is wrong. Nothing is changed either way.
    """
    if not 0 < len(passphrase) <= MAX_PASSPHRASE_CHARS:
        raise ExportPassphraseWrong("The export does not open with this passphrase.")
    salt, nonce, cost, ciphertext = _parse(envelope)
    header = json_dumps(_header(salt, nonce, cost)).encode("utf-8")
    try:
        plaintext = AESGCM(_key(passphrase, salt, cost)).decrypt(nonce, ciphertext, header)
    except InvalidTag:
        raise ExportPassphraseWrong("The export does not open with this passphrase.") from None
    try:
        return json_object(plaintext, what="export")
    except TaitoError:
        raise ImportInvalid("The encrypted export does not hold a wallet export.") from None
