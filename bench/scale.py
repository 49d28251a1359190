"""Scale: issuance with a million credentials in the register; a wallet of 5,000 credentials.

Both on PostgreSQL with ``taito serve`` (2 workers, production settings):

- the issuer's register is bulk-loaded (:mod:`bench.scale_register`) to 10,000 and then to
  1,000,000 credentials; at each size single and batch issuance are loaded as in the HTTP
  benchmark and the first register page is read, so the two sizes compare directly;
- one wallet receives 5,000 credentials (:mod:`bench.scale_wallet`); listing, searching and
  the skills profile are then read one request at a time (latency, not throughput).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.http_bench import BATCH_CONNECTIONS, CONNECTIONS, issuance_workload
from bench.http_server import Running, postgres_available, serve
from bench.http_setup import CREDENTIAL_TYPE, ISSUER_SLUG, Fixture, api_paths, prepare
from bench.report import Section, Table, TargetCheck, per_second, seconds, times
from bench.scale_register import bulk_register, grow, register_size
from bench.scale_wallet import SEARCH_WORD, issue_to, receive_all, register_wallet
from bench.server_profile import profile_server
from bench.wrk import Workload, WrkResult, run_wrk
from schemas import vct_for

WALLET_TARGET = 0.100
BATCH = 100


@dataclass(frozen=True)
class _Plan:
    smoke: bool

    @property
    def sizes(self) -> tuple[int, int]:
        return (500, 1_000) if self.smoke else (10_000, 1_000_000)

    @property
    def wallet_size(self) -> int:
        return 20 if self.smoke else 5_000

    @property
    def duration(self) -> int:
        return 1 if self.smoke else 10

    @property
    def batch(self) -> int:
        return 10 if self.smoke else BATCH

    @property
    def workers(self) -> int:
        return 1 if self.smoke else 2

    @property
    def wallet_workers(self) -> int:
        # Latency is read one request at a time, which a second worker cannot speed up, and
        # `taito serve --workers 2` adds ~40 ms to every keep-alive request (uvicorn's lost
        # TCP_NODELAY, see the HTTP section), which would hide the wallet's own cost.
        return 1


def run(*, smoke: bool) -> list[Section]:
    """Both scale benchmarks, or a note that PostgreSQL is not available."""
    plan = _Plan(smoke)
    if not postgres_available():
        section = Section("Scale (PostgreSQL)", ".venv/bin/python -m bench --only scale")
        section.reading.append("not run: waits for PostgreSQL at 127.0.0.1:5432")
        section.targets.append(
            TargetCheck("wallet queries at 5,000 credentials < 100 ms p99", "not run", None)
        )
        return [section]
    return [_register(plan), _wallet(plan)]


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


def _fill_wallet(server: Running, fixture: Fixture, size: int) -> str:
    token, jwk = register_wallet(server)
    credentials = issue_to(server, fixture, jwk, size)
    receive_all(server, fixture, token, credentials)
    return token


def _wallet(plan: _Plan) -> Section:
    size = plan.wallet_size
    section = Section(
        f"Scale: a wallet of {size:,} credentials (PostgreSQL, {plan.wallet_workers} worker)",
        ".venv/bin/python -m bench --only scale",
    )
    table = Table(
        "One request at a time (1 connection) for latency; "
        f"{plan.duration:.0f} s per query beside /healthz",
        ("query", "requests/s", "p50", "p99", "errors"),
    )
    with serve("postgresql", workers=plan.wallet_workers, mode="production") as server:
        paths = api_paths(server)
        needed = ("/v1/wallet/credentials", "/v1/wallet/profile", "/v1/auth/register")
        missing = [p for p in needed if p not in paths]
        if missing:
            section.reading.append("not run: waits for " + ", ".join(missing))
            section.targets.append(
                TargetCheck(f"wallet queries at {size:,} credentials < 100 ms p99", "not run", None)
            )
            return section
        fixture = prepare(server)
        token = _fill_wallet(server, fixture, size)
        sources: dict[str, Workload] = {
            "GET /healthz": Workload("get", "/healthz", '"ok"'),
            "list all": _get("/v1/wallet/credentials", token, '"credentials"'),
            f"search ?q={SEARCH_WORD}": _get(
                f"/v1/wallet/credentials?q={SEARCH_WORD}", token, '"credentials"'
            ),
            "skills profile": _get("/v1/wallet/profile", token, '"skills"'),
        }
        worst, slowest = 0.0, "list all"
        for name, source in sources.items():
            result = _load(server, source, 1, plan)
            if result.errors or not result.completed:
                raise AssertionError(f"wallet {name}: {result.error_sample}")
            if name != "GET /healthz" and result.latency(0.99) > worst:
                worst, slowest = result.latency(0.99), name
            table.add(
                name,
                per_second(result.throughput),
                seconds(result.latency(0.5)),
                seconds(result.latency(0.99)),
                str(result.errors),
            )
        if worst >= WALLET_TARGET and not plan.smoke:
            section.reading.append(f"Profile of the slowest query ({slowest}):")
            for gil in (True, False):
                found = profile_server(
                    server.pid,
                    seconds=8,
                    load=lambda: _load(server, sources[slowest], 1, plan),
                    gil=gil,
                )
                section.reading.extend(
                    f"  {line}"
                    for line in (found.lines() if found else ["not taken (py-spy is missing)"])
                )
    section.tables.append(table)
    section.targets.append(
        TargetCheck(
            f"wallet queries at {size:,} credentials < 100 ms p99 (worst of list, search, profile)",
            seconds(worst),
            worst < WALLET_TARGET if size == 5_000 else None,
        )
    )
    section.reading.append(
        "Filling: the credentials were issued through the batch endpoint to the wallet's own "
        "key and stored with the wallet service's receive function; its checker verified each "
        "with the credential core but did not fetch the status list (see bench/scale_wallet.py)."
    )
    return section
