"""HTTP benchmarks: ``taito serve`` on 127.0.0.1 under a bounded closed-loop load.

For each database (SQLite, PostgreSQL) and worker count (1, 2) a fresh server is started and
loaded, endpoint after endpoint, each beside ``GET /healthz`` of the same server (the cost of
the framework, the middleware and the generator alone):

- ``POST /v1/verifications``: API-to-API, a fresh nonce per request, one presentation of three
  claims with a KB-JWT, the issuer's status list cached by the gate after the first request;
- ``POST /v1/issuers/{slug}/credentials``: one credential per request (new Idempotency-Key);
- ``POST /v1/issuers/{slug}/credentials/batch``: :data:`BATCH_SIZE` credentials per request.

An endpoint the server does not document in its OpenAPI description is reported as "not run:
endpoint missing". A response counts as an error unless it is 2xx and shows success
(``"verified":true`` for a verification, ``"failed":0`` for a batch).
"""

import json
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import server_profile
from bench.http_load import LoadResult, Request, RequestSource, run_load
from bench.http_server import Database, Running, postgres_available, postgres_version, serve
from bench.http_setup import (
    ISSUER_SLUG,
    Fixture,
    api_paths,
    credential_body,
    mint_nonces,
    prepare,
    trust_issuer,
    verification_requests,
)
from bench.report import Section, Table, TargetCheck, per_second, seconds, times

BATCH_SIZE = 100
VERIFY_TARGET = 2500.0
VERIFY_P99_TARGET = 0.025
BATCH_TARGET = 3000.0
CONNECTIONS = 32
BATCH_CONNECTIONS = 4
VERIFICATIONS_PER_SECOND_SUPPLY = 4000

VERIFY_PATH = "/v1/verifications"
ISSUE_PATH = f"/v1/issuers/{ISSUER_SLUG}/credentials"
BATCH_PATH = f"/v1/issuers/{ISSUER_SLUG}/credentials/batch"
SETUP_PATHS = ("/v1/admin/issuers", "/v1/admin/verifiers", "/v1/issuers/{slug}/credentials")


@dataclass(frozen=True)
class Plan:
    smoke: bool

    @property
    def duration(self) -> float:
        return 0.5 if self.smoke else 10.0

    @property
    def warmup(self) -> float:
        return 0.2 if self.smoke else 2.0

    @property
    def connections(self) -> int:
        return 4 if self.smoke else CONNECTIONS

    @property
    def batch_connections(self) -> int:
        return 1 if self.smoke else BATCH_CONNECTIONS

    @property
    def batch_size(self) -> int:
        return 5 if self.smoke else BATCH_SIZE

    @property
    def workers(self) -> tuple[int, ...]:
        return (1,) if self.smoke else (1, 2)


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


def _healthz() -> RequestSource:
    request = Request("GET", "/healthz", expect=b'"ok"')
    return lambda: request


def issuance_source(fixture: Fixture, *, batch: int | None) -> RequestSource:
    one = credential_body(fixture.holder)
    body = json.dumps({"items": [one] * batch} if batch else one).encode("utf-8")
    path = BATCH_PATH if batch else ISSUE_PATH
    expect = b'"failed":0' if batch else b'"credential"'
    auth = ("Authorization", f"Bearer {fixture.issuer_key}")
    content = ("Content-Type", "application/json")

    def next_request() -> Request:
        key = ("Idempotency-Key", secrets.token_urlsafe(12))
        return Request("POST", path, body, (auth, content, key), expect)

    return next_request


def _from_list(requests: list[Request]) -> RequestSource:
    supply: Iterator[Request] = iter(requests)
    return lambda: next(supply, None)


def _probe_verification(server: Running, fixture: Fixture) -> str:
    """Empty when one verification succeeds; else why the verification benchmark cannot run.

    When the gate does not know the local issuer, the issuer is put in the trust registry
    (pinned key) and the probe is repeated.
    """
    reason = _probe_once(server, fixture)
    if "issuer_unknown" in reason:
        trust_issuer(server, fixture)
        reason = _probe_once(server, fixture)
        if reason:
            reason += " (issuer trusted through the registry with a pinned key)"
    return reason


def _probe_once(server: Running, fixture: Fixture) -> str:
    request = verification_requests(fixture, mint_nonces(server, 1))[0]
    answer = httpx.post(
        f"{server.origin}{request.path}",
        content=request.body,
        headers=dict(request.headers),
        timeout=60,
    )
    if answer.status_code == 200 and answer.json().get("verified") is True:
        return ""
    failed: list[str] = []
    if answer.status_code == 200:
        for presentation in answer.json().get("presentations", []):
            failed += [
                f"{c['check']}={c.get('code')}"
                for c in presentation.get("checks", [])
                if c.get("outcome") == "failed"
            ]
    return f"the probe verification answered {answer.status_code}, failed checks: " + (
        ", ".join(failed) or answer.text[:200]
    )


