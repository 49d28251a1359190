"""The HTTP benchmark's results: one outcome per endpoint and server, rendered as a section.

Kept apart from :mod:`bench.http_bench` (which runs the servers and the load) so that each
module stays one concept: running, and reporting with the issue's targets.
"""

from dataclasses import dataclass

from bench.http_load import LoadResult
from bench.http_server import Database
from bench.report import Section, Table, TargetCheck, per_second, seconds, times

VERIFY_TARGET = 2500.0
VERIFY_P99_TARGET = 0.025
BATCH_TARGET = 3000.0


@dataclass(frozen=True)
class Outcome:
    """One endpoint's run on one server, or why it did not run."""

    endpoint: str
    database: Database
    workers: int
    result: LoadResult | None
    baseline: LoadResult | None
    per_request: int = 1
    skipped: str = ""
    profile: list[str] | None = None


def section(outcomes: list[Outcome], *, duration: float, warmup: float, pg: bool) -> Section:
    """The HTTP section of RESULTS.md: one table, the targets, the reading."""
    out = Section(
        "HTTP: taito serve (production settings) under a closed-loop load on 127.0.0.1",
        ".venv/bin/python -m bench --only http",
    )
    table = Table(
        f"{duration:.0f} s per run after {warmup:.0f} s warm-up; "
        "medians are not needed here: each run is one long sample",
        (
            "endpoint",
            "database",
            "workers",
            "connections",
            "requests/s",
            "credentials/s",
            "p50",
            "p99",
            "errors",
            "÷ /healthz throughput",
        ),
    )
    for o in outcomes:
        r = o.result
        if r is None:
            table.add(o.endpoint, o.database, str(o.workers), "", o.skipped, "", "", "", "", "")
            continue
        base = o.baseline.throughput if o.baseline else 0.0
        note = " (supply exhausted)" if r.exhausted else ""
        table.add(
            o.endpoint,
            o.database,
            str(o.workers),
            str(r.connections),
            per_second(r.throughput) + note,
            per_second(r.throughput * o.per_request) if o.per_request > 1 else "",
            seconds(r.latency(0.5)),
            seconds(r.latency(0.99)),
            f"{r.errors}" + (f" ({r.error_sample[:120]})" if r.errors else ""),
            times(r.throughput / base) if base else "",
        )
    out.tables.append(table)
    out.targets.extend(_targets(outcomes, pg))
    out.reading.append(
        "The load generator is Python (asyncio, raw HTTP/1.1 keep-alive) on the same two cores "
        "as the server: it takes a share of the CPU the server could use, so every absolute "
        "figure is a lower bound; the /healthz run of the same server shows that ceiling."
    )
    out.reading.extend(_worker_reading(outcomes))
    for o in outcomes:
        if o.profile:
            out.reading.append(f"Profile of {o.endpoint}, {o.database}, {o.workers} workers:")
            out.reading.extend(f"  {line}" for line in o.profile)
    return out


def _worker_reading(outcomes: list[Outcome]) -> list[str]:
    """Explain a second worker that makes /healthz slower (uvicorn's lost TCP_NODELAY)."""
    health = {
        (o.database, o.workers): o.result
        for o in outcomes
        if o.endpoint == "GET /healthz" and o.result is not None
    }
    lines = []
    for database in ("sqlite", "postgresql"):
        one, two = health.get((database, 1)), health.get((database, 2))
        if one is None or two is None:
            continue
        if two.throughput < one.throughput and two.latency(0.5) >= 0.035:
            lines.append(
                f"{database}: with 2 workers /healthz answers in {seconds(two.latency(0.5))} "
                f"(p50) against {seconds(one.latency(0.5))} with 1: every keep-alive request "
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
    if verify is None or verify.result is None:
        checks.append(TargetCheck(text, _why(verify, pg), None))
    else:
        r = verify.result
        met = r.throughput >= VERIFY_TARGET and r.latency(0.99) < VERIFY_P99_TARGET
        checks.append(
            TargetCheck(
                text,
                f"{per_second(r.throughput)}, p99 {seconds(r.latency(0.99))}, {r.errors} errors",
                met and r.errors == 0,
            )
        )
    batch = find("POST .../credentials/batch")
    text = "batch issuance ≥ 3,000 credentials/s on PostgreSQL (2 workers)"
    if batch is None or batch.result is None:
        checks.append(TargetCheck(text, _why(batch, pg), None))
    else:
        rate = batch.result.throughput * batch.per_request
        checks.append(TargetCheck(text, f"{per_second(rate)} credentials", rate >= BATCH_TARGET))
    return checks


def _why(outcome: Outcome | None, pg: bool) -> str:
    if outcome is not None:
        return outcome.skipped
    if not pg:
        return "not run: PostgreSQL unavailable"
    return "not run: no 2-worker PostgreSQL run (smoke run)"
