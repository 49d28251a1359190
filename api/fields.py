"""Bounded field types at the model edge, reused by every request model and query parameter.

A value the services cannot hold is refused here with 422 ``validation_failed``, before any
service sees it (docs/security.md, "Parsing"): integers fit a signed 32-bit database column,
instants are timezone-aware and lie between :data:`EARLIEST` and :data:`LATEST` once converted
to UTC, so that adding a year of validity or a clock slack can never overflow ``datetime``.
"""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

DATABASE_INT_MAX = 2**31 - 1
"""The largest value of an ``INTEGER`` column on PostgreSQL (and of any counter we keep)."""

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""Instants outside these are refused: far enough from ``datetime``'s limits for any arithmetic."""

MAX_DURATION_SECONDS = 100 * 366 * 24 * 3600
"""The longest duration in seconds a request may ask for (a century)."""


def _bounded_instant(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        # Year 1 at +14:00 or year 9999 at -14:00: not representable in UTC.
        raise ValueError("the instant is out of range") from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError(f"the instant must lie between {EARLIEST:%Y} and {LATEST:%Y}")
    return utc


Instant = Annotated[AwareDatetime, AfterValidator(_bounded_instant)]
"""A timezone-aware instant between 1970 and 9000, normalised to UTC."""

DatabaseInt = Annotated[int, Field(ge=0, le=DATABASE_INT_MAX)]
"""A non-negative integer that fits every integer column."""

SequenceNumber = Annotated[int, Field(ge=1, le=DATABASE_INT_MAX)]
"""A position in a sequence that starts at 1 (activity log entries)."""

ArrayIndex = Annotated[int, Field(ge=0, le=DATABASE_INT_MAX)]
"""A position in a JSON array (claims path pointers, OpenID4VP 1.0 §7)."""

DurationSeconds = Annotated[int, Field(gt=0, le=MAX_DURATION_SECONDS)]
"""A positive duration in seconds, at most a century."""
