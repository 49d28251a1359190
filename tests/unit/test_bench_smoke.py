"""The benchmark harness's own arithmetic and load generator (no timing is asserted)."""

import asyncio
import threading
from collections.abc import Iterator

import pytest

from bench.http_load import Request, run_load
from bench.report import Table
from bench.server_profile import summarise
from bench.timing import Budget, Contender, compare, percentile, ratio


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0


def test_ratio_is_the_median_of_same_round_ratios() -> None:
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
    assert len(timings["fast"].per_round) == 3
    assert calls["fast"] > 3 and calls["slow"] > 3
    assert ratio(timings, "slow", "slow") == 1.0


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


@pytest.fixture
def echo_server() -> Iterator[int]:
    """A tiny HTTP/1.1 keep-alive server on 127.0.0.1 answering ``{"ok":true}``."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            body = b'{"ok":true}'
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n" + body)
            await writer.drain()

    async def start() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port.append(server.sockets[0].getsockname()[1])
        ready.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()))
    thread.daemon = True
    thread.start()
    ready.wait(5)
    yield port[0]
    loop.call_soon_threadsafe(loop.stop)


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
