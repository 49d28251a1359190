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
from bench.http_report import (
    BATCH_TARGET,
    VERIFY_P99_TARGET,
    VERIFY_TARGET,
    Outcome,
    section,
)
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
from bench.report import Section

BATCH_SIZE = 100
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
        return 0.3 if self.smoke else 10.0

    @property
    def warmup(self) -> float:
        return 0.1 if self.smoke else 2.0

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
            supply = _verification_supply(server, fixture, plan, workers)
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


def _verification_supply(server: Running, fixture: Fixture, plan: Plan, workers: int) -> int:
    """How many single-use presentations the measured run needs, from a short trial run.

    Each needs a nonce row and a KB-JWT made in advance; making ten times too many would cost
    more time than the run itself, making too few would end the run early (reported).
    """
    trial = 100 if plan.smoke else 2000
    result = run_load(
        server.port,
        _from_list(verification_requests(fixture, mint_nonces(server, trial))),
        connections=plan.connections,
        duration=0.2 if plan.smoke else 3.0,
        warmup=0.1 if plan.smoke else 1.0,
    )
    needed = result.throughput * 1.5 * (plan.duration + plan.warmup) + 500
    cap = VERIFICATIONS_PER_SECOND_SUPPLY * workers * (plan.duration + plan.warmup)
    return int(min(needed, cap))


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
                lines = [t for t in trace.splitlines() if t and not t.startswith((" ", "("))]
                causes = [t for t in lines if "Error" in t or "Exception" in t] or lines
                counts[(causes[-1] if causes else "unknown")[:160]] += 1
    if not counts:
        return ""
    text, count = counts.most_common(1)[0]
    return f"server log: {text} (x{count})"


def _maybe_profile(outcomes: list[Outcome], server: Running, load: Callable[[], object]) -> None:
    last = outcomes[-1]
    if not _misses(last):
        return
    lines: list[str] = []
    for gil in (True, False):
        found = server_profile.profile_server(server.pid, seconds=8, load=load, gil=gil)
        lines.extend(found.lines() if found else ["profile not taken (py-spy is not installed)"])
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
    if smoke:
        _fail_on_broken(outcomes)
    return [section(outcomes, duration=plan.duration, warmup=plan.warmup, pg=pg)]


def _fail_on_broken(outcomes: list[Outcome]) -> None:
    """A smoke run fails when a scenario answered wrongly, or an existing endpoint would not
    verify a valid presentation; endpoints not built yet are not failures."""
    for o in outcomes:
        if o.result is not None and (o.result.errors > 0 or o.result.completed == 0):
            raise AssertionError(f"HTTP smoke: {o.endpoint} failed: {o.result.error_sample}")
        if o.skipped.startswith("not run: the probe"):
            raise AssertionError(f"HTTP smoke: {o.endpoint} {o.skipped}")


def database_version() -> str:
    """For the machine facts: the PostgreSQL server version, when it answers."""
    return postgres_version() if postgres_available() else "unavailable"
