"""Peak resident memory (RSS) of a server's processes while a load runs, from ``/proc``.

The issue asks for RSS per worker under load: :class:`RssSampler` polls the server's process
tree every :data:`INTERVAL` seconds during a run and keeps each process's peak ``VmRSS``. On a
system without ``/proc`` it records nothing and the report says so.
"""

import os
import threading
from pathlib import Path
from types import TracebackType
from typing import Final

INTERVAL: Final = 0.25
PROC = Path("/proc")


def _children(pid: int) -> list[int]:
    found = []
    for entry in PROC.iterdir() if PROC.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def rss_bytes(pid: int) -> int | None:
    """The process's resident set size now, or ``None`` when it cannot be read."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


class RssSampler:
    """Peak RSS of the workers under ``pid`` (uvicorn's children; the process itself if none)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        while not self._stop.is_set():
            workers = _children(self.pid) or [self.pid]
            for worker in workers:
                found = rss_bytes(worker)
                if found is not None:
                    self.peaks[worker] = max(self.peaks.get(worker, 0), found)
            self._stop.wait(INTERVAL)

    def __enter__(self) -> "RssSampler":
        """Sample until the block ends; entered again, it goes on keeping the same peaks."""
        self._stop.clear()
        if os.name == "posix":
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def per_worker(self) -> tuple[int, ...]:
        """Each worker's peak RSS in bytes, largest first."""
        return tuple(sorted(self.peaks.values(), reverse=True))
