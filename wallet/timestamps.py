"""UTC timestamps for the wallet's tables.

SQLite hands back naive datetimes even for ``DateTime(timezone=True)`` columns while PostgreSQL
hands back aware ones; every value the wallet writes is UTC, so a naive value read back is UTC.
"""

from datetime import UTC, datetime


def as_utc(value: datetime) -> datetime:
    """The same instant as an aware UTC datetime (naive values read from SQLite are UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def require_aware(now: datetime) -> datetime:
    """Return ``now`` in UTC; a naive ``now`` is a programming error (``TypeError``)."""
    if now.tzinfo is None:
        raise TypeError("now must be timezone-aware")
    return now.astimezone(UTC)
