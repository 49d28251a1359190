"""The remote fetcher: how Taito retrieves status lists, issuer metadata, JWK Sets, DID documents.

SD-JWT VC §3 ("Retrieving Documents and Resources via HTTP") and §7.1 ("Server-Side Request
Forgery"), as :mod:`credentials.fetch` lists them, and RFC 9111 §5.2 for the cache lifetime:

- ``https`` only; plain ``http`` only to loopback, only in development and test, and only for
  the URL asked for: a redirect never leads to loopback, whatever the environment;
- the host is resolved once and *every* address must be globally routable unicast once any IPv4
  address embedded in an IPv6 one is unwrapped (:mod:`api.addresses`: no private, loopback,
  link-local, multicast, reserved, shared or unspecified address, nor one reached through NAT64,
  IPv4-mapped/compatible/translated, 6to4 or Teredo addresses);
  the connection then goes to that resolved address (TLS still verifies the host name through
  SNI), so a second DNS answer cannot point it elsewhere (DNS rebinding). Connections are not
  reused, so one host's TLS session never serves another;
- at most :data:`MAX_REDIRECTS` redirects, each target checked by the same rules;
- connect and read timeouts, an overall deadline, and a response size cap (reading stops there);
- anything but ``200`` is a failure; every failure raises
  :class:`~credentials.errors.FetchFailed` naming no URL, address or body;
- the answer is the body and the lifetime ``Cache-Control`` allows (``max-age`` minus ``Age``;
  zero for ``no-store``/``no-cache``; ``None`` when the response says nothing).

Proxies from the environment are ignored (``trust_env=False``).
"""

import ipaddress
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from api.addresses import is_public
from api.settings import Environment, Settings
from credentials.errors import FetchFailed
from verifiers.fetching import Fetched

MAX_BYTES = 6 * 1024 * 1024
"""Largest response read: a maximal status list token (credentials.status_list)."""
MAX_REDIRECTS = 3
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0
DEADLINE = 10.0
"""Seconds for one whole retrieval, redirects included."""

Resolver = Callable[[str, int], Sequence[str]]
"""``resolve(host, port) -> addresses``; injected by tests."""


