"""What a benchmark hands back: tables of figures, target checks and a reading, as data.

Benchmarks never print or write files themselves; :mod:`bench.results` renders these values
as ``bench/RESULTS.md`` (full run) or a short console summary (smoke run).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    """One Markdown table: a header row and rows of already formatted cells."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)

    def add(self, *cells: str) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{self.title}: {len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(cells)


@dataclass(frozen=True)
class TargetCheck:
    """A target of the issue, the figure measured for it, and whether it was met.

    ``met`` is ``None`` when the figure could not be measured (``figure`` then says why).
    """

    target: str
    figure: str
    met: bool | None

    @property
    def verdict(self) -> str:
        if self.met is None:
            return "not run"
        return "met" if self.met else "missed"


@dataclass
class Section:
    """The outcome of one benchmark group."""

    title: str
    command: str
    tables: list[Table] = field(default_factory=list)
    targets: list[TargetCheck] = field(default_factory=list)
    reading: list[str] = field(default_factory=list)


def seconds(value: float) -> str:
    """A duration with a unit that keeps three significant figures."""
    if value != value:  # NaN: nothing was measured
        return "n/a"
    if value >= 1:
        return f"{value:.3g} s"
    if value >= 1e-3:
        return f"{value * 1e3:.3g} ms"
    return f"{value * 1e6:.3g} µs"


def times(value: float) -> str:
    """A ratio such as ``1.42x``."""
    return f"{value:.2f}x"


def per_second(value: float) -> str:
    return f"{value:,.0f}/s"
