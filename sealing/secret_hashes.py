"""How bearer secrets are stored: only as their SHA-256, never in plaintext (docs/security.md).

API keys (``tik_``, ``tvk_``) and wallet access and refresh tokens carry 256 random bits, so a
fast unsalted hash is enough to make a database copy useless for signing in (NIST SP 800-63B
§5.1.1.2 asks for salted slow hashing of memorised secrets, not of random ones) while a lookup
stays one indexed equality. Passwords are different: argon2id, in ``wallet.accounts``.
"""

import hashlib
import secrets


def hash_secret(secret: str) -> str:
    """SHA-256 (hex) of a bearer secret: the form it is stored and looked up in."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_bearer_secret(prefix: str) -> str:
    """A new bearer secret: ``prefix`` and 256 random bits as 43 base64url characters."""
    return prefix + secrets.token_urlsafe(32)
