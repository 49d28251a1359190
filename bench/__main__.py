"""``python -m bench``: run the benchmarks and write ``bench/RESULTS.md``.

``--smoke`` runs every benchmark at a tiny size (seconds, for CI), prints a summary and writes
nothing; it exits non-zero when any benchmark fails (an exception or a wrong answer), never
because of a timing. ``--only core|http|scale|wallet`` runs some groups (repeatable; ``scale``
is the issuer's register at a million credentials, ``wallet`` a wallet up to its cap); a
partial full run writes RESULTS.md only when ``--output`` is given.
"""

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import (
    core_sd_jwt,
    core_status_list,
    core_vc_jose,
    http_bench,
    machine,
    scale,
    scale_wallet,
)
from bench.report import Section
from bench.results import console, markdown
from bench.timing import FULL, SMOKE, Budget

GROUPS = ("core", "http", "scale", "wallet")
RESULTS = Path(__file__).with_name("RESULTS.md")


def _core(budget: Budget, smoke: bool) -> list[Section]:
    return [
        core_sd_jwt.run(budget, profile_misses=not smoke),
        core_vc_jose.run(budget),
        core_status_list.run(
            budget,
            size=10_000 if smoke else core_status_list.ENTRIES,
            profile_misses=not smoke,
        ),
    ]


def _http(_budget: Budget, smoke: bool) -> list[Section]:
    return http_bench.run(smoke=smoke)


def _scale(_budget: Budget, smoke: bool) -> list[Section]:
    return scale.run(smoke=smoke)


def _wallet(_budget: Budget, smoke: bool) -> list[Section]:
    return [scale_wallet.run(smoke=smoke)]


RUNNERS: dict[str, Callable[[Budget, bool], list[Section]]] = {
    "core": _core,
    "http": _http,
    "scale": _scale,
    "wallet": _wallet,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes; print, write nothing")
    parser.add_argument("--only", action="append", choices=GROUPS, help="run only these groups")
    parser.add_argument("--output", type=Path, help="where to write the Markdown results")
    args = parser.parse_args(argv)
    groups = args.only or list(GROUPS)
    budget = SMOKE if args.smoke else FULL
    started = time.perf_counter()
    sections: list[Section] = []
    failed: list[str] = []
    for group in groups:
        print(f"bench: {group} ...", file=sys.stderr, flush=True)
        try:
            sections.extend(RUNNERS[group](budget, args.smoke))
        except Exception:
            traceback.print_exc()
            failed.append(group)
    elapsed = time.perf_counter() - started
    print(console(sections))
    output = args.output
    if output is None and not args.smoke and not args.only:
        output = RESULTS
    if output is not None and not failed:
        facts = [*machine.facts(), ("PostgreSQL server", http_bench.database_version())]
        output.write_text(markdown(sections, facts, elapsed=elapsed), encoding="utf-8")
        print(f"bench: wrote {output}", file=sys.stderr)
    if failed:
        print(f"bench: FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"bench: done in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
