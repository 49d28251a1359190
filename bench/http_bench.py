"""HTTP benchmarks: ``taito serve`` on 127.0.0.1 loaded by wrk (:mod:`bench.wrk`).

For each database (SQLite, PostgreSQL) and worker count (1, 2) a fresh server is started and
set up through its API; then every endpoint is warmed up once and measured in
:attr:`Plan.runs` rounds, each round running ``GET /healthz`` (the cost of the framework, the
middleware and the generator alone) and then every endpoint, so that each figure is a median
of runs with its same-round baseline beside it:

- ``POST /v1/verifications``: API-to-API, the workload of :mod:`bench.verification_load`
  (three issuers, many holders, realistic status lists, nonces from the API, one presentation
  per request);
- ``POST /v1/issuers/{slug}/credentials``: one credential per request (new Idempotency-Key);
- ``POST /v1/issuers/{slug}/credentials/batch``: :data:`BATCH_SIZE` credentials per request.

A scenario that cannot run says what it waits for. A response counts as an error unless it is
2xx and shows success (``"verified":true`` for a verification, ``"failed":0`` for a batch).
The Python generator (:mod:`bench.http_load`) runs the verification once more as a
cross-check of wrk's figures (full runs only).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from bench import server_profile, verification_load
from bench.http_load import Request, run_load
from bench.http_report import (
    BATCH_TARGET,
    VERIFY_P99_TARGET,
    VERIFY_TARGET,
    Outcome,
    section,
)
from bench.http_server import (
    Database,
    Running,
    postgres_available,
    postgres_version,
    serve,
    server_errors,
)
from bench.http_setup import (
    ISSUER_SLUG,
    VERIFIER_SLUG,
    Fixture,
    api_paths,
    credential_body,
    prepare,
)
from bench.report import Section, per_second, seconds
from bench.rss import RssSampler
from bench.verification_load import VERIFY_PATH, describe
from bench.verification_scenario import Supply, probe
from bench.wrk import Workload, WrkResult, run_wrk

BATCH_SIZE = 100
CONNECTIONS = 32
BATCH_CONNECTIONS = 4
VERIFICATIONS_PER_SECOND_SUPPLY = 4000
"""Most presentations made per second of a run and worker (each costs a nonce and a KB-JWT)."""

ISSUE_PATH = f"/v1/issuers/{ISSUER_SLUG}/credentials"
BATCH_PATH = f"/v1/issuers/{ISSUER_SLUG}/credentials/batch"
SETUP_PATHS = (
    "/v1/admin/issuers",
    "/v1/admin/verifiers",
    "/v1/issuers/{slug}/credentials/batch",
    "/v1/issuers/{slug}/credentials/{credential_id}/status",
    "/v1/verifiers/{slug}/nonces",
)


@dataclass(frozen=True)
class Plan:
    smoke: bool

    @property
    def seconds(self) -> int:
        return 1 if self.smoke else 10

    @property
    def warmup(self) -> int:
        """Seconds of an unrecorded run of each endpoint before the rounds (none when smoke)."""
        return 0 if self.smoke else 2

    @property
    def runs(self) -> int:
        return 1 if self.smoke else 3

    @property
    def connections(self) -> int:
        # One connection in smoke runs: they check that every scenario works end to end;
        # what concurrency does to the server is the full run's business.
        return 1 if self.smoke else CONNECTIONS

    @property
    def batch_connections(self) -> int:
        return 1 if self.smoke else BATCH_CONNECTIONS

    @property
    def batch_size(self) -> int:
        return 5 if self.smoke else BATCH_SIZE

    @property
    def workers(self) -> tuple[int, ...]:
        return (1,) if self.smoke else (1, 2)

    @property
    def holders(self) -> int:
        return 12 if self.smoke else 1_200

    @property
    def smoke_supply(self) -> int:
        return 150


def _healthz() -> Workload:
    return Workload("get", "/healthz", '"ok"')


def issuance_workload(fixture: Fixture, *, batch: int | None) -> Workload:
    """Single or batch issuance; wrk adds a fresh Idempotency-Key to every request."""
    one = credential_body(fixture.holder)
    body = json.dumps({"items": [one] * batch} if batch else one).encode("utf-8")
    return Workload(
        "repeat",
        BATCH_PATH if batch else ISSUE_PATH,
        '"failed":0' if batch else '"credential"',
        (("Authorization", f"Bearer {fixture.issuer_key}"),),
        (body,),
    )


@dataclass
class Scenario:
    """One endpoint: the paths it needs, how to make a run's workload, what a request is worth."""

    endpoint: str
    needs: tuple[str, ...]
    workload: Callable[[], Workload] | None = None
    connections: int = 1
    per_request: int = 1
    after_warmup: Callable[[WrkResult], None] | None = None
    skipped: str = ""
    note: str = ""


