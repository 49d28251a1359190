"""Where the time goes: a sampling profile (pyinstrument) summarised by cost category and function.

Used when a target is missed, so that RESULTS.md names the limiting cost. pyinstrument is a
bench-only tool; when it is not installed the profile is skipped and the report says so.
Self time is attributed to the function that spent it and grouped into the categories the issue
asks about: crypto, JSON, encoding, database, framework, Taito code, other.
"""

import importlib.util
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

    def lines(self, *, top: int = 8) -> list[str]:
        """Markdown bullet lines: categories, then the top functions, as shares of the total."""
        if self.total <= 0:
            return ["profile: no busy samples (the workers were waiting)"]
        shares = ", ".join(f"{name} {value / self.total:.0%}" for name, value in self.categories)
        out = [f"profile ({self.tool}; self time by category): {shares}"]
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


def profile(run: Callable[[], object], *, seconds: float) -> Profile | None:
    """Sample ``run`` repeated for about ``seconds``; ``None`` when pyinstrument is missing."""
    if not available():
        return None
    import time

    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002)
    deadline = time.perf_counter() + seconds
    profiler.start()
    while time.perf_counter() < deadline:
        run()
    session = profiler.stop()
    by_function: dict[str, float] = defaultdict(float)
    by_category: dict[str, float] = defaultdict(float)
    _walk(session.root_frame(), None, "other", by_function, by_category)
    total = sum(by_category.values())
    return Profile(
        total,
        tuple(sorted(by_category.items(), key=lambda item: -item[1])),
        tuple(sorted(by_function.items(), key=lambda item: -item[1])),
    )


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
