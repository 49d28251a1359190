"""A bounded HTTP/1.1 load generator in Python: the cross-check of wrk's figures.

Raw asyncio streams (keep-alive, one loop, no threads); :mod:`bench.wrk` is the headline
generator. ``connections`` coroutines each hold one keep-alive connection to 127.0.0.1 and send
requests back to back (closed loop): the next request leaves when the previous answer arrived, so
the offered load adapts to the server and latency is not inflated by a queue in the client. A
run stops by itself: after ``duration`` seconds (never more than :data:`MAX_SECONDS`) or when
the request source is exhausted. A warm-up phase before it is not recorded.

The client is written against the sockets rather than through httpx because httpx's per-request
overhead would make the generator, not the server, the bottleneck. It still runs in Python on
the same two cores as the server, which the results say next to every figure.
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.timing import percentile

MAX_SECONDS = 30.0


@dataclass(frozen=True)
class Request:
    """One request; ``expect`` is a byte string a successful answer's body must contain."""

    method: str
    path: str
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    expect: bytes | None = None


RequestSource = Callable[[], Request | None]
"""Returns the next request, or ``None`` when there is nothing left to send."""


@dataclass
class LoadResult:
    """What one run measured (only the recorded phase)."""

    connections: int
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    exhausted: bool = False
    error_sample: str = ""

    @property
    def completed(self) -> int:
        return self.ok + self.errors

    @property
    def throughput(self) -> float:
        return self.completed / self.elapsed if self.elapsed > 0 else 0.0

    def latency(self, fraction: float) -> float:
        return percentile(sorted(self.latencies), fraction)


class _Recorder:
    def __init__(self, result: LoadResult) -> None:
        self.result = result
        self.recording = False

    def record(self, status: int, latency: float, success: bool, body: bytes) -> None:
        if not self.recording:
            return
        result = self.result
        result.statuses[status] = result.statuses.get(status, 0) + 1
        result.latencies.append(latency)
        if success:
            result.ok += 1
        else:
            result.errors += 1
            if not result.error_sample:
                result.error_sample = f"{status} {body[:300].decode('utf-8', 'replace')}"


def _encode(request: Request, host: str) -> bytes:
    lines = [f"{request.method} {request.path} HTTP/1.1", f"Host: {host}"]
    lines.extend(f"{name}: {value}" for name, value in request.headers)
    if request.body or request.method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(request.body)}")
    head = "\r\n".join(lines) + "\r\n\r\n"
    return head.encode("ascii") + request.body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """``(status, body, keep_alive)`` of one response."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection")
    status = int(status_line.split(b" ", 2)[1])
    length = 0
    chunked = False
    keep_alive = True
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection" and b"close" in value.lower():
            keep_alive = False
    if not chunked:
        return status, await reader.readexactly(length), keep_alive
    parts = []
    while True:
        size = int((await reader.readline()).split(b";")[0].strip(), 16)
        if size == 0:
            await reader.readline()
            break
        parts.append(await reader.readexactly(size))
        await reader.readline()
    return status, b"".join(parts), keep_alive


async def _connection(
    port: int, source: RequestSource, recorder: _Recorder, stop: asyncio.Event
) -> None:
    host = f"127.0.0.1:{port}"
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while not stop.is_set():
            request = source()
            if request is None:
                recorder.result.exhausted = True
                stop.set()
                break
            started = time.perf_counter()
            writer.write(_encode(request, host))
            try:
                status, body, keep_alive = await _read_response(reader)
            except (ConnectionError, asyncio.IncompleteReadError, ValueError):
                recorder.record(0, time.perf_counter() - started, False, b"connection failed")
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latency = time.perf_counter() - started
            success = 200 <= status < 300 and (request.expect is None or request.expect in body)
            recorder.record(status, latency, success, body)
            if not keep_alive:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def _run(
    port: int, source: RequestSource, connections: int, warmup: float, duration: float
) -> LoadResult:
    result = LoadResult(connections)
    recorder = _Recorder(result)
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(_connection(port, source, recorder, stop)) for _ in range(connections)
    ]
    try:
        await asyncio.wait(tasks, timeout=warmup)
        recorder.recording = True
        started = time.perf_counter()
        await asyncio.wait(tasks, timeout=duration)
        result.elapsed = time.perf_counter() - started
        recorder.recording = False
        stop.set()
        await asyncio.wait(tasks, timeout=15)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        if task.cancelled():
            continue
        error = task.exception()
        if error is not None:
            raise error
    return result


def run_load(
    port: int,
    source: RequestSource,
    *,
    connections: int,
    duration: float,
    warmup: float = 1.0,
) -> LoadResult:
    """Load ``127.0.0.1:port`` with ``connections`` closed-loop clients; bounded in time."""
    bounded = min(duration, MAX_SECONDS)
    return asyncio.run(_run(port, source, connections, min(warmup, 5.0), bounded))
