"""Instants in UTC: the one check that a clock reading is aware, and UTC at the database edge.

The core is handed ``now`` (it never reads the wall clock); a naive ``now`` is a programming
error, not bad input, so it raises :class:`TypeError`. The services store
``DateTime(timezone=True)`` columns: PostgreSQL hands back aware values, SQLite naive ones in
UTC (as written), so a naive value read back is UTC. Everything leaving a service is aware UTC.
"""

from datetime import UTC, datetime


def require_aware(now: datetime) -> datetime:
    """``now`` in UTC. Raises :class:`TypeError` when it is naive (a programming error)."""
    if now.tzinfo is None:
        raise TypeError("now must be timezone-aware")
    return now.astimezone(UTC)


def as_utc(value: datetime) -> datetime:
    """The same instant as an aware UTC datetime (a naive value read from SQLite is UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def as_utc_or_none(value: datetime | None) -> datetime | None:
    """:func:`as_utc` that lets ``None`` through."""
    return None if value is None else as_utc(value)
