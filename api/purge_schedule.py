"""The purge schedule: :func:`api.purge.purge_expired` every ``TAITO_PURGE_INTERVAL_SECONDS``.

Started by the app's lifespan (:func:`purge_lifespan`) in every worker, so nobody has to
remember a cron job. The first pass comes after a random 10-100 % of the interval and each later
one after 80-120 % of it, so workers started together do not purge together (and the advisory
lock makes the one that comes second skip). The pass runs in a thread, off the event loop.
A failing pass is logged and the next one retries; nothing it raises reaches the app. Shutdown
sets a stop flag and waits for a pass under way to finish (bounded by :data:`STOP_TIMEOUT`).
"""

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Final

from fastapi import FastAPI
from sqlalchemy import Engine

from api.logs import error_type, exception_summary
from api.purge import PurgeReport, purge_expired

logger = logging.getLogger("taito.purge")

STOP_TIMEOUT: Final = 30.0
"""Seconds shutdown waits for a pass under way before cancelling the schedule."""


class PurgeSchedule:
    """Runs ``purge`` on ``engine`` every ``interval`` seconds (jittered) until stopped."""

    def __init__(
        self,
        engine: Engine,
        *,
        interval: float,
        purge: Callable[[Engine], PurgeReport | None] | None = None,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.passes = 0
        """Passes finished so far, successful or not."""
        self._purge = purge or (lambda engine: purge_expired(engine, now=datetime.now(UTC)))
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._random = random.SystemRandom()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the schedule on the running event loop."""
        self._task = asyncio.create_task(self._run(), name="taito-purge")

    async def stop(self) -> None:
        """Stop after the pass under way, if any; cancel it after :data:`STOP_TIMEOUT`."""
        self._stop.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(self._task, timeout=STOP_TIMEOUT)
        except TimeoutError:
            logger.warning("purge schedule did not stop in time; cancelled")

    async def _run(self) -> None:
        delay = self.interval * self._random.uniform(0.1, 1.0)
        while not await self._stopped_within(delay):
            await self._pass()
            delay = self.interval * self._random.uniform(0.8, 1.2)

    async def _stopped_within(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True

    async def _pass(self) -> None:
        try:
            report = await asyncio.to_thread(self._purge, self.engine)
        except Exception as error:
            logger.error(
                "purge pass failed: %s",
                error_type(error),
                extra={"error_type": error_type(error), "traceback": exception_summary(error)},
            )
        else:
            if report is not None and any(report.counts.values()):
                logger.info(
                    "purged %s",
                    ", ".join(f"{kind} {count}" for kind, count in report.counts.items()),
                )
        finally:
            self.passes += 1


@asynccontextmanager
async def purge_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the purge schedule while the app serves (not at all with an interval of 0)."""
    interval = float(app.state.settings.purge_interval_seconds)
    if interval <= 0:
        yield
        return
    schedule = PurgeSchedule(app.state.engine, interval=interval)
    app.state.purge_schedule = schedule
    schedule.start()
    try:
        yield
    finally:
        await schedule.stop()