VERIFY = "POST /v1/verifications"
SINGLE = "POST /v1/issuers/{slug}/credentials"


def _scenarios(server: Running, plan: Plan, workers: int) -> list[Scenario]:
    paths = api_paths(server)
    batch = f"POST .../credentials/batch ({plan.batch_size} per request)"
    scenarios = [
        Scenario("GET /healthz", (), _healthz, plan.connections),
        Scenario(VERIFY, (*SETUP_PATHS, VERIFY_PATH)),
        Scenario(SINGLE, (*SETUP_PATHS[:2], "/v1/issuers/{slug}/credentials")),
        Scenario(batch, (*SETUP_PATHS[:2], "/v1/issuers/{slug}/credentials/batch")),
    ]
    for scenario in scenarios:
        missing = [path for path in scenario.needs if path not in paths]
        if missing:
            scenario.skipped = "not run: waits for " + ", ".join(missing)
    if all(scenario.skipped for scenario in scenarios[1:]):
        return scenarios
    fixture = prepare(server)
    verify, single, many = scenarios[1:]
    if not verify.skipped:
        workload = verification_load.prepare_workload(
            server,
            verifier_slug=VERIFIER_SLUG,
            verifier_key=fixture.verifier_key,
            audience=fixture.audience,
            holders=plan.holders,
        )
        reason = probe(server, workload)
        if reason:
            verify.skipped = f"not run: {reason}"
        else:
            supply = Supply(
                server,
                workload,
                seconds=plan.seconds,
                first=plan.smoke_supply if plan.smoke else 1500 * workers,
                cap=VERIFICATIONS_PER_SECOND_SUPPLY * workers * plan.seconds,
            )
            verify.workload, verify.connections = supply.make, plan.connections
            verify.after_warmup = supply.size_from
            verify.note = describe(workload)
    single.workload = lambda: issuance_workload(fixture, batch=None)
    single.connections = plan.connections
    many.workload = lambda: issuance_workload(fixture, batch=plan.batch_size)
    many.connections, many.per_request = plan.batch_connections, plan.batch_size
    return scenarios


def _run(server: Running, scenario: Scenario, seconds: int) -> WrkResult:
    assert scenario.workload is not None
    workload = scenario.workload()
    offset = server.log.stat().st_size
    result = run_wrk(
        server.port,
        workload,
        connections=scenario.connections,
        seconds=seconds,
    )
    if result.errors:
        found = server_errors(server.log, offset)
        result = replace(result, error_sample=found or result.error_sample)
    return result


def _server_runs(database: Database, workers: int, plan: Plan) -> list[Outcome]:
    outcomes: list[Outcome] = []
    with serve(database, workers=workers, mode="production") as server:
        scenarios = _scenarios(server, plan, workers)
        running = [s for s in scenarios if not s.skipped]
        if plan.warmup:
            for scenario in running:
                warm = _run(server, scenario, plan.warmup)
                if scenario.after_warmup is not None:
                    scenario.after_warmup(warm)
        measured: dict[str, list[WrkResult]] = {s.endpoint: [] for s in running}
        memory: dict[str, RssSampler] = {s.endpoint: RssSampler(server.pid) for s in running}
        for _ in range(plan.runs):
            for scenario in running:
                with memory[scenario.endpoint]:
                    measured[scenario.endpoint].append(_run(server, scenario, plan.seconds))
        baseline = tuple(measured["GET /healthz"])
        for scenario in scenarios:
            outcome = Outcome(
                scenario.endpoint,
                database,
                workers,
                tuple(measured.get(scenario.endpoint, ())),
                baseline,
                scenario.per_request,
                scenario.skipped,
                notes=(scenario.note,) if scenario.note else (),
                rss=memory[scenario.endpoint].per_worker() if scenario in running else (),
            )
            if not plan.smoke and outcome.runs:
                outcome = _cross_checked(server, scenario, outcome, plan)
                outcome = _profiled(server, scenario, outcome, plan)
            outcomes.append(outcome)
    return outcomes


