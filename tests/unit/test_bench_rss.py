"""The HTTP benchmark reads each worker's peak resident memory while its load runs."""

import os
import subprocess
import sys
import time

from bench.rss import RssSampler, rss_bytes


def test_a_process_resident_memory_is_read_from_proc() -> None:
    found = rss_bytes(os.getpid())
    assert found is not None and found > 1024 * 1024


def test_the_sampler_keeps_each_workers_peak_while_the_block_runs() -> None:
    worker = subprocess.Popen(
        [sys.executable, "-c", "b = bytearray(64 * 2**20); import time; time.sleep(5)"]
    )
    try:
        time.sleep(1)
        sampler = RssSampler(os.getpid())
        for _ in range(2):  # one sampler per endpoint, entered for each of its runs
            with sampler:
                time.sleep(0.4)
        peaks = sampler.per_worker()
    finally:
        worker.kill()
        worker.wait()
    assert any(peak >= 64 * 2**20 for peak in peaks)
