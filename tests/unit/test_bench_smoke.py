"""The benchmark harness's own arithmetic and load generators (no timing is asserted)."""

import asyncio
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from bench.http_load import Request, run_load
from bench.http_report import Outcome
from bench.key_caches import clear_key_caches, warm_key_cache
from bench.profiling import MAX_INTERVAL, MIN_INTERVAL, interval_for
from bench.report import Table
from bench.server_profile import summarise
from bench.timing import Budget, Contender, Timing, compare, percentile, ratio
from bench.wrk import MARKER, Workload, WrkResult, parse, run_wrk
from credentials.keys import generate_key, public_key_from_jwk

needs_wrk = pytest.mark.skipif(
    shutil.which("wrk") is None,
    reason="waits for wrk (Debian package wrk; .ci/run installs it when missing)",
)


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0


def test_compare_times_every_contender_once_per_round() -> None:
    calls = {"fast": 0, "slow": 0}

    def fast() -> None:
        calls["fast"] += 1

    def slow() -> None:
        calls["slow"] += 1
        sum(range(200))

    timings = compare(
        (Contender("fast", fast), Contender("slow", slow)),
        Budget(rounds=3, batch_seconds=0.001, max_repetitions=20),
    )
    assert len(timings["fast"].per_round) == 3 and len(timings["slow"].per_round) == 3
    assert calls["fast"] > 3 and calls["slow"] > 3


def test_ratio_is_the_median_of_same_round_ratios_not_the_ratio_of_medians() -> None:
    # Round ratios 1, 5 and 0.5: their median is 1; the medians' ratio would be 3 / 2.
    timings = {
        "taito": Timing("taito", (1.0, 10.0, 3.0), 1),
        "floor": Timing("floor", (1.0, 2.0, 6.0), 1),
    }
    assert ratio(timings, "taito", "floor") == 1.0


def test_table_refuses_a_row_of_the_wrong_width() -> None:
    table = Table("t", ("a", "b"))
    table.add("1", "2")
    with pytest.raises(ValueError):
        table.add("1")


def test_py_spy_summary_counts_self_time_and_leaves_idle_threads_out() -> None:
    collapsed = "\n".join(
        [
            "main (api/x.py:1);verify (credentials/jws.py:9) 30",
            "main (api/x.py:1);execute (sqlalchemy/engine/base.py:5) 60",
            "worker (t.py:1);Condition.wait (threading.py:327) 500",
        ]
    )
    found = summarise(collapsed)
    assert found.total == 90
    assert dict(found.categories) == {"database": 60, "Taito core": 30}


@dataclass
class Echo:
    """The echo server's port and every request it received (head, body)."""

    port: int = 0
    seen: list[tuple[bytes, bytes]] = field(default_factory=list)


