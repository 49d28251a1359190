"""The key-encryption key (KEK) that wraps every private key and data key at rest.

Production reads it from ``TAITO_KEK_FILE`` and refuses to start without it. Development creates
``<data_dir>/dev-kek.key`` once, readable by its owner only (0600), and says so.
"""

import base64
import logging
import os
import secrets
import stat
from pathlib import Path

from api.data_folder import make_private_folder
from api.settings import Environment, Settings

logger = logging.getLogger("taito.kek")
KEK_BYTES = 32


class KEKError(RuntimeError):
    """The key-encryption key is missing, unreadable or malformed (a start-up failure)."""


def _decode(text: str) -> bytes:
    raw = text.strip()
    try:
        kek = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError:
        raise KEKError("the KEK file does not hold base64url") from None
    if len(kek) != KEK_BYTES:
        raise KEKError("the KEK must be 32 bytes (AES-256)")
    return kek


def dev_kek_path(settings: Settings) -> Path:
    return settings.data_dir / "dev-kek.key"


def ensure_dev_kek(settings: Settings) -> Path:
    """Create the development KEK file (0600) if missing; return its path."""
    path = dev_kek_path(settings)
    if not path.exists():
        make_private_folder(path.parent)
        encoded = base64.urlsafe_b64encode(secrets.token_bytes(KEK_BYTES)).rstrip(b"=")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(encoded + b"\n")
        logger.warning("created a development key-encryption key at %s (0600)", path)
    return path


def load_kek(settings: Settings) -> bytes:
    """Return the KEK for ``settings`` or raise :class:`KEKError`."""
    path = settings.kek_file
    if path is None:
        if settings.environment is Environment.PRODUCTION:
            raise KEKError("TAITO_KEK_FILE is required in production")
        path = ensure_dev_kek(settings)
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        raise KEKError("the KEK file cannot be read") from None
    if settings.environment is Environment.PRODUCTION and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KEKError("the KEK file must be readable by its owner only (chmod 600)")
    return _decode(text)
