"""The headline HTTP load generator: ``wrk`` (C, Debian package ``wrk``) driven by ``wrk.lua``.

``wrk`` holds ``connections`` keep-alive connections and sends the next request on a
connection as soon as the previous answer arrived (closed loop), at a cost per request small
enough that on two shared cores the server, not the generator, is what is measured. The Lua
script (:data:`SCRIPT`) decides what each request carries (:class:`Workload`): nothing
(``GET /healthz``), one line of a file each (verification: every presentation carries its own
single-use nonce, so no body may be sent twice), or one body with a fresh ``Idempotency-Key``
(issuance). Its ``done`` hook prints one JSON line: wrk's latency percentiles, socket errors,
the count of every status code, and the 2xx answers that lack the expected text.
"""

import json
import math
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

SCRIPT = Path(__file__).with_name("wrk.lua")
MARKER = "TAITO_WRK "
TIMEOUT_SECONDS = 30
"""wrk's per-request timeout (its default, 2 s, would drop the slowest answers of a slow run)."""

Mode = Literal["get", "walk", "repeat", "collect"]


class WrkMissing(RuntimeError):
    """wrk is not installed (``apt-get install wrk``; ``.ci/run`` does it)."""


def wrk() -> str:
    """The wrk executable; raises :class:`WrkMissing` when it is not on the PATH."""
    found = shutil.which("wrk")
    if found is None:
        raise WrkMissing("wrk is not installed: apt-get install -y wrk")
    return found


@dataclass(frozen=True)
class Workload:
    """What wrk sends to ``path``: see the module docstring for the three modes."""

    mode: Mode
    path: str
    expect: str
    headers: tuple[tuple[str, str], ...] = ()
    bodies: tuple[bytes, ...] = ()
    """``walk``: one body per request, each sent once; ``repeat``: the one body."""


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: its measured phase only (wrk has no warm-up; callers run one before)."""

    connections: int
    requests: int
    elapsed: float
    p50: float
    p90: float
    p99: float
    max: float
    statuses: dict[int, int] = field(default_factory=dict)
    socket_errors: int = 0
    wrong: int = 0
    """2xx answers without the expected text (a verification that did not verify)."""
    exhausted: bool = False
    error_sample: str = ""

    @property
    def throughput(self) -> float:
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def non_2xx(self) -> int:
        return sum(count for status, count in self.statuses.items() if not 200 <= status < 300)

    @property
    def errors(self) -> int:
        """Every request that did not get a good answer: non-2xx, wrong 2xx, socket errors."""
        return self.non_2xx + self.wrong + self.socket_errors

    @property
    def completed(self) -> int:
        return self.requests

    def latency(self, fraction: float) -> float:
        """p50, p90 or p99 (and the maximum for 1.0) in seconds, as wrk measured them."""
        known = {0.5: self.p50, 0.9: self.p90, 0.99: self.p99, 1.0: self.max}
        if fraction not in known:
            raise ValueError("wrk results carry p50, p90, p99 and the maximum only")
        return known[fraction]


def parse(output: str, *, connections: int) -> WrkResult:
    """The result from wrk's standard output (the JSON line printed by the ``done`` hook)."""
    line = next((x for x in output.splitlines() if x.startswith(MARKER)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result line:\n{output[-1000:]}")
    data = json.loads(line[len(MARKER) :])
    sockets = data["socket_errors"]
    requests = int(data["requests"])

    def latency(name: str) -> float:
        # wrk reports 0 for a run without answers: no latency was measured.
        return int(data[name]) / 1e6 if requests else math.nan

    return WrkResult(
        connections=connections,
        requests=requests,
        elapsed=int(data["duration_us"]) / 1e6,
        p50=latency("p50_us"),
        p90=latency("p90_us"),
        p99=latency("p99_us"),
        max=latency("max_us"),
        statuses={int(k): int(v) for k, v in data["statuses"].items()},
        socket_errors=sum(int(sockets[k]) for k in ("connect", "read", "write", "timeout")),
        wrong=int(data["wrong"]),
        exhausted=int(data["exhausted_threads"]) > 0,
        error_sample=str(data["sample"]),
    )


def run_wrk(
    port: int,
    workload: Workload,
    *,
    connections: int,
    seconds: int,
    threads: int = 1,
) -> WrkResult:
    """Load ``127.0.0.1:port`` for ``seconds`` (whole seconds: wrk's unit) and parse the result.

    One wrk thread by default: on two cores shared with the server, a second generator thread
    takes CPU from the server without adding load the first could not send. Each run has a
    random id of its own, so Idempotency-Keys never repeat across runs on one server.
    """
    with tempfile.TemporaryDirectory(prefix="taito-wrk-") as folder:
        return _run(port, workload, Path(folder), connections, seconds, threads)


def collect(
    port: int, workload: Workload, *, connections: int, seconds: int
) -> tuple[WrkResult, list[bytes]]:
    """A ``collect`` run: the result and the body of every good answer (one per line)."""
    if workload.mode != "collect":
        raise ValueError("collect runs a workload of mode collect")
    with tempfile.TemporaryDirectory(prefix="taito-wrk-") as folder:
        result = _run(port, workload, Path(folder), connections, seconds, 1)
        answers = (Path(folder) / "bodies.0").read_bytes().splitlines()
    return result, answers


def _run(
    port: int,
    workload: Workload,
    folder: Path,
    connections: int,
    seconds: int,
    threads: int,
) -> WrkResult:
    run_id = secrets.token_hex(6)
    if seconds < 1 or connections < threads:
        raise ValueError("wrk runs for whole seconds with at least one connection per thread")
    if any(b"\n" in body for body in workload.bodies):
        raise ValueError("a body must be one line (the script reads one request per line)")
    bodies = folder / "bodies"
    bodies.write_bytes(b"".join(body + b"\n" for body in workload.bodies))
    if workload.mode == "repeat":
        bodies.write_bytes(workload.bodies[0])
    command = [
        wrk(),
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        f"--timeout={TIMEOUT_SECONDS}s",
        "--latency",
        f"--script={SCRIPT}",
    ]
    if workload.mode in ("walk", "repeat"):
        command.append("--header=Content-Type: application/json")
    command.extend(f"--header={name}: {value}" for name, value in workload.headers)
    command.append(f"http://127.0.0.1:{port}{workload.path}")
    command.extend(["--", workload.mode, workload.expect, str(bodies), run_id, str(threads)])
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=seconds + TIMEOUT_SECONDS + 60,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-1000:]}")
    return parse(done.stdout, connections=connections)
