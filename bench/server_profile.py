"""Profiling a running server: py-spy samples every worker process during a load run.

py-spy attaches from outside (``ptrace``), so the production command runs unchanged. Its
``raw`` output (one collapsed stack and sample count per line) is summarised like
:mod:`bench.profiling`: self time of the innermost Python frame, grouped by category.
"""

import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from bench.profiling import Profile, category


def py_spy() -> str | None:
    """The py-spy executable beside this Python, or on the PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    if beside.exists():
        return str(beside)
    return shutil.which("py-spy")


def profile_server(
    pid: int, *, seconds: float, load: Callable[[], object], gil: bool
) -> Profile | None:
    """Sample the server ``pid`` and its workers while ``load()`` runs; ``None`` without py-spy.

    ``gil``: sample only the thread holding the GIL, which is where the CPU goes. Without it
    every busy thread is sampled, which shows time spent waiting on the database, but also
    counts threads queueing for the GIL at whatever line they wait (after a system call).
    """
    executable = py_spy()
    if executable is None:
        return None
    with tempfile.TemporaryDirectory(prefix="taito-pyspy-") as folder:
        output = Path(folder) / "profile.txt"
        recorder = subprocess.Popen(
            [
                executable,
                "record",
                "--pid",
                str(pid),
                "--subprocesses",
                "--duration",
                str(int(seconds)),
                "--rate",
                "200",
                "--format",
                "raw",
                "--output",
                str(output),
                "--nonblocking",
                *(["--gil"] if gil else []),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            load()
        finally:
            try:
                recorder.wait(timeout=seconds + 30)
            except subprocess.TimeoutExpired:
                recorder.kill()
                recorder.wait()
        if not output.exists():
            return None
        tool = "py-spy --gil: CPU" if gil else "py-spy: all busy threads, wall time"
        return summarise(output.read_text(encoding="utf-8", errors="replace"), tool=tool)


_IDLE = (
    "Condition.wait (",
    "EpollSelector.select (",
    "Event.wait (",
    "Thread.join (",
    "_worker (concurrent/futures",
    "Queue.get (",
    "Semaphore.acquire (",
    "Connection._recv (multiprocessing",
    "Connection.poll (multiprocessing",
)
"""Innermost frames of a thread waiting for work rather than doing it."""
_TAITO = ("credentials/", "schemas/", "issuers/", "verifiers/", "wallet/", "api/")


def summarise(collapsed: str, *, tool: str = "py-spy") -> Profile:
    """Self samples per innermost frame and per category from py-spy's collapsed stacks.

    Threads waiting for work (a thread pool worker on its queue, the event loop in ``epoll``)
    are left out, so the shares are of busy time.
    """
    by_function: dict[str, float] = defaultdict(float)
    by_category: dict[str, float] = defaultdict(float)
    by_taito: dict[str, float] = defaultdict(float)
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        leaf = frames[-1]
        if any(marker in leaf for marker in _IDLE):
            continue
        # "function (path/to/file.py:line)"
        _, _, location = leaf.partition(" (")
        by_function[leaf] += int(count)
        by_category[category(location.rstrip(")"), leaf, "other")] += int(count)
        ours = [frame for frame in frames if frame.partition(" (")[2].startswith(_TAITO)]
        by_taito[ours[-1] if ours else "(outside Taito code)"] += int(count)
    return Profile(
        float(sum(by_category.values())),
        tuple(sorted(by_category.items(), key=lambda item: -item[1])),
        tuple(sorted(by_function.items(), key=lambda item: -item[1])),
        tool=tool,
        taito=tuple(sorted(by_taito.items(), key=lambda item: -item[1])),
    )
