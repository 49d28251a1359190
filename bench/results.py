"""Rendering a run: ``bench/RESULTS.md`` for ``make bench``, a console summary for smoke runs."""

from collections.abc import Sequence
from datetime import UTC, datetime

from bench.report import Section, Table
from wallet.limits import CREDENTIALS_MAX

INTRO = f"""\
Written by `make bench` (`.venv/bin/python -m bench`); do not edit by hand. `make bench-smoke`
runs every benchmark at a tiny size to keep them working (CI) and writes nothing.

Every core figure is a median of several interleaved rounds measured in one process with
`time.perf_counter`; each is shown beside a baseline measured in the same rounds (the raw
signature cost through `cryptography`, the reference SD-JWT implementation), because on a small
shared machine absolute numbers drift while same-round ratios hold. Ratios are medians of the
per-round ratios. HTTP figures come from wrk: each is the median of several runs, with the
minimum and maximum beside it, interleaved with runs of `/healthz` on the same server.

The wallet is read in process (`create_app` on the benchmark server's PostgreSQL database,
FastAPI's test client, one request at a time): each round runs every query once right after
the application's caches (api/caches.py) were emptied (cold) and then several times (warm),
beside `/healthz` of the same application. A wallet holds at most {CREDENTIALS_MAX:,} credentials
([`CREDENTIALS_MAX`](../wallet/limits.py) in `wallet/limits.py`), so the issue's wallet of 5,000
credentials is measured at {CREDENTIALS_MAX:,}, the largest wallet there can be."""


def _table(table: Table) -> list[str]:
    lines = [f"**{table.title}**", ""]
    lines.append("| " + " | ".join(table.columns) + " |")
    lines.append("| " + " | ".join("---" for _ in table.columns) + " |")
    lines.extend("| " + " | ".join(row) + " |" for row in table.rows)
    return [*lines, ""]


def markdown(
    sections: Sequence[Section], facts: Sequence[tuple[str, str]], *, elapsed: float
) -> str:
    """The whole RESULTS.md."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Taito benchmark results", "", INTRO, ""]
    lines += [f"Run {stamp}, {elapsed:.0f} s in all.", "", "## Machine", ""]
    lines += ["| fact | value |", "| --- | --- |"]
    lines += [f"| {name} | {value} |" for name, value in facts]
    lines += ["", "## Targets", "", "| target | measured | verdict |", "| --- | --- | --- |"]
    for section in sections:
        lines += [f"| {t.target} | {t.figure} | **{t.verdict}** |" for t in section.targets]
    lines.append("")
    for section in sections:
        lines += [f"## {section.title}", "", f"Command: `{section.command}`", ""]
        for table in section.tables:
            lines += _table(table)
        if section.reading:
            lines += ["Reading:", ""]
            lines += [line if line.startswith("  ") else f"- {line}" for line in section.reading]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def console(sections: Sequence[Section]) -> str:
    """A compact plain-text summary (smoke runs print this)."""
    out: list[str] = []
    for section in sections:
        out.append(f"== {section.title}")
        for table in section.tables:
            out.append(f"   {table.title}")
            out.append("   " + " | ".join(table.columns))
            out.extend("   " + " | ".join(row) for row in table.rows)
        out.extend(f"   target: {t.target}: {t.figure} ({t.verdict})" for t in section.targets)
    return "\n".join(out)