def system_resolver(host: str, port: int) -> Sequence[str]:
    """Every address the system resolver gives for ``host`` (TCP)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FetchFailed("the host name does not resolve") from None
    return [str(info[4][0]) for info in infos]


def cache_lifetime(headers: httpx.Headers) -> timedelta | None:
    """The lifetime ``Cache-Control`` allows (RFC 9111 §5.2.2), ``Age`` taken off (§5.1)."""
    value = headers.get("cache-control")
    if value is None:
        return None
    directives = {}
    for part in value.split(","):
        name, _, argument = part.strip().partition("=")
        directives[name.strip().lower()] = argument.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return timedelta(0)
    seconds = directives.get("max-age")
    if seconds is None or not seconds.isdigit():
        return timedelta(0) if "max-age" in directives else None
    age = headers.get("age", "0")
    elapsed = int(age) if age.isdigit() else 0
    return timedelta(seconds=max(0, int(seconds) - elapsed))


class RemoteFetcher:
    """A :data:`verifiers.fetching.Fetcher` over the network under the rules above."""

    def __init__(
        self,
        *,
        allow_loopback_http: bool,
        resolver: Resolver = system_resolver,
        max_bytes: int = MAX_BYTES,
        deadline: float = DEADLINE,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._allow_loopback = allow_loopback_http
        self._resolve = resolver
        self._max_bytes = max_bytes
        self._deadline = deadline
        self._client = httpx.Client(
            timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_keepalive_connections=0),
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def _target(self, url: str, *, allow_loopback: bool) -> tuple[str, str, str]:
        """``(url to connect to, host name, Host header)`` after the scheme and address checks."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise FetchFailed("the URL is not valid") from None
        host = parts.hostname
        if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
            raise FetchFailed("only https URLs with a host are fetched")
        port = port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            addresses = [ipaddress.ip_address(a.split("%")[0]) for a in self._resolve(host, port)]
        if not addresses:
            raise FetchFailed("the host name does not resolve")
        loopback = allow_loopback and all(a.is_loopback for a in addresses)
        if parts.scheme == "http" and not loopback:
            raise FetchFailed("only https URLs are fetched")
        if not loopback and not all(is_public(a) for a in addresses):
            raise FetchFailed("the host is not a public internet address")
        address = addresses[0]
        literal = f"[{address}]" if address.version == 6 else str(address)
        netloc = f"{literal}:{port}"
        pinned = parts._replace(netloc=netloc).geturl()
        default_port = port == (443 if parts.scheme == "https" else 80)
        host_header = host if default_port else f"{host}:{port}"
        return pinned, host, host_header

    def __call__(self, url: str) -> Fetched:
        """GET ``url``; raise :class:`FetchFailed` for anything but a fitting ``200``."""
        return self._exchange("GET", url, None)

    def post_form(self, url: str, fields: Mapping[str, str], *, accept: str = "*/*") -> Fetched:
        """POST ``fields`` form-encoded to ``url`` under the same rules; a redirect is a failure
        (OpenID4VP 1.0 §5.10, §8.2: a wallet does not follow them). Raises :class:`FetchFailed`.
        """
        return self._exchange("POST", url, urlencode(dict(fields)).encode("utf-8"), accept)

    def _exchange(self, method: str, url: str, form: bytes | None, accept: str = "*/*") -> Fetched:
        started = time.monotonic()
        headers = {"accept": accept, "accept-encoding": "identity"}
        if form is not None:
            headers["content-type"] = "application/x-www-form-urlencoded"
        for hop in range(MAX_REDIRECTS + 1):
            # Loopback only for the URL asked for: a public host must never redirect us inward.
            pinned, host, host_header = self._target(
                url, allow_loopback=self._allow_loopback and hop == 0
            )
            try:
                request = self._client.build_request(
                    method,
                    pinned,
                    headers={"host": host_header, **headers},
                    content=form,
                    extensions={"sni_hostname": host},
                )
            except httpx.InvalidURL:
                raise FetchFailed("the URL is not valid") from None
            try:
                response = self._client.send(request, stream=True)
            except httpx.HTTPError:
                raise FetchFailed("the document could not be retrieved") from None
            try:
                if response.is_redirect:
                    location = response.headers.get("location")
                    if not location or form is not None:
                        raise FetchFailed("a redirect has no location or follows a POST")
                    url = urljoin(url, location)
                    continue
                if response.status_code != 200:
                    raise FetchFailed("the server did not answer with the document")
                if response.headers.get("content-encoding", "identity").lower() != "identity":
                    raise FetchFailed("the document is compressed in transit")
                body = self._read(response, started)
                return Fetched(body=body, max_age=cache_lifetime(response.headers))
            finally:
                response.close()
        raise FetchFailed("too many redirects")

    def get(self, url: str) -> bytes:
        """GET ``url`` under the same rules: its body (``wallet.offer_client.Transport``)."""
        return self(url).body

    def post(
        self, url: str, *, body: bytes, content_type: str, headers: Mapping[str, str]
    ) -> tuple[int, bytes]:
        """POST ``body`` to ``url`` under the same address rules, never following a redirect.

        For the wallet's OpenID4VCI client: ``(status, body)`` of a ``200``, ``400`` or ``401``
        answer (the spec's errors are JSON bodies); anything else raises :class:`FetchFailed`.
        """
        started = time.monotonic()
        pinned, host, host_header = self._target(url, allow_loopback=self._allow_loopback)
        try:
            request = self._client.build_request(
                "POST",
                pinned,
                content=body,
                headers={
                    **headers,
                    "host": host_header,
                    "content-type": content_type,
                    "accept": "application/json",
                    "accept-encoding": "identity",
                },
                extensions={"sni_hostname": host},
            )
            response = self._client.send(request, stream=True)
        except httpx.InvalidURL:
            raise FetchFailed("the URL is not valid") from None
        except httpx.HTTPError:
            raise FetchFailed("the request could not be sent") from None
        try:
            if response.status_code not in (200, 400, 401):
                raise FetchFailed("the server did not answer as expected")
            if response.headers.get("content-encoding", "identity").lower() != "identity":
                raise FetchFailed("the answer is compressed in transit")
            return response.status_code, self._read(response, started)
        finally:
            response.close()

    def _read(self, response: httpx.Response, started: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise FetchFailed("the document is larger than allowed")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_raw():
                size += len(chunk)
                if size > self._max_bytes:
                    raise FetchFailed("the document is larger than allowed")
                if time.monotonic() - started > self._deadline:
                    raise FetchFailed("the retrieval took too long")
                chunks.append(chunk)
        except httpx.HTTPError:
            raise FetchFailed("the document could not be retrieved") from None
        return b"".join(chunks)


def remote_fetcher(settings: Settings) -> RemoteFetcher:
    """The fetcher for ``settings``: loopback ``http`` only in development and test."""
    allow = settings.environment in (Environment.DEVELOPMENT, Environment.TEST)
    return RemoteFetcher(allow_loopback_http=allow)
