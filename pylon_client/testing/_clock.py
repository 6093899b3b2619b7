"""Clocks: the fake reads time only through one, so tests can move time by hand."""

from __future__ import annotations

import heapq
import itertools
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


class _Sleeper:
    """One pending sleep: its deadline, and an event set when it may look again."""

    def __init__(self, deadline: float, seq: int) -> None:
        self.deadline = deadline
        self.seq = seq
        self.turn = anyio.Event()

    def __lt__(self, other: _Sleeper) -> bool:
        return (self.deadline, self.seq) < (other.deadline, other.seq)


class FakeClock:
    """Virtual time: it moves only when told to, or when something sleeps on it.

    Sleeps take no real time and overlap as real ones do. A sleep first lets the other ready
    tasks run (so that they may start sleeps of their own), then the clock moves to the
    earliest deadline among the sleepers and that sleeper wakes: two tasks sleeping 5 s and
    10 s at once wake at +5 and +10, not +15, while one task sleeping 2 s then 3 s wakes at +5.
    :meth:`advance` moves time by hand; a sleeper whose deadline it passes wakes on its turn,
    without moving the clock further. Time never goes backwards. So injected latency and
    rate-limit windows can be tested without waiting. Example::

        clock = FakeClock()
        fake = FakePylon(clock=clock, rate_limits=True)
        clock.advance(60)  # the rate-limit window has passed

    Cancellation: a sleeper cancelled while it waits leaves at once, without moving the clock,
    and the next earliest sleeper takes its turn. A clock serves one event loop at a time.
    """

    SETTLE = 20
    """Checkpoints a sleeper lets pass before it may move time: enough for the other tasks
    woken with it to reach their next sleep."""

    def __init__(self, start: datetime = datetime(2026, 1, 1, tzinfo=UTC)) -> None:
        self._start = start
        self._elapsed = 0.0
        self._sleepers: list[_Sleeper] = []
        self._seq = itertools.count()

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
        """Wake when the clock reaches ``seconds`` from now (0 if negative), without waiting.

        Always a checkpoint, as ``anyio.sleep`` is, even for a deadline already passed.
        """
        me = _Sleeper(self._elapsed + max(seconds, 0.0), next(self._seq))
        heapq.heappush(self._sleepers, me)
        try:
            while True:
                for _ in range(self.SETTLE):
                    await anyio.lowlevel.checkpoint()
                if self._sleepers[0] is me:
                    break
                await me.turn.wait()
                me.turn = anyio.Event()
        except BaseException:
            self._leave(me)
            raise
        self._elapsed = max(self._elapsed, me.deadline)
        self._leave(me)

    def _leave(self, me: _Sleeper) -> None:
        """Drop ``me`` from the sleepers and hand the turn to the next earliest."""
        self._sleepers.remove(me)
        heapq.heapify(self._sleepers)
        if self._sleepers:
            self._sleepers[0].turn.set()
