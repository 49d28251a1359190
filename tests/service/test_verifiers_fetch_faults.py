"""Only a failed retrieval fails a status check; a fault propagates, and failures are logged
without the URL's path, query or any body (docs/security.md, "What is logged")."""

import logging

import pytest
from sqlalchemy.exc import OperationalError

from credentials.keys import PublicKey
from tests.service.test_verifiers_support import NOW, FakeFetcher, FixtureIssuer, make_issuer
from verifiers.fetching import DocumentCache, Fetched
from verifiers.status import StatusContext, check_token_status

SECRET_QUERY = "access_token=s3cr3t-value"


def _context(issuer: FixtureIssuer, fetch: object) -> StatusContext:
    trusted = issuer.key.public

    def resolve(*, issuer: str, kid: str | None) -> PublicKey:
        return trusted

    return StatusContext(issuer.identifier, resolve, fetch, DocumentCache(), NOW)  # type: ignore[arg-type]


def _claim(uri: str) -> dict[str, object]:
    return {"status_list": {"idx": 0, "uri": uri}}


def test_a_database_error_while_fetching_propagates_instead_of_status_unavailable() -> None:
    issuer = make_issuer(FakeFetcher())

    def broken(url: str) -> Fetched:
        raise OperationalError("SELECT 1", {}, Exception("the database is down"))

    with pytest.raises(OperationalError):
        check_token_status(_claim(issuer.status_uri), _context(issuer, broken))


def test_a_bug_in_a_fetcher_propagates_instead_of_status_unavailable() -> None:
    issuer = make_issuer(FakeFetcher())

    def buggy(url: str) -> Fetched:
        raise KeyError("a programming error")

    with pytest.raises(KeyError):
        check_token_status(_claim(issuer.status_uri), _context(issuer, buggy))


def test_an_unreachable_list_fails_closed_and_is_logged_by_host_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    issuer = make_issuer(FakeFetcher())
    uri = f"https://lists.school.example/status/person-42?{SECRET_QUERY}"
    logger = logging.getLogger("taito.verifiers")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.WARNING, logger="taito.verifiers"):
            outcome = check_token_status(_claim(uri), _context(issuer, issuer.fetcher))
    finally:
        logger.removeHandler(caplog.handler)
    assert outcome.code == "status_unavailable"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "lists.school.example" in logged
    assert "person-42" not in logged and "s3cr3t" not in logged


def test_a_fetcher_answer_that_is_no_document_is_a_failed_retrieval() -> None:
    issuer = make_issuer(FakeFetcher())

    def empty(url: str) -> Fetched:
        return Fetched(body="not bytes", max_age=None)  # type: ignore[arg-type]

    assert check_token_status(_claim(issuer.status_uri), _context(issuer, empty)).code == (
        "status_unavailable"
    )
