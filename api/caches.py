"""The application's caches: built by ``create_app``, installed for each request, never shared.

These things are worth keeping between requests, each in a :class:`~credentials.bounded_cache.
BoundedCache` bounded in entries and in bytes:

- imported public keys (``credentials.keys``): a point-on-curve check costs more than a
  signature check, and the same issuer and holder keys recur;
- opened issuer private keys (``issuers.custody``): a batch of a thousand credentials opens the
  sealed key once;
- signed status lists (``issuers.publishing``): signing a list of 131,072 entries on every
  verification would dominate it;
- opened wallet indexes (``wallet.held``): a listing, search or skills profile otherwise opens
  every credential's sealed index (64 MiB, 50,000 indexes);
- computed skills profiles (``wallet.profile``), under a digest of the credentials and
  declared skills they were made of (32 MiB, 1,024 profiles);
- status entries reserved in blocks (``issuers.status_blocks``), so that concurrent issuance
  does not queue on a list's row (at most 256 issuer and kind pairs of 256 entries each).

:class:`CacheScope` installs them in their modules' slots for the duration of each request, so
two applications in one process (tests, a reload) never see each other's entries
(docs/architecture.md, "State and caches"). The verifiers' fetched documents have their own
per-application cache (``app.state.document_cache``).
"""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Final

from starlette.types import ASGIApp, Receive, Scope, Send

from credentials.bounded_cache import BoundedCache
from credentials.keys import (
    PUBLIC_KEY_CACHE,
    PrivateKey,
    PublicKey,
    PublicKeyCacheKey,
    public_key_cost,
)
from issuers.custody import PRIVATE_KEY_CACHE, PrivateKeyCacheKey, private_key_cost
from issuers.publishing import STATUS_LIST_CACHE, SignedStatusList, signed_status_list_cost
from issuers.status_blocks import StatusBlocks
from issuers.status_blocks import installed as status_blocks_installed
from wallet.held import INDEX_CACHE, HeldIndex, IndexCacheKey, held_index_cost
from wallet.profile import PROFILE_CACHE, ProfileCacheKey, SkillsProfile, profile_cost

MIB: Final = 1024 * 1024


@dataclass(frozen=True)
class AppCaches:
    """One application's caches (see the module docstring for what each keeps)."""

    public_keys: BoundedCache[PublicKeyCacheKey, PublicKey]
    private_keys: BoundedCache[PrivateKeyCacheKey, PrivateKey]
    status_lists: BoundedCache[str, SignedStatusList]
    status_blocks: StatusBlocks
    wallet_indexes: BoundedCache[IndexCacheKey, HeldIndex]
    wallet_profiles: BoundedCache[ProfileCacheKey, SkillsProfile]

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Make these the caches of the code running in this context until the block ends."""
        with ExitStack() as stack:
            stack.enter_context(PUBLIC_KEY_CACHE.installed(self.public_keys))
            stack.enter_context(PRIVATE_KEY_CACHE.installed(self.private_keys))
            stack.enter_context(STATUS_LIST_CACHE.installed(self.status_lists))
            stack.enter_context(status_blocks_installed(self.status_blocks))
            stack.enter_context(INDEX_CACHE.installed(self.wallet_indexes))
            stack.enter_context(PROFILE_CACHE.installed(self.wallet_profiles))
            yield


def build_caches(
    *,
    public_key_bytes: int = 8 * MIB,
    private_key_bytes: int = 4 * MIB,
    status_list_bytes: int = 32 * MIB,
    wallet_index_bytes: int = 64 * MIB,
    wallet_profile_bytes: int = 32 * MIB,
) -> AppCaches:
    """Fresh, empty caches for one application, bounded as given (entries and bytes)."""
    return AppCaches(
        public_keys=BoundedCache(
            max_entries=4096, max_bytes=public_key_bytes, size_of=public_key_cost
        ),
        private_keys=BoundedCache(
            max_entries=1024, max_bytes=private_key_bytes, size_of=private_key_cost
        ),
        status_lists=BoundedCache(
            max_entries=1024, max_bytes=status_list_bytes, size_of=signed_status_list_cost
        ),
        status_blocks=StatusBlocks(),
        wallet_indexes=BoundedCache(
            max_entries=50_000, max_bytes=wallet_index_bytes, size_of=held_index_cost
        ),
        wallet_profiles=BoundedCache(
            max_entries=1024, max_bytes=wallet_profile_bytes, size_of=profile_cost
        ),
    )


class CacheScope:
    """ASGI middleware: every request runs with its application's caches installed."""

    def __init__(self, app: ASGIApp, *, caches: AppCaches) -> None:
        self.app = app
        self.caches = caches

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with self.caches.installed():
            await self.app(scope, receive, send)
