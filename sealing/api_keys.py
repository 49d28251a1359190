"""Organisations' API keys as both services keep them: the rules, not the tables.

Issuers (``tik_``) and verifiers (``tvk_``) each keep their API keys in a table of their own
(``issuers.api_keys``, ``verifiers.api_keys``), and the services may not import each other. What
their key tables share lives here, beside how the keys themselves are stored
(:mod:`sealing.secret_hashes`): the record an owner sees (never the key), the rule for a key's
name, the shape a key must have before it is looked up, and how often its last use is written.
No database code: each service runs its own queries with these.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from credentials.clock import as_utc

MAX_ACTIVE_KEYS = 20
"""Unrevoked keys one organisation may hold at a time."""
MAX_KEY_NAME = 100
MAX_API_KEY_LENGTH = 100
LAST_USE_GRANULARITY = timedelta(minutes=1)
"""The last use is written at most this often per key, so authenticating seldom writes."""


@dataclass(frozen=True)
class ApiKeyInfo:
    """An API key as its owner sees it later: never the key itself."""

    id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class CreatedApiKey:
    """A new API key: the key, shown this once, and what is kept of it."""

    info: ApiKeyInfo
    api_key: str


class KeyRecord(Protocol):
    """A stored key row of either service."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def last_used_at(self) -> datetime | None: ...
    @property
    def revoked_at(self) -> datetime | None: ...


def key_info(row: KeyRecord) -> ApiKeyInfo:
    """What the owner sees of a stored key, its instants in UTC."""
    return ApiKeyInfo(
        id=row.id,
        name=row.name,
        created_at=as_utc(row.created_at),
        last_used_at=as_utc(row.last_used_at) if row.last_used_at else None,
        revoked_at=as_utc(row.revoked_at) if row.revoked_at else None,
    )


def key_name(name: str) -> str | None:
    """The key's name without surrounding spaces, or ``None`` when it is not 1 to
    :data:`MAX_KEY_NAME` printable characters (the caller raises its service's error)."""
    name = name.strip()
    if not 0 < len(name) <= MAX_KEY_NAME or any(ord(c) < 0x20 for c in name):
        return None
    return name


def has_key_shape(api_key: str, *, prefix: str) -> bool:
    """Whether ``api_key`` could be one of ``prefix``'s keys (checked before any lookup)."""
    return api_key.startswith(prefix) and len(api_key) <= MAX_API_KEY_LENGTH
