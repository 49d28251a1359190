"""Taito's key-import cache, emptied or kept so that core comparisons do the same work.

The credential core caches imported public keys (checking that a point is on the curve costs
more than a signature check). The reference implementation imports the holder key from ``cnf``
afresh on every verification, and so does Taito for a holder it has not seen, which is the
common case with many holders; Taito's verification is therefore timed with the cache emptied
before each operation (the issuer key is pre-imported on both sides), and once more inside
:func:`warm_key_cache` for what the cache saves.

This is the one module that knows where the cache lives. Today it is a process-wide
``functools.lru_cache`` in ``credentials.keys``; when it becomes a cache object the application
owns and installs per request, :func:`clear_key_caches` has nothing left to clear outside a
request, and :func:`warm_key_cache` installs one bench-owned cache instead.
"""

from contextlib import AbstractContextManager, nullcontext

from credentials import keys


def clear_key_caches() -> None:
    """Empty every key-import cache of the credential core (none outside a request: no-op)."""
    cached = getattr(keys, "_cached_public_key", None)
    if cached is not None:
        cached.cache_clear()


def warm_key_cache() -> AbstractContextManager[None]:
    """A context in which key imports are cached, and stay cached from one use to the next."""
    return nullcontext()
