"""A cache bounded in entries and in bytes, and the slot through which code finds its cache.

Caches are never module-level state: an application builds its caches (``api.caches``) and
installs them for the duration of each request in the :class:`CacheSlot` of each module that
caches; code running outside a request (the CLI, a test calling a service) finds no cache and
computes afresh. Two applications in one process therefore never share an entry, and no cache
grows past its byte budget (docs/architecture.md, "State and caches").
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """A thread-safe least-recently-used cache holding at most ``max_entries`` and ``max_bytes``.

    ``size_of(key, value)`` is the cost in bytes an entry is charged (an estimate that must
    grow with whatever an outsider can make large); a single entry costing more than
    ``max_bytes`` is not kept at all. Raises :class:`ValueError` for a non-positive bound.
    """

    def __init__(self, *, max_entries: int, max_bytes: int, size_of: Callable[[K, V], int]) -> None:
        if max_entries <= 0 or max_bytes <= 0:
            raise ValueError("a cache needs positive bounds")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._size_of = size_of
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value kept for ``key`` (now the most recently used), or ``None``."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` for ``key``, evicting the least recently used entries to fit."""
        size = self._size_of(key, value)
        with self._lock:
            self._forget(key)
            if size > self.max_bytes:
                return
            self._entries[key] = (value, size)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                self._forget(next(iter(self._entries)))

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        """The bytes charged for the entries kept now (never above ``max_bytes``)."""
        return self._bytes

    def _forget(self, key: K) -> None:
        found = self._entries.pop(key, None)
        if found is not None:
            self._bytes -= found[1]


class CacheSlot(Generic[K, V]):
    """Where one module finds the cache its application installed for the current request."""

    def __init__(self, name: str) -> None:
        self._current: ContextVar[BoundedCache[K, V] | None] = ContextVar(name, default=None)

    def current(self) -> BoundedCache[K, V] | None:
        """The installed cache, or ``None`` outside an application's request."""
        return self._current.get()

    @contextmanager
    def installed(self, cache: BoundedCache[K, V]) -> Iterator[None]:
        """Make ``cache`` the current one in this context until the block ends."""
        token = self._current.set(cache)
        try:
            yield
        finally:
            self._current.reset(token)
