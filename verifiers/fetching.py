"""Documents the verifier fetches (status lists, issuer metadata, JWK Sets, DID documents) and
their in-process cache.

The service never opens a connection itself: the API injects a :data:`Fetcher` (the remote one in
``api/fetch.py``, wrapped by a local-first one that serves this instance's own URLs in-process).
A fetcher answers with the body and how long it may be cached (HTTP ``Cache-Control``, RFC 9111
§5.2.2), or raises :class:`~credentials.errors.FetchFailed`; the rules every remote retrieval
follows are SD-JWT VC §3 and §7.1 (see :mod:`credentials.fetch`).

:class:`DocumentCache` keeps bodies by URL for the shortest lifetime anyone stated: the response's
``max-age`` and, for status lists, the token's ``ttl`` (Token Status List §5.1; Bitstring Status
List §2.2), never longer than :data:`MAX_CACHE_LIFETIME`. A document that states no lifetime is
not cached, so a status is then always fetched fresh.

Only a failed retrieval is a failed check: the fetcher's :class:`FetchFailed` (transport, status
code, size, SSRF guard) and a fetcher answer that is no document. Anything else a fetcher raises
(a bug, a database error in the local-first fetcher) propagates: a fault is never turned into a
verification outcome. Each failed retrieval is logged with the URL's host and the reason only
(never its path or query, which may carry identifiers, nor the body).
"""

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from credentials.errors import FetchFailed
from credentials.fetch import Fetcher as BodyFetcher

MAX_CACHE_LIFETIME = timedelta(hours=1)
"""The longest any document is kept, whatever it says about itself."""

MAX_CACHE_ENTRIES = 512
_log = logging.getLogger("taito.verifiers")


def host_of(url: str) -> str:
    """The host of ``url`` for a log line (no user info, port, path or query), or ``"?"``."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return "?"
    return host or "?"


@dataclass(frozen=True)
class Fetched:
    """A fetched document: its body and the lifetime its response allowed (``None``: unstated;
    zero: ``no-store``/``no-cache``, or a document of this instance that must always be fresh)."""

    body: bytes
    max_age: timedelta | None


Fetcher = Callable[[str], Fetched]
"""``fetch(url) -> Fetched``: GET ``url`` under SD-JWT VC §3 rules or raise ``FetchFailed``."""


def fetcher_from_bodies(fetch: BodyFetcher, *, max_age: timedelta | None) -> Fetcher:
    """Adapt a plain ``url -> bytes`` fetcher: every document gets the lifetime ``max_age``."""

    def adapted(url: str) -> Fetched:
        return Fetched(body=fetch(url), max_age=max_age)

    return adapted


def shortest(*lifetimes: timedelta | None) -> timedelta:
    """The shortest stated lifetime, capped at :data:`MAX_CACHE_LIFETIME`; none stated → zero."""
    stated = [lifetime for lifetime in lifetimes if lifetime is not None]
    if not stated:
        return timedelta(0)
    return max(timedelta(0), min([*stated, MAX_CACHE_LIFETIME]))


class DocumentCache:
    """A small, thread-safe, in-process cache of fetched bodies keyed by URL.

    Time is handed in (``now``), so tests run on a fixed clock. The oldest entry makes room when
    :data:`MAX_CACHE_ENTRIES` is reached.
    """

    def __init__(self, *, max_entries: int = MAX_CACHE_ENTRIES) -> None:
        self._entries: OrderedDict[str, tuple[bytes, datetime]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def get(self, url: str, *, now: datetime) -> bytes | None:
        """The cached body of ``url`` if it is still fresh at ``now``."""
        with self._lock:
            found = self._entries.get(url)
            if found is None:
                return None
            body, expires_at = found
            if now >= expires_at:
                del self._entries[url]
                return None
            return body

    def put(self, url: str, body: bytes, *, lifetime: timedelta, now: datetime) -> None:
        """Keep ``body`` for ``lifetime`` from ``now``; a zero lifetime forgets the URL."""
        with self._lock:
            self._entries.pop(url, None)
            if lifetime <= timedelta(0):
                return
            self._entries[url] = (body, now + min(lifetime, MAX_CACHE_LIFETIME))
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (used by tests and by an operator's reload)."""
        with self._lock:
            self._entries.clear()


def fetch_fresh(
    fetch: Fetcher, url: str, *, cache: DocumentCache, now: datetime
) -> tuple[bytes, timedelta | None, bool]:
    """``(body, stated max_age, from_cache)`` for ``url``: the cached body while fresh, else
    fetched. The caller stores it with :meth:`DocumentCache.put` once it knows the lifetime.

    Raises :class:`FetchFailed` when the fetcher does or returns no document (logged: host and
    reason); anything else the fetcher raises propagates unchanged (module docstring).
    """
    cached = cache.get(url, now=now)
    if cached is not None:
        return cached, None, True
    try:
        fetched = fetch(url)
        if not isinstance(fetched, Fetched) or not isinstance(fetched.body, bytes):
            raise FetchFailed("the fetcher returned no document")
    except FetchFailed as error:
        _log.warning("fetch failed (%s): %s", host_of(url), error.detail)
        raise
    return fetched.body, fetched.max_age, False


def caching_body_fetcher(fetch: Fetcher, *, cache: DocumentCache, now: datetime) -> BodyFetcher:
    """A core :data:`credentials.fetch.Fetcher` for keys and DID documents, cached by the
    response's own ``max-age`` (RFC 9111 §5.2.2.1) and nothing else."""

    def body(url: str) -> bytes:
        data, max_age, cached = fetch_fresh(fetch, url, cache=cache, now=now)
        if not cached:
            cache.put(url, data, lifetime=shortest(max_age), now=now)
        return data

    return body
