"""Scale: issuance with a million credentials in the issuer's register.

On PostgreSQL with ``taito serve`` (2 workers, production settings), the issuer's register is
bulk-loaded (:mod:`bench.scale_register`) to 10,000 and then to 1,000,000 credentials; at each
size single and batch issuance are loaded as in the HTTP benchmark and the first register page
is read, so the two sizes compare directly.

The wallet at scale is :mod:`bench.scale_wallet` (``--only wallet``).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.http_bench import BATCH_CONNECTIONS, CONNECTIONS, issuance_workload
from bench.http_server import Running, postgres_available, serve
from bench.http_setup import CREDENTIAL_TYPE, ISSUER_SLUG, api_paths, prepare
from bench.report import Section, Table, per_second, seconds, times
from bench.scale_register import bulk_register, grow, register_size
from bench.wrk import Workload, WrkResult, run_wrk
from schemas import vct_for

BATCH = 100


@dataclass(frozen=True)
class _Plan:
    smoke: bool

    @property
    def sizes(self) -> tuple[int, int]:
        return (500, 1_000) if self.smoke else (10_000, 1_000_000)

    @property
    def duration(self) -> int:
        return 1 if self.smoke else 10

    @property
    def batch(self) -> int:
        return 10 if self.smoke else BATCH

    @property
    def workers(self) -> int:
        return 1 if self.smoke else 2


def run(*, smoke: bool) -> list[Section]:
    """The register benchmark, or a note that PostgreSQL is not available."""
    plan = _Plan(smoke)
    if not postgres_available():
        section = Section("Scale (PostgreSQL)", ".venv/bin/python -m bench --only scale")
        section.reading.append("not run: waits for PostgreSQL at 127.0.0.1:5432")
        return [section]
    return [_register(plan)]


def _get(path: str, token: str, expect: str) -> Workload:
    return Workload("get", path, expect, (("Authorization", f"Bearer {token}"),))


def _load(server: Running, workload: Workload, connections: int, plan: _Plan) -> WrkResult:
    """One wrk run (after an unrecorded 2 s one in full runs)."""
    if not plan.smoke:
        run_wrk(server.port, workload, connections=connections, seconds=2)
    return run_wrk(server.port, workload, connections=connections, seconds=plan.duration)


def _register(plan: _Plan) -> Section:
    small, large = plan.sizes
    section = Section(
        f"Scale: issuance with {small:,} and {large:,} credentials in the issuer's register "
        f"(PostgreSQL, {plan.workers} workers)",
        ".venv/bin/python -m bench --only scale",
    )
    table = Table(
        f"{plan.duration:.0f} s per run; register bulk-loaded between the sizes",
        ("register size", "endpoint", "requests/s", "credentials/s", "p50", "p99", "errors"),
    )
    rates: dict[int, float] = {}
    with serve("postgresql", workers=plan.workers, mode="production") as server:
        if "/v1/issuers/{slug}/credentials/batch" not in api_paths(server):
            section.reading.append("not run: waits for /v1/issuers/{slug}/credentials/batch")
            return section
        fixture = prepare(server)
        bulk = bulk_register(
            server.engine,
            slug=ISSUER_SLUG,
            vct=vct_for(CREDENTIAL_TYPE, base_url=server.base_url),
            type_slug=CREDENTIAL_TYPE,
        )
        loaded_at: dict[int, float] = {}
        for size in plan.sizes:
            started = time.perf_counter()
            grow(server.engine, bulk, size - bulk.loaded)
            loaded_at[size] = time.perf_counter() - started
            runs: list[tuple[str, Callable[[], Workload], int, int]] = [
                ("single issuance", lambda: issuance_workload(fixture, batch=None), CONNECTIONS, 1),
                (
                    f"batch issuance ({plan.batch})",
                    lambda: issuance_workload(fixture, batch=plan.batch),
                    BATCH_CONNECTIONS,
                    plan.batch,
                ),
                (
                    "register, first page (50)",
                    lambda: _get(
                        f"/v1/issuers/{ISSUER_SLUG}/credentials", fixture.issuer_key, '"items"'
                    ),
                    1,
                    1,
                ),
            ]
            for name, source, connections, per in runs:
                connections = 1 if plan.smoke else connections
                result = _load(server, source(), connections, plan)
                if result.errors or not result.completed:
                    raise AssertionError(f"scale {name} at {size}: {result.error_sample}")
                if name.startswith("batch"):
                    rates[size] = result.throughput * per
                table.add(
                    f"{register_size(server.engine):,}",
                    name,
                    per_second(result.throughput),
                    per_second(result.throughput * per) if per > 1 else "",
                    seconds(result.latency(0.5)),
                    seconds(result.latency(0.99)),
                    str(result.errors),
                )
    section.tables.append(table)
    if rates.get(small):
        section.reading.append(
            f"Batch issuance at {large:,} credentials runs at "
            f"{times(rates[large] / rates[small])} its rate at {small:,}. Bulk loading took "
            + ", ".join(f"{seconds(v)} to reach {k:,}" for k, v in loaded_at.items())
            + "."
        )
    section.reading.append(
        "The register rows were bulk-loaded in SQL (status lists, status entries and register "
        "rows of the service's shape, then ANALYZE); pickup and idempotency rows were not."
    )
    return section
