"""UTC timestamps at the database edge.

Columns are ``DateTime(timezone=True)``; PostgreSQL hands back aware values, SQLite naive ones
(in UTC, as written). Everything leaving the service is aware UTC.
"""

from datetime import UTC, datetime


def as_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime (a naive value is taken to be UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def as_utc_or_none(value: datetime | None) -> datetime | None:
    """:func:`as_utc` that lets ``None`` through."""
    return None if value is None else as_utc(value)


def require_aware(now: datetime) -> datetime:
    """Refuse a naive ``now`` (a programming error) and return it in UTC."""
    if now.tzinfo is None:
        raise TypeError("now must be timezone-aware")
    return now.astimezone(UTC)
