"""The HTTP benchmark's results: one outcome per endpoint and server, rendered as a section.

Kept apart from :mod:`bench.http_bench` (which runs the servers and the load) so that each
module stays one concept: running, and reporting with the issue's targets.
"""

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from bench.http_server import Database
from bench.report import Section, Table, TargetCheck, per_second, seconds, times
from bench.wrk import WrkResult

VERIFY_TARGET = 2500.0
VERIFY_P99_TARGET = 0.025
BATCH_TARGET = 3000.0


@dataclass(frozen=True)
class Outcome:
    """One endpoint's runs on one server (or why it did not run), beside that server's /healthz.

    ``runs[i]`` and ``baseline[i]`` were measured in the same round, one after the other.
    """

    endpoint: str
    database: Database
    workers: int
    runs: tuple[WrkResult, ...]
    baseline: tuple[WrkResult, ...]
    per_request: int = 1
    skipped: str = ""
    profile: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    """Reading lines: what the workload was, the Python generator's cross-check."""
    rss: tuple[int, ...] = ()
    """Each worker's peak resident memory (bytes) during the measured runs, largest first."""

    def median(self, figure: Callable[[WrkResult], float]) -> float:
        """The median over the runs that measured the figure (a run without answers has no
        latency); NaN when none did."""
        values = [v for v in (figure(run) for run in self.runs) if not math.isnan(v)]
        return statistics.median(values) if values else math.nan

    def spread(self, figure: Callable[[WrkResult], float], show: Callable[[float], str]) -> str:
        """``median (min–max)`` over the runs; the median alone for a single run."""
        values = [v for v in (figure(run) for run in self.runs) if not math.isnan(v)]
        if not values:
            return "n/a"
        middle = show(statistics.median(values))
        if len(values) < 2:
            return middle
        return f"{middle} ({show(min(values))}–{show(max(values))})"

    @property
    def throughput(self) -> float:
        return self.median(lambda run: run.throughput)

    @property
    def p99(self) -> float:
        return self.median(lambda run: run.p99)

    @property
    def errors(self) -> int:
        return sum(run.errors for run in self.runs)

    @property
    def exhausted(self) -> bool:
        return any(run.exhausted for run in self.runs)

    def healthz_ratio(self) -> float:
        """Median over rounds of this endpoint's throughput ÷ /healthz's in the same round."""
        pairs = zip(self.runs, self.baseline, strict=False)
        return statistics.median(r.throughput / b.throughput for r, b in pairs if b.throughput)


def _sample(outcome: Outcome) -> str:
    found = next((run.error_sample for run in outcome.runs if run.error_sample), "")
    return f" ({found[:120]})" if found else ""


def section(outcomes: list[Outcome], *, duration: int, warmup: int, runs: int, pg: bool) -> Section:
    """The HTTP section of RESULTS.md: one table, the targets, the reading."""
    out = Section(
        "HTTP: taito serve (production settings) loaded by wrk on 127.0.0.1",
        ".venv/bin/python -m bench --only http",
    )
    table = Table(
        f"{runs} runs of {duration} s per endpoint after a {warmup} s warm-up, interleaved "
        "with /healthz of the same server; median (min–max) over the runs",
        (
            "endpoint",
            "database",
            "workers",
            "connections",
            "requests/s",
            "credentials/s",
            "p50",
            "p99",
            "non-2xx",
            "wrong 2xx, socket errors",
            "÷ /healthz throughput",
            "peak RSS per worker",
        ),
    )
    for o in outcomes:
        if not o.runs:
            cells = ("", o.skipped, "", "", "", "", "", "", "")
            table.add(o.endpoint, o.database, str(o.workers), *cells)
            continue
        note = " (supply exhausted)" if o.exhausted else ""
        per = o.per_request

        def credentials(run: WrkResult, per: int = per) -> float:
            return run.throughput * per

        table.add(
            o.endpoint,
            o.database,
            str(o.workers),
            str(o.runs[0].connections),
            o.spread(lambda r: r.throughput, per_second) + note,
            o.spread(credentials, per_second) if per > 1 else "",
            o.spread(lambda r: r.p50, seconds),
            o.spread(lambda r: r.p99, seconds),
            str(sum(r.non_2xx for r in o.runs)),
            f"{sum(r.wrong for r in o.runs)}, {sum(r.socket_errors for r in o.runs)}"
            + (_sample(o) if o.errors else ""),
            times(o.healthz_ratio()) if o.baseline else "",
            ", ".join(f"{size / 2**20:.0f} MiB" for size in o.rss) or "not read",
        )
    out.tables.append(table)
    out.targets.extend(_targets(outcomes, pg))
    out.reading.append(
        "Load from wrk (C, one thread, keep-alive connections, closed loop) with bench/wrk.lua: "
        "every verification carries its own presentation and nonce (nonces are single use, so "
        "no request may repeat one), every issuance a fresh Idempotency-Key. wrk runs on the "
        "same two cores as the server; the /healthz runs of the same server, interleaved with "
        "the endpoint's, show the ceiling that leaves. A good answer is 2xx with the expected "
        'body ("verified":true, "failed":0); p50 and p99 are wrk\'s own percentiles.'
    )
    out.reading.extend(dict.fromkeys(note for o in outcomes for note in o.notes))
    out.reading.extend(_worker_reading(outcomes))
    for o in outcomes:
        if o.profile:
            out.reading.append(f"Profile of {o.endpoint}, {o.database}, {o.workers} workers:")
            out.reading.extend(f"  {line}" for line in o.profile)
    return out