def _server_runs(database: Database, workers: int, plan: Plan) -> list[Outcome]:
    outcomes: list[Outcome] = []
    with serve(database, workers=workers, mode="production") as server:
        paths = api_paths(server)
        missing_setup = [p for p in SETUP_PATHS if p not in paths]
        baseline = run_load(
            server.port,
            _healthz(),
            connections=plan.connections,
            duration=plan.duration,
            warmup=plan.warmup,
        )
        outcomes.append(Outcome("GET /healthz", database, workers, baseline, baseline))
        fixture = None if missing_setup else prepare(server)

        def skipped(endpoint: str, reason: str) -> None:
            outcomes.append(Outcome(endpoint, database, workers, None, baseline, skipped=reason))

        def measured(
            endpoint: str, source: Callable[[], RequestSource], connections: int, per: int
        ) -> None:
            def load() -> LoadResult:
                return run_load(
                    server.port,
                    source(),
                    connections=connections,
                    duration=plan.duration,
                    warmup=plan.warmup,
                )

            offset = server.log.stat().st_size
            result = load()
            if result.errors:
                result.error_sample = server_errors(server.log, offset) or result.error_sample
            outcomes.append(Outcome(endpoint, database, workers, result, baseline, per))
            if not plan.smoke:
                _maybe_profile(outcomes, server, load)

        verify = "POST /v1/verifications"
        if fixture is None:
            skipped(verify, "not run: endpoint missing (" + ", ".join(missing_setup) + ")")
        elif VERIFY_PATH not in paths:
            skipped(verify, "not run: endpoint missing")
        elif reason := _probe_verification(server, fixture):
            skipped(verify, f"not run: {reason}")
        else:
            supply = int(VERIFICATIONS_PER_SECOND_SUPPLY * workers * (plan.duration + 2))
            if plan.smoke:
                supply = 200
            measured(
                verify,
                lambda: _from_list(verification_requests(fixture, mint_nonces(server, supply))),
                plan.connections,
                1,
            )
        single = "POST /v1/issuers/{slug}/credentials"
        if fixture is None or "/v1/issuers/{slug}/credentials" not in paths:
            skipped(single, "not run: endpoint missing")
        else:
            measured(single, lambda: issuance_source(fixture, batch=None), plan.connections, 1)
        batch = f"POST .../credentials/batch ({plan.batch_size} per request)"
        if fixture is None or "/v1/issuers/{slug}/credentials/batch" not in paths:
            skipped(batch, "not run: endpoint missing")
        else:
            measured(
                batch,
                lambda: issuance_source(fixture, batch=plan.batch_size),
                plan.batch_connections,
                plan.batch_size,
            )
    return outcomes


def _misses(outcome: Outcome) -> bool:
    result = outcome.result
    if result is None or outcome.database != "postgresql":
        return False
    if outcome.endpoint.startswith("POST /v1/verifications"):
        return (
            result.throughput < VERIFY_TARGET
            or result.latency(0.99) >= VERIFY_P99_TARGET
            or result.errors > 0
        )
    if "batch" in outcome.endpoint:
        return result.throughput * outcome.per_request < BATCH_TARGET
    return False


def server_errors(log: Path, offset: int) -> str:
    """The most frequent exception in the server's JSON log since ``offset``, with its count."""
    counts: Counter[str] = Counter()
    with log.open("rb") as handle:
        handle.seek(offset)
        for line in handle:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            trace = record.get("exception") if isinstance(record, dict) else None
            if isinstance(trace, str):
                causes = [t for t in trace.splitlines() if t and not t.startswith((" ", "("))]
                counts[(causes[-1] if causes else "unknown")[:160]] += 1
    if not counts:
        return ""
    text, count = counts.most_common(1)[0]
    return f"server log: {text} (x{count})"


def _maybe_profile(outcomes: list[Outcome], server: Running, load: Callable[[], object]) -> None:
    last = outcomes[-1]
    if not _misses(last):
        return
    found = server_profile.profile_server(server.pid, seconds=8, load=load)
    lines = found.lines() if found else ["profile not taken (py-spy is not installed)"]
    outcomes[-1] = Outcome(
        last.endpoint,
        last.database,
        last.workers,
        last.result,
        last.baseline,
        last.per_request,
        last.skipped,
        lines,
    )


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
    failures = [
        o
        for o in outcomes
        if o.result is not None and (o.result.errors > 0 or o.result.completed == 0) and smoke
    ]
    if failures:
        sample = failures[0].result.error_sample if failures[0].result else ""
        raise AssertionError(f"HTTP smoke: {failures[0].endpoint} failed: {sample}")
    return [_section(outcomes, plan, pg)]


def _section(outcomes: list[Outcome], plan: Plan, pg: bool) -> Section:
    section = Section(
        "HTTP: taito serve (production settings) under a closed-loop load on 127.0.0.1",
        ".venv/bin/python -m bench --only http",
    )
    table = Table(
        f"{plan.duration:.0f} s per run after {plan.warmup:.0f} s warm-up; "
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
    section.tables.append(table)
    section.targets.extend(_targets(outcomes, pg))
    section.reading.append(
        "The load generator is Python (asyncio, raw HTTP/1.1 keep-alive) on the same two cores "
        "as the server: it takes a share of the CPU the server could use, so every absolute "
        "figure is a lower bound; the /healthz run of the same server shows that ceiling."
    )
    section.reading.extend(_worker_reading(outcomes))
    for o in outcomes:
        if o.profile:
            section.reading.append(f"Profile of {o.endpoint}, {o.database}, {o.workers} workers:")
            section.reading.extend(f"  {line}" for line in o.profile)
    return section


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
        if two.latency(0.5) > max(0.02, 5 * one.latency(0.5)):
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


def database_version() -> str:
    """For the machine facts: the PostgreSQL server version, when it answers."""
    return postgres_version() if postgres_available() else "unavailable"
