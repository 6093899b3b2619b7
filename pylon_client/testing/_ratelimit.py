"""Per-endpoint, per-minute rate limits over a sliding window.

Pylon budgets each endpoint per organization per minute. The fake keeps, per organization and
``"METHOD /template"``, the times of the calls it let through during the last window; a call that
would exceed the limit gets 429 ``rate_limited`` with ``Retry-After`` saying when the oldest call
leaves the window. ``scale`` shrinks the window (60 s / scale) so tests hit and clear limits
quickly while keeping the per-window counts.

Every answer of a limited endpoint carries the budget: ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` (after this call) and ``X-RateLimit-Reset`` (seconds until the oldest
call leaves the window, that is until one more call fits).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping

from .._generated._endpoints import ENDPOINTS
from ._clock import Clock
from ._protocol import ApiError

__all__ = ["DEFAULT_LIMIT", "DEFAULT_LIMITS", "RateLimiter", "format_retry_after"]

DEFAULT_LIMIT = 300
"""Requests a minute for an endpoint the client's operation table does not have."""

DEFAULT_LIMITS: Mapping[str, int] = {
    key: endpoint.rate_limit
    for key, endpoint in ENDPOINTS.items()
    if endpoint.rate_limit is not None
}
"""Pylon's per-minute limits, from the same table as the client's pacing.

One source: ``openapi/rate-limits.tsv`` (Pylon's figures, October 2026), which generation writes
into :data:`pylon_client._generated._endpoints.ENDPOINTS`.
"""


def format_retry_after(seconds: float) -> str:
    """Format a wait in seconds, rounded up to the millisecond: ``"2"``, ``"0.125"``."""
    millis = max(math.ceil(seconds * 1000 - 1e-6), 1)
    whole, frac = divmod(millis, 1000)
    return str(whole) if not frac else f"{whole}.{frac:03d}".rstrip("0")


class RateLimiter:
    """Count calls per endpoint and refuse those over the limit.

    ``limits`` overrides :data:`DEFAULT_LIMITS` key by key; ``default`` covers the rest.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        limits: Mapping[str, int] | None = None,
        default: int = DEFAULT_LIMIT,
        scale: float = 1.0,
    ) -> None:
        if scale <= 0:
            raise ValueError("rate_limit_scale must be positive")
        self.clock = clock
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self.default = default
        self.window = 60.0 / scale
        self._calls: dict[tuple[str, str], deque[float]] = {}

    def limit_for(self, endpoint: str) -> int:
        """Return the per-window limit of ``"METHOD /template"``."""
        return self.limits.get(endpoint, self.default)

    def check(self, endpoint: str, organization: str = "") -> dict[str, str]:
        """Record a call to ``endpoint`` in ``organization``'s budget, or raise 429 if full.

        Returns the rate-limit headers of the answer; the 429 carries them too.
        """
        now = self.clock.monotonic()
        calls = self._calls.setdefault((organization, endpoint), deque())
        while calls and calls[0] <= now - self.window:
            calls.popleft()
        limit = self.limit_for(endpoint)
        if len(calls) >= limit:
            wait = calls[0] + self.window - now
            headers = {"Retry-After": format_retry_after(wait)}
            headers.update(_budget(limit, 0, wait))
            raise ApiError(
                429,
                "rate_limited",
                f"rate limit of {limit} requests per {self.window:g}s exceeded for {endpoint}",
                headers=headers,
            )
        calls.append(now)
        return _budget(limit, limit - len(calls), calls[0] + self.window - now)

    def reset(self) -> None:
        """Forget every call counted so far."""
        self._calls.clear()


def _budget(limit: int, remaining: int, reset: float) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": format_retry_after(reset),
    }
