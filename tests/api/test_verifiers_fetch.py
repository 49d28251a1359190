"""The remote fetcher's SSRF defences, size cap, redirects and Cache-Control (api/fetch.py).

Only a loopback server is used, and only where the development/test loopback allowance applies;
every other address is refused before a connection is made.
"""

import ipaddress
import threading
from collections.abc import Iterator, Sequence
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest

from api.addresses import is_public
from api.fetch import RemoteFetcher, Resolver, cache_lifetime, remote_fetcher
from api.settings import Environment, Settings
from credentials.errors import FetchFailed


class _Handler(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        return

    def do_GET(self) -> None:
        _Handler.hits.append(self.path)
        port = self.server.server_port  # type: ignore[attr-defined]
        if self.path == "/doc":
            self._send(200, b"status-list", {"Cache-Control": "max-age=120", "Age": "20"})
        elif self.path == "/big":
            self._send(200, b"x" * 300_000, {})
        elif self.path == "/chunked-big":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"2000\r\n" + b"y" * 0x2000 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/to-private":
            self._send(302, b"", {"Location": "http://10.0.0.7/doc"})
        elif self.path == "/to-metadata":
            self._send(301, b"", {"Location": "http://169.254.169.254/latest/meta-data"})
        elif self.path == "/to-doc":
            self._send(302, b"", {"Location": f"http://127.0.0.1:{port}/doc"})
        elif self.path == "/loop":
            self._send(302, b"", {"Location": "/loop"})
        elif self.path == "/gzip":
            self._send(200, b"\x1f\x8b", {"Content-Encoding": "gzip"})
        else:
            self._send(404, b"no", {})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A client that stops reading at the size cap makes the handler's writes fail: expected.
        return


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = _QuietServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def dev_fetcher(*, max_bytes: int = 6 * 1024 * 1024) -> RemoteFetcher:
    return RemoteFetcher(allow_loopback_http=True, max_bytes=max_bytes)


def never_resolve(host: str, port: int) -> Sequence[str]:
    raise AssertionError("no name should be resolved")


def test_loopback_document_is_fetched_in_development_with_its_cache_lifetime(server: str) -> None:
    fetched = dev_fetcher()(f"{server}/doc")
    assert fetched.body == b"status-list"
    assert fetched.max_age == timedelta(seconds=100)


def test_plain_http_is_refused_in_production_even_to_loopback(server: str) -> None:
    before = len(_Handler.hits)
    with pytest.raises(FetchFailed) as raised:
        RemoteFetcher(allow_loopback_http=False)(f"{server}/doc")
    assert raised.value.code == "fetch_failed"
    assert len(_Handler.hits) == before


def test_production_settings_give_a_fetcher_without_the_loopback_allowance(server: str) -> None:
    production = Settings(environment=Environment.PRODUCTION, base_url="https://taito.example")
    with pytest.raises(FetchFailed):
        remote_fetcher(production)(f"{server}/doc")


def test_loopback_over_https_is_refused_without_the_allowance() -> None:
    fetcher = RemoteFetcher(allow_loopback_http=False, resolver=never_resolve)
    with pytest.raises(FetchFailed):
        fetcher("https://127.0.0.1/status")


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.1/status",
        "https://172.16.5.4/status",
        "https://192.168.1.1/status",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/status",
        "https://0.0.0.0/status",
        "https://[::1]/status",
        "https://[fd00::1]/status",
        "https://[fe80::1]/status",
        "https://[::ffff:10.0.0.1]/status",
        "https://224.0.0.1/status",
    ],
)
def test_private_and_special_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchFailed):
        RemoteFetcher(allow_loopback_http=True, resolver=never_resolve)(url)


EMBEDDING_PRIVATE_IPV4 = [
    "64:ff9b::7f00:1",  # NAT64 well-known prefix + 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 + 169.254.169.254 (cloud metadata)
    "64:ff9b:1::a00:1",  # local-use NAT64 (RFC 8215) + 10.0.0.1
    "::7f00:1",  # IPv4-compatible ::127.0.0.1
    "::a00:7",  # IPv4-compatible ::10.0.0.7
    "::ffff:a9fe:a9fe",  # IPv4-mapped ::ffff:169.254.169.254
    "::ffff:0:a00:1",  # IPv4-translated ::ffff:0:10.0.0.1 (RFC 2765)
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "fec0::1",  # deprecated site-local
    "3fff::1",  # documentation (RFC 9637)
]


def _answering_fetcher(resolver: Resolver, connections: list[str]) -> RemoteFetcher:
    """A development fetcher whose every connection would be answered with a document."""

    def handler(request: httpx.Request) -> httpx.Response:
        connections.append(request.url.host)
        return httpx.Response(200, stream=httpx.ByteStream(b"internal document"))

    return RemoteFetcher(
        allow_loopback_http=True, resolver=resolver, transport=httpx.MockTransport(handler)
    )


@pytest.mark.parametrize("address", EMBEDDING_PRIVATE_IPV4)
def test_ipv6_addresses_reaching_internal_hosts_are_refused_as_literals(address: str) -> None:
    connections: list[str] = []
    with pytest.raises(FetchFailed):
        _answering_fetcher(never_resolve, connections)(f"https://[{address}]/x")
    assert connections == []


