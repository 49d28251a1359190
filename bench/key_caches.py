"""Taito's key-import cache, emptied or kept so that core comparisons do the same work.

The credential core caches imported public keys (checking that a point is on the curve costs
more than a signature check). The reference implementation imports the holder key from ``cnf``
afresh on every verification, and so does Taito for a holder it has not seen, which is the
common case with many holders; Taito's verification is therefore timed with the cache emptied
before each operation (the issuer key is pre-imported on both sides), and once more inside
:func:`warm_key_cache` for what the cache saves.

This is the one module that knows where the cache lives: the application owns it
(``api.caches``) and installs it per request in :data:`credentials.keys.PUBLIC_KEY_CACHE`;
outside a request nothing is cached, so the benchmark installs a cache of its own, bounded as the
application's, inside :func:`warm_key_cache`.
"""

from contextlib import AbstractContextManager
from typing import Final

from credentials.bounded_cache import BoundedCache
from credentials.keys import (
    PUBLIC_KEY_CACHE,
    PublicKey,
    PublicKeyCacheKey,
    public_key_cost,
)

_MIB: Final = 1024 * 1024
_CACHE: Final[BoundedCache[PublicKeyCacheKey, PublicKey]] = BoundedCache(
    max_entries=4096, max_bytes=8 * _MIB, size_of=public_key_cost
)


def clear_key_caches() -> None:
    """Empty the key-import cache in force (the benchmark's, or none outside a request)."""
    _CACHE.clear()
    installed = PUBLIC_KEY_CACHE.current()
    if installed is not None:
        installed.clear()


def warm_key_cache() -> AbstractContextManager[None]:
    """A context in which key imports are cached, and stay cached from one use to the next."""
    return PUBLIC_KEY_CACHE.installed(_CACHE)
