"""Status checks now: caching that honours ttl and Cache-Control, failing closed."""

from datetime import timedelta

from credentials.keys import PublicKey, generate_key
from tests.service.test_verifiers_support import NOW, FakeFetcher, FixtureIssuer, make_issuer
from verifiers.fetching import DocumentCache, shortest
from verifiers.status import StatusContext, check_token_status


def _context(issuer: FixtureIssuer, cache: DocumentCache, *, after: timedelta) -> StatusContext:
    trusted = issuer.key.public

    def resolve(*, issuer: str, kid: str | None) -> PublicKey:
        return trusted

    return StatusContext(
        issuer=issuer.identifier,
        resolve_key=resolve,
        fetch=issuer.fetcher,
        cache=cache,
        now=NOW + after,
    )


def _claim(issuer: FixtureIssuer, index: int = 0) -> dict[str, object]:
    return {"status_list": {"idx": index, "uri": issuer.status_uri}}


def _check(
    issuer: FixtureIssuer, cache: DocumentCache, *, after: timedelta = timedelta(0)
) -> str | None:
    return check_token_status(_claim(issuer), _context(issuer, cache, after=after)).code


def test_valid_status_passes() -> None:
    issuer = make_issuer(FakeFetcher())
    assert _check(issuer, DocumentCache()) is None


def test_list_is_cached_for_its_ttl_and_fetched_again_after() -> None:
    issuer = make_issuer(FakeFetcher())
    issuer.ttl = 300
    issuer.publish()
    cache = DocumentCache()
    _check(issuer, cache)
    issuer.set_status(0, 1)
    assert _check(issuer, cache, after=timedelta(seconds=299)) is None
    assert issuer.fetcher.calls[issuer.status_uri] == 1
    assert _check(issuer, cache, after=timedelta(seconds=301)) == "credential_revoked"
    assert issuer.fetcher.calls[issuer.status_uri] == 2


def test_shorter_cache_control_max_age_wins_over_ttl() -> None:
    issuer = make_issuer(FakeFetcher(max_age=timedelta(seconds=30)))
    issuer.ttl = 300
    issuer.publish()
    cache = DocumentCache()
    _check(issuer, cache)
    _check(issuer, cache, after=timedelta(seconds=31))
    assert issuer.fetcher.calls[issuer.status_uri] == 2


def test_list_that_states_no_lifetime_is_fetched_every_time() -> None:
    issuer = make_issuer(FakeFetcher())
    cache = DocumentCache()
    _check(issuer, cache)
    _check(issuer, cache)
    assert issuer.fetcher.calls[issuer.status_uri] == 2


def test_no_store_response_is_not_cached_despite_ttl() -> None:
    issuer = make_issuer(FakeFetcher(max_age=timedelta(0)))
    issuer.ttl = 300
    issuer.publish()
    cache = DocumentCache()
    _check(issuer, cache)
    _check(issuer, cache)
    assert issuer.fetcher.calls[issuer.status_uri] == 2


def test_cached_list_that_no_longer_verifies_is_fetched_again() -> None:
    issuer = make_issuer(FakeFetcher())
    issuer.ttl = 10 * 24 * 3600
    issuer.publish()
    cache = DocumentCache()
    _check(issuer, cache)
    issuer.publish(at=NOW + timedelta(days=2))
    assert _check(issuer, cache, after=timedelta(days=2)) is None
    assert issuer.fetcher.calls[issuer.status_uri] == 2


def test_unreachable_list_fails_closed() -> None:
    issuer = make_issuer(FakeFetcher())
    issuer.fetcher.documents.clear()
    assert _check(issuer, DocumentCache()) == "status_unavailable"


def test_list_that_is_not_a_jwt_fails_closed() -> None:
    issuer = make_issuer(FakeFetcher())
    issuer.fetcher.documents[issuer.status_uri] = b"\xff\xfe not a token"
    assert _check(issuer, DocumentCache()) == "status_list_invalid"


def test_list_signed_by_another_key_fails_closed() -> None:
    issuer = make_issuer(FakeFetcher())
    context = _context(issuer, DocumentCache(), after=timedelta(0))
    issuer.key = generate_key("ES256")
    issuer.publish()
    assert check_token_status(_claim(issuer), context).code == "status_list_invalid"


def test_index_outside_the_list_fails_closed() -> None:
    issuer = make_issuer(FakeFetcher())
    context = _context(issuer, DocumentCache(), after=timedelta(0))
    assert check_token_status(_claim(issuer, 10**6), context).code == "status_list_invalid"


def test_malformed_status_reference_fails_closed() -> None:
    issuer = make_issuer(FakeFetcher())
    context = _context(issuer, DocumentCache(), after=timedelta(0))
    assert check_token_status({"status_list": {"idx": -1}}, context).code == "status_list_invalid"


def test_lifetime_is_the_shortest_stated_and_capped_at_an_hour() -> None:
    assert shortest(None, None) == timedelta(0)
    assert shortest(timedelta(minutes=5), timedelta(minutes=2), None) == timedelta(minutes=2)
    assert shortest(timedelta(days=2)) == timedelta(hours=1)
