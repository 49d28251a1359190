"""The one place where a flow's transaction ends (docs/architecture.md, "Transactions").

A flow runs its services' steps in the request's session; the session begins a transaction at
its first statement, and :func:`transaction` ends it: commit when every step succeeded, roll back
when one raised, so a flow's writes to several services land together or not at all.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

T = TypeVar("T")


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit ``session`` when the block completes; roll back and re-raise when it raises."""
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()


def end_reads(session: Session) -> None:
    """End a transaction that has only read, before a flow waits on the network.

    No transaction (and on SQLite, whose transactions begin IMMEDIATE, no write lock) is then
    held over outbound calls, which may even reach this very instance.
    """
    session.rollback()


def in_own_session(engine: Engine, work: Callable[[Session], T]) -> T:
    """``work(session)`` in a session of its own, closed (whatever it did not commit rolled
    back) when ``work`` returns or raises, in the calling thread.

    For the hot calls that run in a work thread (:mod:`api.work_limit`): the request's session
    dependency costs the event loop a context manager per request and another hop to close a
    session still in a transaction (docs/architecture.md, "Threads and connections").
    """
    with Session(engine, expire_on_commit=False) as session:
        return work(session)
