"""Purging expired rows: every service's purge, listed in one place and run as one pass.

Each service owns the purge of its own expiring rows; :data:`PURGES` lists them all, in order
(tokens before the sessions they leave empty). :func:`purge_expired` runs the list once; the
app's background schedule (:mod:`api.purge_schedule`) and ``taito admin purge`` (for cron) both
call it. Each kind runs in its own transaction, so one failure does not hold back the others; it
is logged (type and traceback, never a message) and the next pass retries it. Every purge is an
idempotent ``DELETE ... WHERE`` expired, so two passes at once would do no harm; on PostgreSQL a
session-level advisory lock still lets only one process purge at a time, and the others skip.
"""

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from sqlalchemy import Engine, text
from sqlmodel import Session

from api.logs import error_type, exception_summary
from issuers.access_tokens import purge_spent_grants
from issuers.batches import purge_expired_batches
from issuers.idempotency import purge_idempotency_records
from issuers.offers import purge_expired_offers
from issuers.pickup import purge_expired_pickups
from verifiers.nonces import purge_expired_nonces
from wallet.login_throttle import purge_login_throttles
from wallet.staff import purge_spent_invites, purge_staff_sessions
from wallet.tokens import purge_ended_sessions, purge_expired_tokens

logger = logging.getLogger("taito.purge")

PURGE_LOCK_KEY: Final = 0x7461_6974_6F70_7572
"""The PostgreSQL advisory lock that one purging process holds ("taitopur" in ASCII)."""


class Purge(Protocol):
    def __call__(self, session: Session, *, now: datetime) -> int: ...


PURGES: Final[tuple[tuple[str, Purge], ...]] = (
    ("pickup_codes", purge_expired_pickups),
    ("offers", purge_expired_offers),
    ("batches", purge_expired_batches),
    ("idempotency_records", purge_idempotency_records),
    ("nonces", purge_expired_nonces),
    ("tokens", purge_expired_tokens),
    ("sessions", purge_ended_sessions),
    ("login_throttles", purge_login_throttles),
    ("oid4vci_grants", purge_spent_grants),
    ("staff_invites", purge_spent_invites),
    ("staff_sessions", purge_staff_sessions),
)
"""Every kind of expiring row and the service function that purges it."""


@dataclass(frozen=True)
class PurgeReport:
    """How many rows of each kind were deleted, and the kinds whose purge failed."""

    counts: Mapping[str, int]
    failed: tuple[str, ...]


def purge_expired(
    engine: Engine, *, now: datetime, purges: tuple[tuple[str, Purge], ...] = PURGES
) -> PurgeReport | None:
    """Run every purge once at ``now``; ``None`` when another process is purging already.

    Never raises for a failing purge: it is logged and named in :attr:`PurgeReport.failed`.
    """
    with _exclusive(engine) as ours:
        if not ours:
            return None
        counts: dict[str, int] = {}
        failed: list[str] = []
        for kind, purge in purges:
            try:
                with Session(engine) as session:
                    counts[kind] = purge(session, now=now)
            except Exception as error:
                failed.append(kind)
                logger.error(
                    "purge of %s failed: %s",
                    kind,
                    error_type(error),
                    extra={"error_type": error_type(error), "traceback": exception_summary(error)},
                )
        return PurgeReport(counts=counts, failed=tuple(failed))


@contextmanager
def _exclusive(engine: Engine) -> Iterator[bool]:
    # SQLite runs one writing transaction at a time (BEGIN IMMEDIATE): nothing to coordinate.
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        ours = bool(
            connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": PURGE_LOCK_KEY}
            ).scalar()
        )
        connection.commit()
        try:
            yield ours
        finally:
            if ours:
                # A session-level lock outlives transactions: if it cannot be released, the
                # connection must not go back to the pool holding it; closing it releases it.
                try:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": PURGE_LOCK_KEY}
                    )
                    connection.commit()
                except Exception:
                    connection.invalidate()
                    raise
