"""One set of time helpers for every package: aware UTC in, aware UTC out."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from credentials.clock import as_utc, as_utc_or_none, require_aware

HELSINKI_SUMMER = timezone(timedelta(hours=3))


def test_a_naive_clock_reading_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        require_aware(datetime(2026, 6, 1, 12, 0))


def test_an_aware_reading_comes_back_as_the_same_instant_in_utc() -> None:
    moment = require_aware(datetime(2026, 6, 1, 15, 0, tzinfo=HELSINKI_SUMMER))
    assert moment == datetime(2026, 6, 1, 12, 0, tzinfo=UTC) and moment.tzinfo is UTC


def test_a_naive_value_read_back_from_sqlite_is_taken_as_utc() -> None:
    assert as_utc(datetime(2026, 6, 1, 12, 0)) == datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert as_utc_or_none(None) is None
