"""The result table every section reports into, and the small statistics it needs."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Row", "fmt_ms", "fmt_ratio", "fmt_us", "print_table", "spread", "verdict"]


@dataclass(frozen=True)
class Row:
    """One line of the table.

    ``value`` is the figure the target is about (a ratio, a speedup, megabytes, a rate);
    ``verdict`` is "met", "MISSED", or a word saying why there is no figure; ``detail`` holds
    the secondary figures (absolute times, the spread over rounds).
    """

    section: str
    case: str
    value: str
    target: str = ""
    verdict: str = ""
    detail: str = ""


def verdict(ok: bool) -> str:
    """Return the verdict word for a figure that did (True) or did not meet its target."""
    return "met" if ok else "MISSED"


def fmt_ratio(value: float) -> str:
    """Format a ratio as ``1.07x``."""
    return f"{value:.2f}x"


def fmt_us(seconds: float) -> str:
    """Format seconds as microseconds."""
    return f"{seconds * 1e6:,.1f} us"


def fmt_ms(seconds: float) -> str:
    """Format seconds as milliseconds."""
    return f"{seconds * 1e3:,.1f} ms"


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """Return (median, lowest, highest) of ``values``."""
    return statistics.median(values), min(values), max(values)


def print_table(rows: Sequence[Row]) -> None:
    """Print ``rows`` as one aligned, plain-text table."""
    header = Row("section", "case", "measured", "target", "verdict", "detail")
    cells = [header, *rows]
    fields = ("section", "case", "value", "target", "verdict", "detail")
    widths = [max(len(getattr(r, f)) for r in cells) for f in fields[:-1]]
    rule = "  ".join("-" * w for w in widths) + "  " + "-" * 6
    for i, row in enumerate(cells):
        parts = [getattr(row, f).ljust(w) for f, w in zip(fields, widths, strict=False)]
        print("  ".join(parts) + "  " + row.detail)
        if i == 0:
            print(rule)