@pytest.mark.parametrize("address", EMBEDDING_PRIVATE_IPV4)
def test_host_names_resolving_to_ipv6_addresses_reaching_internal_hosts_are_refused(
    address: str,
) -> None:
    connections: list[str] = []
    with pytest.raises(FetchFailed):
        _answering_fetcher(lambda host, port: [address], connections)("https://status.example/x")
    assert connections == []


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "2606:2800:220:1:248:1893:25c8:1946",
        "64:ff9b::5db8:d822",
        "2002:5db8:d822::1",
    ],
)
def test_addresses_reaching_a_public_host_are_public(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


def test_host_name_resolving_to_a_private_address_is_refused() -> None:
    fetcher = RemoteFetcher(allow_loopback_http=False, resolver=lambda host, port: ["10.9.8.7"])
    with pytest.raises(FetchFailed):
        fetcher("https://status.example/list")


def test_host_name_with_any_private_address_among_public_ones_is_refused() -> None:
    fetcher = RemoteFetcher(
        allow_loopback_http=False, resolver=lambda host, port: ["93.184.216.34", "127.0.0.1"]
    )
    with pytest.raises(FetchFailed):
        fetcher("https://status.example/list")


def test_connection_goes_to_the_resolved_address_with_the_host_name_for_tls() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, stream=httpx.ByteStream(b"ok"))

    fetcher = RemoteFetcher(
        allow_loopback_http=False,
        resolver=lambda host, port: ["93.184.216.34"],
        transport=httpx.MockTransport(handler),
    )
    assert fetcher("https://status.example/list").body == b"ok"
    (request,) = seen
    assert request.url.host == "93.184.216.34" and request.url.path == "/list"
    assert request.headers["host"] == "status.example"
    assert request.extensions["sni_hostname"] == "status.example"


def test_redirect_to_a_private_address_is_not_followed(server: str) -> None:
    with pytest.raises(FetchFailed):
        dev_fetcher()(f"{server}/to-private")
    with pytest.raises(FetchFailed):
        dev_fetcher()(f"{server}/to-metadata")


def test_loopback_is_never_followed_after_a_redirect_even_in_development(server: str) -> None:
    with pytest.raises(FetchFailed):
        dev_fetcher()(f"{server}/to-doc")


def _public_host_redirecting_to(location: str) -> RemoteFetcher:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "93.184.216.34":
            return httpx.Response(302, headers={"Location": location})
        return httpx.Response(200, stream=httpx.ByteStream(b"inner document"))

    return RemoteFetcher(
        allow_loopback_http=True,
        resolver=lambda host, port: ["93.184.216.34"] if host == "public.example" else ["::1"],
        transport=httpx.MockTransport(handler),
    )


@pytest.mark.parametrize(
    "location",
    ["http://127.0.0.1:8000/admin", "http://localhost/admin", "https://[::1]/admin"],
)
def test_public_host_cannot_redirect_the_development_fetcher_to_loopback(location: str) -> None:
    with pytest.raises(FetchFailed):
        _public_host_redirecting_to(location)("https://public.example/status")


def test_redirect_between_public_hosts_is_followed() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["host"])
        if request.headers["host"] == "old.example":
            return httpx.Response(301, headers={"Location": "https://new.example/list"})
        return httpx.Response(200, stream=httpx.ByteStream(b"moved document"))

    fetcher = RemoteFetcher(
        allow_loopback_http=False,
        resolver=lambda host, port: ["93.184.216.34"],
        transport=httpx.MockTransport(handler),
    )
    assert fetcher("https://old.example/list").body == b"moved document"
    assert seen == ["old.example", "new.example"]


def test_endless_redirects_stop(server: str) -> None:
    with pytest.raises(FetchFailed):
        dev_fetcher()(f"{server}/loop")


def test_response_over_the_size_cap_is_refused(server: str) -> None:
    with pytest.raises(FetchFailed):
        dev_fetcher(max_bytes=100_000)(f"{server}/big")


def test_chunked_response_over_the_size_cap_is_stopped(server: str) -> None:
    with pytest.raises(FetchFailed):
        dev_fetcher(max_bytes=100_000)(f"{server}/chunked-big")


def test_error_status_is_never_a_document(server: str) -> None:
    with pytest.raises(FetchFailed):
        dev_fetcher()(f"{server}/missing")


def test_compressed_transfer_is_refused(server: str) -> None:
    with pytest.raises(FetchFailed):
        dev_fetcher()(f"{server}/gzip")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://status.example/x",
        "https://user:pw@status.example/x",
        "https:///x",
        "file:///etc/passwd",
    ],
)
def test_urls_other_than_plain_https_are_refused(url: str) -> None:
    with pytest.raises(FetchFailed):
        RemoteFetcher(allow_loopback_http=True, resolver=never_resolve)(url)


def test_cache_control_gives_the_lifetime() -> None:
    assert cache_lifetime(httpx.Headers({})) is None
    assert cache_lifetime(httpx.Headers({"cache-control": "public, max-age=60"})) == timedelta(
        seconds=60
    )
    assert cache_lifetime(httpx.Headers({"cache-control": "max-age=60", "age": "70"})) == timedelta(
        0
    )
    assert cache_lifetime(httpx.Headers({"cache-control": "no-store, max-age=60"})) == timedelta(0)
    assert cache_lifetime(httpx.Headers({"cache-control": "no-cache"})) == timedelta(0)
    assert cache_lifetime(httpx.Headers({"cache-control": "max-age=oops"})) == timedelta(0)


def test_a_url_the_http_client_cannot_build_is_a_failed_retrieval_not_a_crash() -> None:
    # Fetch faults propagate since only FetchFailed is a failed check (verifiers/fetching.py):
    # whatever a URL holds, the fetcher answers FetchFailed, before any connection.
    fetcher = RemoteFetcher(allow_loopback_http=False, resolver=lambda host, port: ["8.8.8.8"])
    with pytest.raises(FetchFailed):
        fetcher("https://issuer.example/status/\x01")
