"""The hot API calls run under one limiter per worker: verifications, their nonces, issuance.

Each is CPU work (signatures, hashing, parsing) between short database round trips, all under
Python's one interpreter lock: forty at once in anyio's default thread pool only contend for
the lock and the pool's connections, so the worker answers fewer per second, each later, than
with a few at once (bench/RESULTS.md). The others wait their turn on the event loop, at no
cost. ``TAITO_WORK_THREADS`` sets how many run at once (4).
"""

from collections.abc import Callable
from typing import TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Request

T = TypeVar("T")


def work_limiter(threads: int) -> CapacityLimiter:
    """The limiter ``create_app`` keeps in ``app.state.work_limiter``."""
    return CapacityLimiter(threads)


async def run_limited(request: Request, work: Callable[[], T]) -> T:
    """``work()`` in the thread pool, once one of the worker's work threads is free."""
    limiter = request.app.state.work_limiter
    assert isinstance(limiter, CapacityLimiter)
    return await to_thread.run_sync(work, limiter=limiter)