def _cross_checked(server: Running, scenario: Scenario, outcome: Outcome, plan: Plan) -> Outcome:
    """The verification once more, loaded by the Python generator (same connections)."""
    if scenario.endpoint != VERIFY or scenario.workload is None:
        return outcome
    workload = scenario.workload()
    headers = (*workload.headers, ("Content-Type", "application/json"))
    requests = iter(
        Request("POST", workload.path, body, headers, workload.expect.encode("utf-8"))
        for body in workload.bodies
    )
    result = run_load(
        server.port,
        lambda: next(requests, None),
        connections=scenario.connections,
        duration=plan.seconds,
        warmup=1.0,
    )
    text = (
        f"Cross-check, {outcome.database}, {outcome.workers} workers: the Python generator "
        f"(asyncio, {scenario.connections} connections, one {plan.seconds} s run) measured "
        f"{per_second(result.throughput)}, p99 {seconds(result.latency(0.99))}, "
        f"{result.errors} errors"
        + (" (supply exhausted)" if result.exhausted else "")
        + f"; wrk's median was {per_second(outcome.throughput)}, p99 {seconds(outcome.p99)}."
    )
    return replace(outcome, notes=(*outcome.notes, text))


def _misses(outcome: Outcome) -> bool:
    if not outcome.runs or outcome.database != "postgresql":
        return False
    if outcome.endpoint == VERIFY:
        return (
            outcome.throughput < VERIFY_TARGET
            or outcome.p99 >= VERIFY_P99_TARGET
            or outcome.errors > 0
        )
    if "batch" in outcome.endpoint:
        return outcome.throughput * outcome.per_request < BATCH_TARGET
    return False


def _profiled(server: Running, scenario: Scenario, outcome: Outcome, plan: Plan) -> Outcome:
    """A missed target gets py-spy profiles of the server during one more run (not counted)."""
    if not _misses(outcome) or scenario.workload is None:
        return outcome
    lines: list[str] = []
    for gil in (True, False):
        # Made before sampling starts, so that minting nonces is not in the profile.
        load = partial(
            run_wrk,
            server.port,
            scenario.workload(),
            connections=scenario.connections,
            seconds=plan.seconds,
        )
        found = server_profile.profile_server(
            server.pid, seconds=min(8, plan.seconds), load=load, gil=gil
        )
        lines.extend(found.lines() if found else ["profile not taken (py-spy is not installed)"])
    return replace(outcome, profile=tuple(lines))


def run(*, smoke: bool) -> list[Section]:
    """Every HTTP scenario; PostgreSQL ones only when the server at 127.0.0.1:5432 answers."""
    plan = Plan(smoke)
    databases: list[Database] = ["sqlite"]
    pg = postgres_available()
    if pg:
        databases.append("postgresql")
    outcomes: list[Outcome] = []
    for database in databases:
        for workers in plan.workers:
            outcomes.extend(_server_runs(database, workers, plan))
    if smoke:
        _fail_on_broken(outcomes)
    return [section(outcomes, duration=plan.seconds, warmup=plan.warmup, runs=plan.runs, pg=pg)]


def _fail_on_broken(outcomes: list[Outcome]) -> None:
    """A smoke run fails when a scenario answered wrongly, or an existing endpoint would not
    verify a valid presentation or refuse a revoked one; endpoints not built yet are not."""
    for o in outcomes:
        if o.runs and (o.errors > 0 or any(r.requests == 0 for r in o.runs)):
            found = next((r.error_sample for r in o.runs if r.error_sample), "no answers")
            raise AssertionError(f"HTTP smoke: {o.endpoint} failed: {found}")
        if o.skipped.startswith("not run: the probe"):
            raise AssertionError(f"HTTP smoke: {o.endpoint} {o.skipped}")


def database_version() -> str:
    """For the machine facts: the PostgreSQL server version, when it answers."""
    return postgres_version() if postgres_available() else "unavailable"
