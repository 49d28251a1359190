"""Taito's key-import cache, emptied so that core comparisons do the same work on both sides.

The credential core caches imported public keys (checking that a point is on the curve costs
more than a signature check). The reference implementation imports the holder key from ``cnf``
afresh on every verification, and so does Taito for a holder it has not seen, which is the
common case with many holders; Taito's verification is therefore timed with this cache emptied
before each operation (the issuer key is pre-imported on both sides). This is the one place
that knows where the cache lives: when it moves (to a cache object the application owns), point
:func:`clear_key_caches` at the new place.
"""

from credentials import keys


def clear_key_caches() -> None:
    """Empty every key-import cache of the credential core."""
    keys._cached_public_key.cache_clear()