def _worker_reading(outcomes: list[Outcome]) -> list[str]:
    """Explain a second worker that makes /healthz slower (uvicorn's lost TCP_NODELAY)."""
    health = {
        (o.database, o.workers): o for o in outcomes if o.endpoint == "GET /healthz" and o.runs
    }
    lines = []
    for database in ("sqlite", "postgresql"):
        one, two = health.get((database, 1)), health.get((database, 2))
        if one is None or two is None:
            continue
        p50_two, p50_one = two.median(lambda r: r.p50), one.median(lambda r: r.p50)
        if two.throughput < one.throughput and p50_two >= 0.035:
            lines.append(
                f"{database}: with 2 workers /healthz answers in {seconds(p50_two)} "
                f"(p50) against {seconds(p50_one)} with 1: every keep-alive request "
                "waits ~40 ms for a delayed ACK. `uvicorn --workers N` binds the listening "
                "socket with proto 0, so asyncio never sets TCP_NODELAY on accepted "
                "connections (Kludex/uvicorn#3149, open). Every 2-worker figure here carries "
                "that wait; the fix belongs in `taito serve` (see the report)."
            )
    return lines


def _targets(outcomes: list[Outcome], pg: bool) -> list[TargetCheck]:
    def find(prefix: str) -> Outcome | None:
        return next(
            (
                o
                for o in outcomes
                if o.endpoint.startswith(prefix) and o.database == "postgresql" and o.workers == 2
            ),
            None,
        )

    checks = []
    verify = find("POST /v1/verifications")
    text = (
        "HTTP verification ≥ 2,500/s, 2 workers, PostgreSQL, p99 < 25 ms at 32 connections, "
        "no errors"
    )
    if verify is None or not verify.runs:
        checks.append(TargetCheck(text, _why(verify, pg), None))
    else:
        met = verify.throughput >= VERIFY_TARGET and verify.p99 < VERIFY_P99_TARGET
        checks.append(
            TargetCheck(
                text,
                f"{per_second(verify.throughput)}, p99 {seconds(verify.p99)}, "
                f"{verify.errors} errors (medians of {len(verify.runs)} runs)",
                met and verify.errors == 0 and not verify.exhausted,
            )
        )
    batch = find("POST .../credentials/batch")
    text = "batch issuance ≥ 3,000 credentials/s on PostgreSQL (2 workers)"
    if batch is None or not batch.runs:
        checks.append(TargetCheck(text, _why(batch, pg), None))
    else:
        rate = batch.throughput * batch.per_request
        checks.append(TargetCheck(text, f"{per_second(rate)} credentials", rate >= BATCH_TARGET))
    return checks


def _why(outcome: Outcome | None, pg: bool) -> str:
    if outcome is not None:
        return outcome.skipped
    if not pg:
        return "not run: waits for PostgreSQL at 127.0.0.1:5432"
    return "not run: waits for a full run (make bench); a smoke run has no 2-worker PostgreSQL"
