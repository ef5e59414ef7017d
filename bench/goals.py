"""Every figure `make bench` prints, with its goal and whether it is met.

Each benchmark calls `figure(...)` for each figure it measures; `run.py` prints them all as one table at the
end (figure, value, goal, met). A figure with no goal set is printed as a ratio against its comparison.
Timings are only printed, never asserted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: str
    goal: str  # "" when no goal is set: the value is then a ratio against what it is compared with
    met: bool | None  # None when no goal is set


FIGURES: list[Figure] = []


def verdict(met: bool | None) -> str:
    return "no goal set (ratio)" if met is None else ("met" if met else "NOT met")


def figure(name: str, value: str, goal: str = "", met: bool | None = None) -> Figure:
    """Record one figure and print it on its own line, with its goal."""
    f = Figure(name, value, goal, met)
    FIGURES.append(f)
    print(f"  -> {name}: {value}; goal: {goal or '-'}: {verdict(met)}", flush=True)
    return f


def table(figures: list[Figure] | None = None) -> str:
    rows = [("figure", "value", "goal", "met?")] + [
        (f.name, f.value, f.goal or "-", verdict(f.met)) for f in (FIGURES if figures is None else figures)
    ]
    widths = [min(70, max(len(r[i]) for r in rows)) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        lines.append(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)
