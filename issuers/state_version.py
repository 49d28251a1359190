"""The issuers' state version: what a verification on this instance reads, changed as one.

A verifier of this instance keeps a snapshot of the issuers' profiles, keys and status lists
(``api.composition``) and reads this version once per request: a status change, a key added or
rotated or an issuer created writes a new random version in its own transaction, so the next
verification on any worker drops its snapshot and reads afresh (docs/security.md, "Status").
A missing row (an emptied database) reads as ``None``, which differs from any version written.
"""

import secrets

from sqlalchemy import text
from sqlmodel import Session

_BUMP = text(
    "INSERT INTO issuer_state (id, version) VALUES (1, :version) "
    "ON CONFLICT (id) DO UPDATE SET version = excluded.version"
)
READ_STATE_VERSION = "(SELECT version FROM issuer_state WHERE id = 1)"
"""The version as an SQL scalar subquery, for a statement that reads it along the way."""
_READ = text(f"SELECT {READ_STATE_VERSION}")


def bump_state_version(session: Session) -> None:
    """Write a new state version in the caller's transaction (the caller commits)."""
    session.connection().execute(_BUMP, {"version": secrets.token_hex(16)})


def read_state_version(session: Session) -> str | None:
    """The current state version (``None`` before the first change)."""
    found = session.connection().execute(_READ).scalar()
    return found if isinstance(found, str) else None