@pytest.fixture
def echo() -> Iterator[Echo]:
    """A tiny HTTP/1.1 keep-alive server on 127.0.0.1 answering ``{"ok":true}``."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    server_state = Echo()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            server_state.seen.append((head, await reader.readexactly(length)))
            body = b'{"ok":true}'
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n" + body)
            await writer.drain()

    async def start() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        server_state.port = server.sockets[0].getsockname()[1]
        ready.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()))
    thread.daemon = True
    thread.start()
    ready.wait(5)
    yield server_state

    async def shutdown() -> None:
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    asyncio.run_coroutine_threadsafe(shutdown(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


@pytest.fixture
def echo_server(echo: Echo) -> int:
    return echo.port


def test_load_generator_stops_when_its_supply_runs_out(echo_server: int) -> None:
    supply = iter([Request("POST", "/x", b"{}", expect=b'"ok"')] * 50)
    result = run_load(echo_server, lambda: next(supply, None), connections=4, duration=5, warmup=0)
    assert result.exhausted
    assert result.ok == 50 and result.errors == 0
    assert result.statuses == {200: 50}


def test_load_generator_counts_an_answer_without_the_expected_body_as_an_error(
    echo_server: int,
) -> None:
    request = Request("GET", "/x", expect=b'"verified":true')
    result = run_load(echo_server, lambda: request, connections=2, duration=0.2, warmup=0)
    assert result.ok == 0 and result.errors > 0
    assert result.error_sample.startswith("200")


def _wrk_result(
    throughput: float, p99: float, *, statuses: dict[int, int] | None = None
) -> WrkResult:
    return WrkResult(1, int(throughput * 10), 10.0, p99 / 2, p99, p99, p99, statuses or {200: 1})


def test_outcome_shows_the_median_run_with_min_and_max_and_a_same_round_healthz_ratio() -> None:
    runs = tuple(_wrk_result(t, p) for t, p in ((100, 0.3), (300, 0.1), (200, 0.2)))
    healthz = tuple(_wrk_result(t, 0.01) for t in (1000, 1000, 4000))
    outcome = Outcome("POST /v1/verifications", "postgresql", 2, runs, healthz)
    assert outcome.spread(lambda r: r.throughput, lambda v: f"{v:.0f}") == "200 (100–300)"
    assert outcome.p99 == 0.2
    # Same-round ratios 0.1, 0.3 and 0.05: the median is 0.1.
    assert outcome.healthz_ratio() == pytest.approx(0.1)


def test_a_run_without_answers_counts_for_throughput_but_not_for_latency() -> None:
    silent = parse(MARKER + json.dumps({**_WRK_LINE, "requests": 0, "statuses": {}}), connections=4)
    outcome = Outcome("batch", "sqlite", 1, (_wrk_result(2, 0.5), silent, _wrk_result(4, 0.7)), ())
    assert outcome.throughput == 2.0
    assert outcome.p99 == pytest.approx(0.6)
    assert outcome.spread(lambda r: r.p99, str) == "0.6 (0.5–0.7)"


_WRK_LINE = {
    "requests": 300,
    "duration_us": 2_000_000,
    "p50_us": 1500,
    "p90_us": 4000,
    "p99_us": 9000,
    "max_us": 12000,
    "socket_errors": {"connect": 0, "read": 1, "write": 0, "timeout": 2},
    "statuses": {"200": 290, "409": 6, "500": 1},
    "wrong": 4,
    "exhausted_threads": 0,
    "sample": "409 nonce reused",
}


def test_parse_reads_wrk_percentiles_and_counts_every_non_2xx_answer_as_an_error() -> None:
    line = MARKER + json.dumps(_WRK_LINE)
    result = parse(f"Running 2s test\n{line}\n", connections=8)
    assert result.throughput == 150.0
    assert (result.latency(0.5), result.latency(0.99)) == (0.0015, 0.009)
    assert result.non_2xx == 7
    assert result.errors == 7 + 4 + 3
    assert not result.exhausted


def test_clearing_key_caches_makes_the_next_key_import_cold() -> None:
    jwk = {k: v for k, v in generate_key("ES256").public.jwk.items() if k != "kid"}
    with warm_key_cache():
        first = public_key_from_jwk(jwk)
        clear_key_caches()
        assert public_key_from_jwk(jwk) is not first


def test_a_warm_key_cache_hands_back_the_key_it_imported_before() -> None:
    jwk = {k: v for k, v in generate_key("EdDSA").public.jwk.items() if k != "kid"}
    with warm_key_cache():
        first = public_key_from_jwk(jwk)
    with warm_key_cache():
        assert public_key_from_jwk(jwk) is first


def test_profile_interval_follows_the_operation_time_within_bounds() -> None:
    assert interval_for(2e-3) == pytest.approx(2e-4)
    assert interval_for(1e-5) == MIN_INTERVAL
    assert interval_for(5.0) == MAX_INTERVAL


@needs_wrk
def test_wrk_sends_each_presentation_at_most_once_and_says_when_they_ran_out(echo: Echo) -> None:
    bodies = tuple(b'{"n":%d}' % n for n in range(40))
    workload = Workload(
        "walk", "/v1/verifications", '"ok"', (("Authorization", "Bearer t"),), bodies
    )
    result = run_wrk(echo.port, workload, connections=4, seconds=1)
    posted = [body for head, body in echo.seen if head.startswith(b"POST /v1/verifications ")]
    assert len(posted) == len(set(posted)) and set(posted) <= set(bodies)
    assert result.exhausted
    assert result.errors == 0 and 0 < result.requests <= len(bodies)


@needs_wrk
def test_wrk_gives_every_issuance_its_own_idempotency_key(echo: Echo) -> None:
    workload = Workload("repeat", "/v1/issuers/x/credentials", '"ok"', (), (b'{"a":1}',))
    result = run_wrk(echo.port, workload, connections=2, seconds=1)
    keys = [
        line
        for head, _ in echo.seen
        for line in head.split(b"\r\n")
        if line.startswith(b"Idempotency-Key:")
    ]
    assert result.requests > 0 and len(keys) == len(echo.seen)
    assert len(set(keys)) == len(keys)


@needs_wrk
def test_wrk_counts_a_2xx_answer_without_the_expected_text_as_wrong(echo_server: int) -> None:
    workload = Workload("get", "/v1/verifications", '"verified":true')
    result = run_wrk(echo_server, workload, connections=1, seconds=1)
    assert result.requests > 0 and result.wrong == result.requests
    assert result.non_2xx == 0
    assert result.error_sample.startswith("200 ")
