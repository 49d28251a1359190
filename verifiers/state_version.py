"""The trust registry's version, new at every change of the registry.

The gate of this instance keeps a snapshot of the registry's entries (``Sources.trust_entries``)
and checks it against this version, which the nonce's own statement reads
(:func:`verifiers.nonces.consume_usable_nonce`) or :func:`read_trust_version` does. Every change
of the registry writes a new random version in its own transaction, so the next verification on
any worker reads the registry afresh. A missing row reads as ``None``.
"""

import secrets

from sqlalchemy import text
from sqlmodel import Session

_BUMP = text(
    "INSERT INTO verifier_state (id, version) VALUES (1, :version) "
    "ON CONFLICT (id) DO UPDATE SET version = excluded.version"
)
READ_TRUST_VERSION = "(SELECT version FROM verifier_state WHERE id = 1)"
"""The version as an SQL scalar subquery, for a statement that reads it along the way."""


def bump_trust_version(session: Session) -> None:
    """Write a new registry version in the caller's transaction (the caller commits)."""
    session.connection().execute(_BUMP, {"version": secrets.token_hex(16)})


def read_trust_version(session: Session) -> str | None:
    """The registry's current version (``None`` before the first change)."""
    found = session.connection().execute(text(f"SELECT {READ_TRUST_VERSION}")).scalar()
    return found if isinstance(found, str) else None
