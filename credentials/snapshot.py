"""A snapshot of state read from the database, kept only while its state version is unchanged.

What every verification reads (trust entries, this instance's issuers and status lists) changes
rarely, and each change writes a new random *state version* in the same transaction as the change
(``issuers.state_version``, ``verifiers.state_version``). A request reads the version first, in
the statement that checks its nonce or in one short query, and :meth:`Snapshot.observe` drops
every entry the moment the version differs from the one the entries were read under. An entry is
only kept if it was read under the version the snapshot holds, so a request that started before a
change cannot plant what it read into a snapshot of the state after it. Hence the rule: a change
committed before a request starts is seen by that request, on every worker
(docs/architecture.md, "State and caches").
"""

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from credentials.bounded_cache import BoundedCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_NEVER_OBSERVED = object()


class Snapshot(Generic[K, V]):
    """Values read under one state version, bounded in entries and in bytes.

    ``size_of(key, value)`` charges each entry as :class:`BoundedCache` does. ``None`` is a value
    like any other (a lookup that found nothing is worth keeping too). Thread-safe.
    """

    def __init__(self, *, max_entries: int, max_bytes: int, size_of: Callable[[K, V], int]) -> None:
        self._entries: BoundedCache[K, tuple[V]] = BoundedCache(
            max_entries=max_entries,
            max_bytes=max_bytes,
            size_of=lambda key, boxed: size_of(key, boxed[0]),
        )
        self._version: object = _NEVER_OBSERVED
        self._lock = threading.Lock()

    def observe(self, version: str | None) -> None:
        """Record the state version a request just read; a different one drops every entry."""
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version = version

    def read(self, key: K, *, version: str | None, load: Callable[[], V]) -> V:
        """The value for ``key`` under ``version``: kept if the snapshot holds it, else ``load()``.

        What ``load`` returns is kept only while the snapshot is still at ``version``. Raises
        what ``load`` raises (and keeps nothing then).
        """
        self.observe(version)
        with self._lock:
            found = self._entries.get(key) if self._version == version else None
        if found is not None:
            return found[0]
        value = load()
        with self._lock:
            if self._version == version:
                self._entries.put(key, (value,))
        return value

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        """The bytes charged for the entries kept now."""
        return self._entries.size_bytes
