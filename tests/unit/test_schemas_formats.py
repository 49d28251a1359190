"""The ``date`` and ``uri`` format checks Taito enforces in its JSON Schemas."""

import pytest

from schemas.formats import format_checker, is_date, is_uri


@pytest.mark.parametrize("value", ["2024-05-31", "2024-02-29", "1900-01-01"])
def test_accepts_real_full_dates(value: str) -> None:
    assert is_date(value)


@pytest.mark.parametrize(
    "value",
    ["2023-02-29", "2024-13-01", "2024-5-31", "20240531", "2024-W22-5", "２０２４-05-31", ""],
)
def test_rejects_anything_but_a_real_yyyy_mm_dd(value: str) -> None:
    assert not is_date(value)


@pytest.mark.parametrize(
    "value",
    [
        "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d",
        "https://school.example/path?q=1#x",
        "urn:oid:1.2.246.562.10.00000000001",
        "https://user@host.example:8443/a%20b",
    ],
)
def test_accepts_absolute_uris(value: str) -> None:
    assert is_uri(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "no scheme",
        "/relative/path",
        "https://",
        "https:///path",
        "http://a b",
        "https://ä.fi",
        "x:",
    ],
)
def test_rejects_relative_or_malformed_uris(value: str) -> None:
    assert not is_uri(value)


def test_checker_checks_exactly_date_and_uri() -> None:
    checker = format_checker()
    assert set(checker.checkers) == {"date", "uri"}
    assert not checker.conforms("2024-02-30", "date")
    assert not checker.conforms("not a uri", "uri")
    assert checker.conforms(12, "date")
