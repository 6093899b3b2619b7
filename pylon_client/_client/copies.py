"""What making and copying a client needs: the default limiter, copies, chained callbacks.

A copy (``with_options``, ``with_raw_response``, the sync client's) shares the connection
pool, the rate limiter, the owner (``last_response`` and the calls in flight) and, unless an
option changes it, the transport stack; :func:`uncached_copy` drops what is cached per
instance (the resources).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from .._generated._endpoints import ENDPOINTS
from .._ratelimit.local import RateLimiter

if TYPE_CHECKING:
    from .._transport.retry import RetryEvent

__all__ = ["chain", "default_limiter", "uncached_copy"]


def default_limiter(
    scale: float, overrides: Mapping[str, int] | None, sleep: Callable[[float], Awaitable[None]]
) -> RateLimiter:
    """Return a limiter pacing every endpoint by its documented limit (the endpoint table's)."""
    limits = {k: e.rate_limit for k, e in ENDPOINTS.items() if e.rate_limit}
    return RateLimiter(limits, scale=scale, overrides=overrides, sleep=sleep)


_CACHED: dict[type, frozenset[str]] = {}
C = TypeVar("C")


def uncached_copy(obj: C) -> C:
    """Return a shallow copy of ``obj`` without its ``cached_property`` values (resources)."""
    cls = type(obj)
    names = _CACHED.get(cls)
    if names is None:
        names = _CACHED[cls] = frozenset(
            name
            for klass in cls.__mro__
            for name, value in vars(klass).items()
            if isinstance(value, functools.cached_property)
        )
    clone = copy.copy(obj)
    for name in names:
        clone.__dict__.pop(name, None)
    return clone


def chain(
    first: Callable[[RetryEvent], object] | None, second: Callable[[RetryEvent], object]
) -> Callable[[RetryEvent], object]:
    """Return one callback calling ``first`` (when given), then ``second``."""
    if first is None:
        return second

    def both(event: RetryEvent) -> None:
        first(event)
        second(event)

    return both
