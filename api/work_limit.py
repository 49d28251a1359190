"""The hot API calls run under limiters per worker: verifications with their nonces, issuance.

Each is CPU work (signatures, hashing, parsing) between short database round trips, all under
Python's one interpreter lock: forty at once in anyio's default thread pool only contend for
the lock and the pool's connections, so the worker answers fewer per second, each later, than
with a few at once (bench/RESULTS.md). The others wait their turn on the event loop, at no
cost. ``TAITO_WORK_THREADS`` sets how many of each kind run at once (4).

Verifying and issuing have a limiter each: a verification may wait on a remote issuer's
documents (10 s at most), and verifications stalled that way must not hold up issuance.
"""

from collections.abc import Callable
from typing import Literal, TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Request
from sqlmodel import Session

from api.deps import engine_of
from api.flows.transaction import in_own_session

T = TypeVar("T")
Work = Literal["verify", "issue"]


def work_limiters(threads: int) -> dict[Work, CapacityLimiter]:
    """The limiters ``create_app`` keeps in ``app.state.work_limiters``."""
    return {"verify": CapacityLimiter(threads), "issue": CapacityLimiter(threads)}


async def run_limited(request: Request, work: Callable[[Session], T], *, kind: Work) -> T:
    """``work(session)`` in the thread pool, once one of the worker's threads for ``kind`` is
    free, in a session of that thread's own (:func:`~api.flows.transaction.in_own_session`)."""
    limiter = request.app.state.work_limiters[kind]
    assert isinstance(limiter, CapacityLimiter)
    return await to_thread.run_sync(in_own_session, engine_of(request), work, limiter=limiter)
