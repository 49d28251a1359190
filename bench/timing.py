"""Timing in one process: interleaved rounds of ``time.perf_counter`` batches, reported as medians.

A small, noisy machine makes absolute times unreliable, so every figure here is taken beside its
baselines *in the same round*: each round runs every contender (the measured code, its signature
floor, the reference implementation) for a batch of repetitions, rotating the order from round
to round so that no contender always runs first or last. Per contender the result is the median
per-operation time over the rounds; ratios are the median of the per-round ratios, which cancels
slow drifts of the machine (frequency scaling, a neighbour's load) that hit both sides of a round.

Garbage collection is switched off inside a batch and run between batches, as :mod:`timeit`
does, so a collection triggered by one contender is not billed to the next.
"""

import gc
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Contender:
    """One way of doing the operation: ``run`` performs it once."""

    name: str
    run: Callable[[], object]


@dataclass(frozen=True)
class Timing:
    """Per-operation seconds of one contender, one value per round."""

    name: str
    per_round: tuple[float, ...]
    repetitions: int

    @property
    def median(self) -> float:
        return statistics.median(self.per_round)


@dataclass(frozen=True)
class Budget:
    """How long to measure: ``rounds`` rounds, each batch running about ``batch_seconds``."""

    rounds: int
    batch_seconds: float
    max_repetitions: int = 1_000_000


SMOKE = Budget(rounds=2, batch_seconds=0.002, max_repetitions=50)
FULL = Budget(rounds=9, batch_seconds=0.25)


def _batch(run: Callable[[], object], repetitions: int) -> float:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(repetitions):
            run()
        return time.perf_counter() - start
    finally:
        gc.enable()


def calibrate(run: Callable[[], object], budget: Budget) -> int:
    """Repetitions for one batch of about ``budget.batch_seconds`` (at least 1)."""
    run()  # warm caches and imports before timing anything
    repetitions = 1
    while True:
        elapsed = _batch(run, repetitions)
        if elapsed >= budget.batch_seconds / 4 or repetitions >= budget.max_repetitions:
            break
        repetitions *= 4
    if elapsed <= 0:
        return min(repetitions, budget.max_repetitions)
    scaled = int(repetitions * budget.batch_seconds / elapsed)
    return max(1, min(scaled, budget.max_repetitions))


def compare(contenders: Sequence[Contender], budget: Budget) -> dict[str, Timing]:
    """Time every contender in interleaved, rotating rounds; per-operation seconds per round."""
    if not contenders:
        raise ValueError("nothing to time")
    repetitions = {c.name: calibrate(c.run, budget) for c in contenders}
    results: dict[str, list[float]] = {c.name: [] for c in contenders}
    count = len(contenders)
    for round_number in range(budget.rounds):
        shift = round_number % count
        for contender in (*contenders[shift:], *contenders[:shift]):
            n = repetitions[contender.name]
            results[contender.name].append(_batch(contender.run, n) / n)
    return {
        name: Timing(name, tuple(values), repetitions[name]) for name, values in results.items()
    }


def ratio(timings: dict[str, Timing], measured: str, baseline: str) -> float:
    """Median over rounds of ``measured / baseline`` (same-round pairs)."""
    pairs = zip(timings[measured].per_round, timings[baseline].per_round, strict=True)
    return statistics.median(m / b for m, b in pairs)


def time_once(run: Callable[[], object], *, rounds: int) -> Timing:
    """For slow operations (a second or so): ``rounds`` single runs after one warm-up."""
    run()
    values = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        run()
        values.append(time.perf_counter() - start)
    return Timing("once", tuple(values), 1)


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (``fraction`` in 0..1)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(fraction * len(sorted_values))))
    return sorted_values[rank - 1]
