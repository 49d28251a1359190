"""Status entries reserved in blocks per worker, so concurrent issuance does not queue on a list.

Reserving entries (:func:`issuers.status.reserve_status_slots`) updates the list's row, which
every concurrent issuance of the issuer would otherwise wait for, and commits. A worker instead
reserves a block of :data:`BLOCK` random entries at once and hands them out one issuance at a
time, in the random order they were drawn (draft-ietf-oauth-status-list §13.2: indices stay
unpredictable). Uniqueness is still the database's: every index of a block is a row of
``issuer_status_entry`` before it is handed out. Entries a worker held when it stopped are never
used, as with any interrupted issuance (indices are never reused).

The application builds one :class:`StatusBlocks` (``api.caches``) and installs it for each
request; outside a request (the CLI, a service test) entries are reserved per issuance.
"""

import threading
from collections import OrderedDict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Final

from sqlmodel import Session

from issuers.status import ListKind, StatusSlot, reserve_status_slots

BLOCK: Final = 256
"""Entries reserved at once; a batch larger than this reserves exactly what it needs."""
MAX_POOLS: Final = 256
"""Issuer and kind pairs held at once (at most ``MAX_POOLS * BLOCK`` indices, about 2.5 MiB)."""

_Pool = deque[StatusSlot]


class StatusBlocks:
    """A worker's reserved, not yet used status entries, per issuer and list kind. Thread-safe."""

    def __init__(self, *, block: int = BLOCK, max_pools: int = MAX_POOLS) -> None:
        if block <= 0 or max_pools <= 0:
            raise ValueError("blocks and pools must be positive")
        self.block = block
        self.max_pools = max_pools
        self._pools: OrderedDict[tuple[str, ListKind], _Pool] = OrderedDict()
        self._lock = threading.Lock()

    def take(
        self, session: Session, *, issuer_id: str, kind: ListKind, count: int, now: datetime
    ) -> tuple[StatusSlot, ...]:
        """``count`` reserved entries: from the worker's block, reserving a new one if needed.

        A reservation commits ``session`` (:func:`~issuers.status.reserve_status_slots`, whose
        errors it raises).
        """
        if count > self.block:
            return reserve_status_slots(
                session, issuer_id=issuer_id, kind=kind, count=count, now=now
            )
        taken = self._pop(issuer_id, kind, count)
        if taken is not None:
            return taken
        fresh = reserve_status_slots(
            session, issuer_id=issuer_id, kind=kind, count=self.block, now=now
        )
        with self._lock:
            pool = self._pool(issuer_id, kind)
            pool.extend(fresh[count:])
        return fresh[:count]

    def held(self) -> int:
        """How many reserved entries the worker holds now."""
        with self._lock:
            return sum(len(pool) for pool in self._pools.values())

    def _pop(self, issuer_id: str, kind: ListKind, count: int) -> tuple[StatusSlot, ...] | None:
        with self._lock:
            pool = self._pools.get((issuer_id, kind))
            if pool is None or len(pool) < count:
                return None
            return tuple(pool.popleft() for _ in range(count))

    def _pool(self, issuer_id: str, kind: ListKind) -> _Pool:
        key = (issuer_id, kind)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = deque()
            while len(self._pools) > self.max_pools:
                self._pools.popitem(last=False)  # its entries go unused, as after a restart
        self._pools.move_to_end(key)
        return pool


_CURRENT: ContextVar[StatusBlocks | None] = ContextVar("taito.status_blocks", default=None)


def current_blocks() -> StatusBlocks | None:
    """The blocks the application installed for this request, or ``None`` outside one."""
    return _CURRENT.get()


@contextmanager
def installed(blocks: StatusBlocks) -> Iterator[None]:
    """Make ``blocks`` the current ones in this context until the block ends."""
    token = _CURRENT.set(blocks)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def take_status_slots(
    session: Session, *, issuer_id: str, kind: ListKind, count: int, now: datetime
) -> tuple[StatusSlot, ...]:
    """Reserved entries from the installed :class:`StatusBlocks`, else reserved now; commits."""
    blocks = current_blocks()
    if blocks is None:
        return reserve_status_slots(session, issuer_id=issuer_id, kind=kind, count=count, now=now)
    return blocks.take(session, issuer_id=issuer_id, kind=kind, count=count, now=now)
