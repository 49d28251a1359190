"""The fetcher's POST (the wallet's OpenID4VCI client): the same address rules, no redirects."""

import httpx
import pytest

from api.fetch import RemoteFetcher
from credentials.errors import FetchFailed

FORM = "application/x-www-form-urlencoded"


def _fetcher(handler: object, address: str = "93.184.216.34") -> RemoteFetcher:
    return RemoteFetcher(
        allow_loopback_http=False,
        resolver=lambda host, port: [address],
        transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
    )


def test_a_post_goes_to_the_resolved_address_and_returns_the_issuers_json_error() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(400, stream=httpx.ByteStream(b'{"error":"invalid_grant"}'))

    status, body = _fetcher(handler).post(
        "https://issuer.example/token", body=b"a=1", content_type=FORM, headers={}
    )
    assert (status, body) == (400, b'{"error":"invalid_grant"}')
    (request,) = seen
    assert request.url.host == "93.184.216.34" and request.headers["host"] == "issuer.example"
    assert request.content == b"a=1" and request.headers["content-type"] == FORM


@pytest.mark.parametrize(
    "url", ["https://10.0.0.1/token", "http://issuer.example/token", "https://[::1]/token"]
)
def test_a_post_to_a_private_address_or_over_http_is_refused_before_connecting(url: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no connection may be made")

    with pytest.raises(FetchFailed):
        _fetcher(handler).post(url, body=b"", content_type=FORM, headers={})


def test_a_post_to_a_name_resolving_inward_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no connection may be made")

    with pytest.raises(FetchFailed):
        _fetcher(handler, "169.254.169.254").post(
            "https://issuer.example/token", body=b"", content_type=FORM, headers={}
        )


@pytest.mark.parametrize("status", [302, 307, 500])
def test_a_post_answered_by_a_redirect_or_a_server_error_fails(status: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"Location": "http://10.0.0.1/"})

    with pytest.raises(FetchFailed):
        _fetcher(handler).post(
            "https://issuer.example/token", body=b"", content_type=FORM, headers={}
        )


def test_a_post_answer_larger_than_the_cap_fails() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=httpx.ByteStream(b"x" * 2048))

    fetcher = RemoteFetcher(
        allow_loopback_http=False,
        resolver=lambda host, port: ["93.184.216.34"],
        transport=httpx.MockTransport(handler),
        max_bytes=1024,
    )
    with pytest.raises(FetchFailed):
        fetcher.post("https://issuer.example/c", body=b"", content_type=FORM, headers={})
