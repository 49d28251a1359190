"""The one cache type: bounded in entries and in bytes, least recently used out first."""

import pytest

from credentials.bounded_cache import BoundedCache, CacheSlot
from credentials.keys import (
    PUBLIC_KEY_CACHE,
    PublicKey,
    PublicKeyCacheKey,
    generate_key,
    public_key_cost,
    public_key_from_jwk,
)


def _cache(*, max_entries: int = 100, max_bytes: int = 1000) -> BoundedCache[str, bytes]:
    return BoundedCache(
        max_entries=max_entries, max_bytes=max_bytes, size_of=lambda key, value: len(value)
    )


def test_the_byte_bound_evicts_the_least_recently_used_entries() -> None:
    cache = _cache(max_bytes=1000)
    cache.put("a", b"x" * 400)
    cache.put("b", b"x" * 400)
    assert cache.get("a") is not None  # "b" is now the least recently used
    cache.put("c", b"x" * 400)
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    assert cache.size_bytes == 800


def test_an_entry_larger_than_the_whole_budget_is_not_kept() -> None:
    cache = _cache(max_bytes=1000)
    cache.put("small", b"x" * 10)
    cache.put("huge", b"x" * 1001)
    assert cache.get("huge") is None and cache.get("small") is not None
    assert cache.size_bytes == 10


def test_the_entry_bound_holds_too() -> None:
    cache = _cache(max_entries=3)
    for name in "abcde":
        cache.put(name, b"x")
    assert len(cache) == 3 and cache.get("a") is None and cache.get("e") is not None


def test_replacing_an_entry_charges_only_the_new_value() -> None:
    cache = _cache()
    cache.put("a", b"x" * 600)
    cache.put("a", b"x" * 100)
    assert cache.size_bytes == 100


def test_bounds_must_be_positive() -> None:
    with pytest.raises(ValueError):
        _cache(max_bytes=0)


def test_outside_an_installed_cache_key_imports_keep_nothing_anywhere() -> None:
    jwk = generate_key("ES256").public.jwk
    assert PUBLIC_KEY_CACHE.current() is None
    assert public_key_from_jwk(jwk).jwk == jwk


def test_huge_jwk_members_cannot_grow_the_key_cache_past_its_bytes() -> None:
    cache: BoundedCache[PublicKeyCacheKey, PublicKey] = BoundedCache(
        max_entries=4096, max_bytes=64 * 1024, size_of=public_key_cost
    )
    with PUBLIC_KEY_CACHE.installed(cache):
        for n in range(20):
            jwk = {**generate_key("EdDSA").public.jwk, "kid": f"{n}-" + "k" * 20_000}
            public_key_from_jwk(jwk)
    assert cache.size_bytes <= 64 * 1024 and len(cache) == 3


def test_a_slot_shows_the_installed_cache_only_inside_its_block() -> None:
    slot: CacheSlot[str, bytes] = CacheSlot("test")
    cache = _cache()
    with slot.installed(cache):
        assert slot.current() is cache
    assert slot.current() is None
