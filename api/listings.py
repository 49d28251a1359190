"""How much one page of each listing may carry, in items and in bytes, in one place.

A page stops at whichever bound it reaches first, and tells how to ask for the rest
(``next_before``, ``next_cursor``). Listings without paging are bounded by what one account may
hold (:mod:`wallet.limits`) times the bound of each item (docs/security.md, "Limits").
"""

import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Query
from pydantic import BaseModel

from credentials.encoding import b64url_decode, b64url_encode
from credentials.errors import MalformedInput, TaitoError
from wallet.limits import CREDENTIALS_MAX, DECLARED_SKILLS_MAX

T = TypeVar("T")


@dataclass(frozen=True)
class Listing:
    """The bounds of one page: at most ``max_items`` items and ``max_bytes`` of JSON items."""

    max_items: int
    max_bytes: int


WALLET_ACTIVITY = Listing(max_items=500, max_bytes=1024 * 1024)
"""``GET /v1/wallet/activity``: entries are at most 16 KiB each, so a page holds at least 64."""
WALLET_CREDENTIALS = Listing(max_items=CREDENTIALS_MAX, max_bytes=12 * 1024 * 1024)
"""``GET /v1/wallet/credentials``: summaries only (bounded identifiers and titles)."""
WALLET_DECLARED_SKILLS = Listing(max_items=DECLARED_SKILLS_MAX, max_bytes=256 * 1024)
"""``GET /v1/wallet/skills``."""
WALLET_SHARES = Listing(max_items=100, max_bytes=1024 * 1024)
"""``GET /v1/wallet/shares``: a share may name 20 credentials and 200 claims of each."""
ISSUER_REGISTER = Listing(max_items=200, max_bytes=512 * 1024)
"""``GET /v1/issuers/{slug}/credentials``: register entries hold no claims."""
VOCABULARY_SKILLS = Listing(max_items=100, max_bytes=128 * 1024)
"""``GET /v1/vocab/skills``."""
ADMIN_ORGANISATIONS = Listing(max_items=200, max_bytes=512 * 1024)
"""``GET /v1/admin/issuers``, ``/v1/admin/verifiers``: an issuer lists its types."""
ADMIN_TRUST = Listing(max_items=200, max_bytes=1024 * 1024)
"""``GET /v1/admin/trust``: an entry may carry a pinned JWKS."""
ADMIN_MEMBERS = Listing(max_items=200, max_bytes=256 * 1024)
"""``GET /v1/admin/.../api-keys``, ``/v1/admin/organisations/{slug}/staff``."""


Cursor = Annotated[str | None, Query(max_length=400, description="A page's ``next_cursor``.")]
"""The ``cursor`` query parameter of the listings :func:`page_after` cuts."""


def model_size(item: BaseModel) -> int:
    """An item's size as its JSON response carries it, for ``size``."""
    return len(item.model_dump_json())


class PageInvalid(TaitoError):
    code = "page_invalid"
    title = "The page size or cursor is not valid"
    status = 400


_ITEM_OVERHEAD = 128
"""Bytes allowed per item beyond what ``size`` measures (its other fields, separators)."""


def page_of(
    items: Sequence[T], listing: Listing, *, limit: int, size: Callable[[T], int]
) -> tuple[list[T], bool]:
    """The longest prefix of ``items`` (fetched with ``limit``) within ``listing``'s bounds, and
    whether more may follow it. A page holds at least one item: the item bounds keep each one
    below ``max_bytes``."""
    page: list[T] = []
    used = 0
    for item in items[: min(limit, listing.max_items)]:
        used += size(item) + _ITEM_OVERHEAD
        if page and used > listing.max_bytes:
            break
        page.append(item)
    more = bool(page) and (len(page) < len(items) or len(items) >= limit)
    return page, more


def page_after(
    items: Sequence[T],
    listing: Listing,
    *,
    limit: int,
    cursor: str | None,
    key: Callable[[T], str],
    size: Callable[[T], int],
) -> tuple[list[T], str | None]:
    """A page of ``items``, in the order of their unique ``key``, after ``cursor``, within
    ``listing``'s bounds, and the cursor of the next page (``None`` on the last).

    For listings an administrator fills (organisations, trust entries, their keys and staff),
    read whole and cut here. Raises :class:`PageInvalid` (400) for a malformed cursor.
    """
    rest = sorted(items, key=key)
    if cursor is not None:
        after = _decode_cursor(cursor)
        rest = [item for item in items if key(item) > after]
    page, _ = page_of(rest, listing, limit=limit, size=size)
    more = len(page) < len(rest)
    return page, b64url_encode(key(page[-1]).encode("utf-8")) if more else None


def _decode_cursor(cursor: str) -> str:
    try:
        return b64url_decode(cursor, what="cursor").decode("utf-8")
    except (MalformedInput, ValueError, UnicodeDecodeError, binascii.Error):
        raise PageInvalid("The cursor is not valid.") from None
