"""The books a ``RedisRateLimiter`` keeps in its own process while Redis is away.

:class:`LocalPacing` starts with one window of nothing (what the other workers sent just before
Redis failed is unknown), then paces with an in-memory :class:`~pylon_client.RateLimiter` whose
limits are each divided by the number of workers sharing them. It remembers what it let through
during the last window, so that once Redis answers the worker can put it back there
(:meth:`LocalPacing.sent_since`). No I/O here: ``_ratelimit.redis`` does the talking.

Cancellation
    :meth:`LocalPacing.acquire` is ``RateLimiter.acquire``: a task cancelled while waiting takes
    no slot.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping

from .local import RateLimiter

__all__ = ["LocalPacing", "Slot", "split_limits"]


class Slot:
    """A turn taken: its member in the Redis log, and its start if local pacing gave it."""

    __slots__ = ("local", "member", "pacing")

    def __init__(
        self, member: str, local: float | None = None, pacing: LocalPacing | None = None
    ) -> None:
        self.member = member
        self.local = local
        self.pacing = pacing


def split_limits(limits: Mapping[str, int], workers: int) -> dict[str, int]:
    """Return each limit divided among ``workers``, rounded down, never below 1.

    >>> split_limits({"GET /issues": 30, "POST /accounts/merge": 2}, 4)
    {'GET /issues': 7, 'POST /accounts/merge': 1}
    """
    return {key: max(1, limit // workers) for key, limit in limits.items()}


class LocalPacing:
    """Paces one worker on its own: after a window of pause, at its share of each limit.

    Args:
        limits: the shared limits per endpoint key (per window).
        default_per_minute: the shared limit of any other endpoint, or None.
        scale: as ``RateLimiter``'s.
        workers: how many workers share each limit.
        clock: monotonic seconds.

    """

    def __init__(
        self,
        limits: Mapping[str, int],
        *,
        default_per_minute: int | None,
        scale: float,
        workers: int,
        clock: Callable[[], float],
    ) -> None:
        default = None if default_per_minute is None else max(1, default_per_minute // workers)
        self.limiter = RateLimiter(
            split_limits(limits, workers), default_per_minute=default, scale=scale, clock=clock
        )
        self.workers = workers
        self._clock = clock
        self.ready_at = clock() + self.limiter.window
        # (org, key, member, when it ended): what went out during the last window.
        self._sent: deque[tuple[str, str, str, float]] = deque()

    def pause_left(self) -> float:
        """Return the seconds of the starting pause still to go (0 once it is over)."""
        return max(0.0, self.ready_at - self._clock())

    async def acquire(self, key: str, org: str, member: str) -> Slot:
        """Wait for a turn at this worker's share; the pause must be over."""
        return Slot(member, await self.limiter.acquire(key, org=org), self)

    def book(
        self,
        key: str,
        org: str,
        slot: Slot,
        member: str,
        *,
        limited: bool,
        retry_after: float | None,
        remaining: int | None,
        reset: float | None,
    ) -> None:
        """Count an answer here, and remember it under ``member`` to put back in Redis.

        A slot Redis gave (before it failed) is counted as sent now: it may have reached Pylon.
        """
        limiter = self.limiter
        if slot.pacing is self and slot.local is not None:
            limiter.complete(key, slot.local, org=org)
        else:
            limiter.record(key, org=org)
        if limited:
            limiter.penalize(key, retry_after, org=org)
        if remaining is not None:
            limiter.observe(key, remaining, reset, org=org)
        now = self._clock()
        sent = self._sent
        while sent and now - sent[0][3] >= limiter.window:
            sent.popleft()  # only the last window is ever put back
        sent.append((org, key, member, now))

    def sent_since(self) -> dict[tuple[str, str], list[tuple[str, float]]]:
        """Return, per (org, key), the members sent in the last window and their ages (s)."""
        now = self._clock()
        found: dict[tuple[str, str], list[tuple[str, float]]] = {}
        for org, key, member, at in self._sent:
            if now - at < self.limiter.window:
                found.setdefault((org, key), []).append((member, now - at))
        return found
