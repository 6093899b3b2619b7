"""Clocks: the fake reads time only through one, so tests can move time by hand."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

import anyio
import anyio.lowlevel

__all__ = ["Clock", "FakeClock", "SystemClock"]


class Clock(Protocol):
    """What the fake needs from time: a wall clock, a monotonic clock, and a sleep."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Return seconds on a clock that never goes backwards."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``; must work under asyncio and trio."""
        ...


class SystemClock:
    """The real clock: ``datetime.now``, ``time.monotonic`` and ``anyio.sleep``."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """Return ``time.monotonic()``."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Sleep for real with ``anyio.sleep`` (works on both event loops)."""
        await anyio.sleep(seconds)


class FakeClock:
    """A clock that moves only when told to, or when something sleeps on it.

    Sleeping advances the clock instantly, so injected latency and rate-limit windows can be
    tested without waiting. Example::

        clock = FakeClock()
        fake = FakePylon(clock=clock, rate_limits=True)
        clock.advance(60)  # the rate-limit window has passed
    """

    def __init__(self, start: datetime = datetime(2026, 1, 1, tzinfo=UTC)) -> None:
        self._start = start
        self._elapsed = 0.0

    def now(self) -> datetime:
        """Return the start time plus everything that has elapsed."""
        return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        """Return the seconds elapsed since the clock was made."""
        return self._elapsed

    def advance(self, seconds: float | timedelta) -> None:
        """Move the clock forward by ``seconds``."""
        step = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        if step < 0:
            raise ValueError("a clock cannot go backwards")
        self._elapsed += step

    async def sleep(self, seconds: float) -> None:
        """Advance the clock by ``seconds`` and yield once to the event loop."""
        self.advance(max(seconds, 0.0))
        # A checkpoint keeps the sleep a real await point, as anyio.sleep would be.
        await anyio.lowlevel.checkpoint()
