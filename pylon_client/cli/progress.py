"""Progress of ``pylon issues export`` and ``pylon issues sync`` on stderr.

Two shapes, one object:

- on a terminal (or with ``--progress``), a bar redrawn in place at most every
  :data:`BAR_SECONDS`: share of the range done, windows read, issues, issues per second;
- anywhere else (a log file, a CI job), a plain line every :data:`PROGRESS_LINE_SECONDS`, such as
  ``pylon: exported 1,200 issues (40%)``, so that a long run still shows it is alive without
  filling the log with carriage returns.

:meth:`ProgressLine.finish` prints the final line in both cases.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from .common import plural

__all__ = ["BAR_SECONDS", "PROGRESS_LINE_SECONDS", "ProgressLine"]

BAR_SECONDS = 0.1
"""The bar is redrawn at most this often (ten times a second)."""

PROGRESS_LINE_SECONDS = 5.0
"""Seconds between two plain progress lines when stderr is not a terminal."""


class ProgressLine:
    """Progress on ``stream``: a bar when ``bar`` is true, else a plain line now and then.

    ``verb`` and ``noun`` make the plain line (``exported`` and ``issue`` give
    ``pylon: exported 1,200 issues (40%)``). ``interval`` defaults to :data:`BAR_SECONDS` for the
    bar and :data:`PROGRESS_LINE_SECONDS` for plain lines, read when the object is made (so a
    test can set the module constant to 0). ``clock`` is injectable for tests.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        bar: bool,
        verb: str = "exported",
        noun: str = "issue",
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._bar = bar
        self._verb = verb
        self._noun = noun
        self._interval = (
            interval if interval is not None else BAR_SECONDS if bar else PROGRESS_LINE_SECONDS
        )
        self._clock = clock
        self._started = clock()
        self._last_draw: float | None = None
        self._width = 0  # of the bar on screen, to blank it out when redrawing shorter

    def elapsed(self) -> float:
        """Seconds since the object was made."""
        return self._clock() - self._started

    def update(self, fraction: float, windows: int, issues: int) -> None:
        """Redraw the bar, or print a plain line, if ``interval`` seconds passed since the last."""
        now = self._clock()
        last = self._last_draw
        if self._bar and last is not None and now - last < self._interval:
            return
        if not self._bar and now - (self._started if last is None else last) < self._interval:
            return  # the first plain line comes one interval in: a quick run prints none
        self._last_draw = now
        share = min(max(fraction, 0.0), 1.0)
        if not self._bar:
            self._line(f"pylon: {self._verb} {plural(issues, self._noun)} ({share:.0%})")
            return
        filled = int(20 * share)
        seconds = now - self._started
        # A rate over the first instants of a run says nothing; show it after half a second.
        rate = f"{issues / seconds:,.0f}/s" if seconds >= 0.5 else "-/s"
        self._draw(
            f"[{'#' * filled}{'.' * (20 - filled)}] {share:4.0%} of {plural(windows, 'window')}  "
            f"{plural(issues, self._noun)}  {rate}"
        )

    def finish(self, summary: str) -> None:
        """Replace the bar (if drawn) with ``summary`` on its own line."""
        if self._bar and self._last_draw is not None:
            self._stream.write("\r" + " " * self._width + "\r")  # blank the bar
        self._line(summary)

    def _line(self, text: str) -> None:
        self._stream.write(text + "\n")
        self._stream.flush()

    def _draw(self, text: str) -> None:
        # Carriage return and padding, no escape codes: readable in a log file too.
        self._stream.write("\r" + text.ljust(self._width))
        self._stream.flush()
        self._width = len(text)
