"""Where the time goes: a sampling profile (pyinstrument) summarised by cost category and function.

Used when a target is missed, so that RESULTS.md names the limiting cost. pyinstrument is a
bench-only tool; when it is not installed the profile is skipped and the report says so.
Self time is attributed to the function that spent it and grouped into the categories the issue
asks about: crypto, JSON, encoding, database, framework, Taito code, other.

The sampling interval follows the operation's median time from the table
(:func:`interval_for`): about :data:`SAMPLES_PER_OPERATION` samples per operation, so that a
sub-millisecond operation is not summarised by one sample that lands wherever the timer
expires (pyinstrument samples at the first call or return after the interval, so an interval
near the operation's length locks onto the same few places in it). Each profile states its
interval, its number of samples and how much the profiler slowed the operation down.
"""

import importlib.util
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_CATEGORIES = (
    ("cryptography", "crypto"),
    ("publickey.", "crypto"),
    ("privatekey.", "crypto"),
    ("publicnumbers", "crypto"),
    ("hashlib", "crypto"),
    ("_hashlib", "crypto"),
    ("openssl", "crypto"),
    ("jsonschema", "JSON Schema validation"),
    ("referencing/", "JSON Schema validation"),
    ("json", "JSON"),
    ("base64", "encoding"),
    ("binascii", "encoding"),
    ("zlib", "compression"),
    ("sqlalchemy", "database"),
    ("sqlmodel", "database"),
    ("psycopg", "database"),
    ("sqlite3", "database"),
    ("starlette", "framework"),
    ("fastapi", "framework"),
    ("pydantic", "framework"),
    ("uvicorn", "framework"),
    ("anyio", "framework"),
    ("credentials/encoding.py", "Taito strict JSON/base64url"),
    ("credentials/", "Taito core"),
    ("schemas/", "Taito core"),
    ("issuers/", "Taito service"),
    ("verifiers/", "Taito service"),
    ("wallet/", "Taito service"),
    ("api/", "Taito API"),
    ("sd_jwt/", "reference"),
    ("jwcrypto/", "reference"),
)


@dataclass(frozen=True)
class Profile:
    """Share of sampled time per category and the functions with the most self time."""

    total: float
    categories: tuple[tuple[str, float], ...]
    functions: tuple[tuple[str, float], ...]
    tool: str = "pyinstrument"
    taito: tuple[tuple[str, float], ...] = ()
    """Time by the innermost Taito function on the stack (who asked for the work)."""
    sampling: str = ""
    """How the profile was sampled (interval, samples, the profiler's own cost)."""

    def lines(self, *, top: int = 8) -> list[str]:
        """Markdown bullet lines: categories, then the top functions, as shares of the total."""
        if self.total <= 0:
            return ["profile: no busy samples (the workers were waiting)"]
        shares = ", ".join(f"{name} {value / self.total:.0%}" for name, value in self.categories)
        out = [f"profile ({self.tool}; self time by category): {shares}"]
        if self.sampling:
            out.append(f"  - sampling: {self.sampling}")
        out.extend(f"  - {value / self.total:.0%} `{name}`" for name, value in self.functions[:top])
        if self.taito:
            out.append("  - by the innermost Taito function on the stack:")
            out.extend(
                f"    - {value / self.total:.0%} `{name}`" for name, value in self.taito[:top]
            )
        return out


def available() -> bool:
    return importlib.util.find_spec("pyinstrument") is not None


def category(location: str, function: str, caller: str) -> str:
    lowered = f"{location} {function}".lower()
    for marker, category in _CATEGORIES:
        if marker in lowered:
            return category
    # A built-in (a regex, str.join, ...) costs on behalf of the code that called it.
    return caller if not location or location.startswith("<") else "other"


SAMPLES_PER_OPERATION = 10
MIN_INTERVAL = 50e-6
"""Below this pyinstrument's own cost per sample outweighs what it measures (seen on 2 cores)."""
MAX_INTERVAL = 1e-3


def interval_for(operation: float) -> float:
    """The sampling interval for an operation of ``operation`` seconds (median, unprofiled)."""
    return min(MAX_INTERVAL, max(MIN_INTERVAL, operation / SAMPLES_PER_OPERATION))


def profile(run: Callable[[], object], *, seconds: float, operation: float) -> Profile | None:
    """Sample ``run`` repeated for about ``seconds``; ``None`` when pyinstrument is missing.

    ``operation`` is the operation's median time as the table shows it; it sets the interval.
    """
    if not available():
        return None
    from pyinstrument import Profiler

    interval = interval_for(operation)
    profiler = Profiler(interval=interval)
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    profiler.start()
    while time.perf_counter() < deadline:
        run()
        count += 1
    session = profiler.stop()
    profiled = (time.perf_counter() - started) / max(count, 1)
    by_function: dict[str, float] = defaultdict(float)
    by_category: dict[str, float] = defaultdict(float)
    _walk(session.root_frame(), None, "other", by_function, by_category)
    total = sum(by_category.values())
    sampling = (
        f"pyinstrument every {_micro(interval)} for an operation of {_micro(operation)} "
        f"(~{operation / interval:.0f} samples each), {session.sample_count:,} samples over "
        f"{count:,} operations, {profiled / operation:.1f}x slower while profiled"
    )
    return Profile(
        total,
        tuple(sorted(by_category.items(), key=lambda item: -item[1])),
        tuple(sorted(by_function.items(), key=lambda item: -item[1])),
        sampling=sampling,
    )


def _micro(value: float) -> str:
    return f"{value * 1e6:,.0f} µs"


def _walk(
    frame: Any,
    parent: Any,
    caller: str,
    by_function: dict[str, float],
    by_category: dict[str, float],
) -> None:
    if frame is None:
        return
    children = list(frame.children)
    own = frame.time - sum(child.time for child in children)
    owner = parent if frame.is_synthetic and parent is not None else frame
    kind = (
        caller
        if frame.is_synthetic
        else category(str(owner.file_path or ""), str(owner.function), caller)
    )
    if own > 0:
        location = f"{owner.file_path_short}:{owner.line_no}"
        by_function[f"{owner.function} ({location})"] += own
        by_category[kind] += own
    for child in children:
        _walk(child, frame, kind, by_function, by_category)
