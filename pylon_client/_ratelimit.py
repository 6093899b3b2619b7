"""Client-side pacing of requests, per Pylon endpoint.

Pylon limits each endpoint per organization per minute (30, 120 or 300 a minute in October 2026;
10, 20 or 60 in April 2026), and every token of an organization shares that budget. A burst that
ignores it draws 429s; :class:`RateLimiter` spaces requests so it does not.

The algorithm is a sliding-window log: for each endpoint, at most N requests start in any window of
W seconds, where N is the endpoint's limit and W is 60 s divided by ``scale``. The limiter keeps the
last N start times of each endpoint (memory O(N)) and lets a request start once the N-th most recent
start is a full window old. That is exact, and safe whether Pylon counts in fixed or in sliding
windows: any fixed minute is also some sliding minute. Waiters of one endpoint are served first in,
first out; endpoints never wait for one another.

When a 429 comes anyway (another process shares the organization's budget, or the table of limits
is out of date), :meth:`RateLimiter.penalize` stops the endpoint for the wait Pylon asked for and
lowers its limit to 80 % (never below 1) until a full window has passed since that stop ended
without another 429; then the configured limit is back.

:class:`RateLimitTransport` puts this in an httpx transport stack. It sits *inside* the retry
layer, so every attempt, retries included, waits its turn::

    httpx.AsyncClient -> RetryTransport -> RateLimitTransport -> network transport

One :class:`RateLimiter` may be shared by every client of one organization, which is what Pylon
counts.

Cancellation
    A task cancelled while waiting for its turn leaves without taking a slot, and the next waiter
    moves up. A slot, once taken, stays taken even if the request then fails: it may have reached
    Pylon and been counted.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections.abc import Awaitable, Callable, Mapping

import anyio
import httpx

from ._errors import PylonConfigError
from ._retry import parse_retry_after

__all__ = ["RateLimitTransport", "RateLimiter"]

_MINUTE = 60.0
_PENALTY_FACTOR = 0.8
# Bounds memory when default_per_minute meets raw requests to many distinct paths: each path is
# then its own key. Past this many, idle buckets (equivalent to fresh ones) are dropped.
_MAX_BUCKETS = 1024
_RESOLVE_CACHE_SIZE = 1024
_PARAMETER = re.compile(r"\{[^{}/]+\}")


class _Bucket:
    """The state of one endpoint: recent start times, the lock that orders waiters, penalties."""

    __slots__ = ("blocked_until", "effective", "limit", "lock", "recover_at", "starts")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.effective = limit
        # Start times, sorted; never more than `limit` are needed: the effective limit is at
        # most the limit. A request's start is moved to its completion once it completes.
        self.starts: list[float] = []
        # anyio.Lock wakes waiters in the order they came: that is the fairness among waiters.
        self.lock = anyio.Lock()
        self.blocked_until = -math.inf
        self.recover_at = -math.inf

    def ready_at(self, now: float, window: float) -> float:
        """Return when the next request may start, after restoring the limit if it is due."""
        if self.effective < self.limit and now >= self.recover_at:
            self.effective = self.limit
        ready = self.blocked_until
        if len(self.starts) >= self.effective:
            ready = max(ready, self.starts[-self.effective] + window)
        return ready

    def record(self, at: float) -> None:
        """Count a request at ``at``, keeping the times sorted and at most ``limit`` of them."""
        starts = self.starts
        if starts and at < starts[-1]:
            bisect.insort(starts, at)
        else:
            starts.append(at)
        if len(starts) > self.limit:
            del starts[0]

    def move(self, old: float, new: float) -> None:
        """Move one request counted at ``old`` to ``new`` (if it is still counted)."""
        starts = self.starts
        if starts and starts[-1] == old:
            starts[-1] = new  # the usual case, the latest start: still sorted, as new >= old
            return
        index = bisect.bisect_left(starts, old)
        if index < len(starts) and starts[index] == old:
            del starts[index]
            bisect.insort(starts, new)

    def is_idle(self, now: float, window: float) -> bool:
        """Return True when dropping this bucket changes nothing: no waiter, no live state."""
        return (
            not self.lock.locked()
            and now >= self.blocked_until
            and now >= self.recover_at
            and (not self.starts or self.starts[-1] + window <= now)
        )


def _split_key(key: str) -> tuple[str, str]:
    method, _, path = key.partition(" ")
    if not method or not path.startswith("/") or " " in path:
        raise PylonConfigError(f"an endpoint key is 'METHOD /path/{{param}}', got {key!r}")
    return method.upper(), path


def _segments(path: str) -> tuple[str, ...]:
    # "/tasks/abc/" and "/tasks/abc" are the same endpoint.
    return tuple(path.rstrip("/").split("/")[1:])


def _check_limit(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PylonConfigError(f"{name} must be an int >= 1, got {value!r}")
    return value


class RateLimiter:
    """Paces requests per endpoint so none exceeds its per-minute limit.

    Args:
        limits: requests a minute per endpoint key. A key is the method and the path template,
            as in ``{"GET /tasks/{id}": 300, "POST /tasks/search": 120}``.
        default_per_minute: the limit of any key not in ``limits``; default None, which leaves
            such endpoints unpaced.
        scale: multiplies every rate by shortening the window: the window is ``60 / scale``
            seconds and the counts stay as they are, so ``scale=2`` lets "30 a minute" run 30 every
            30 s. Default 1.0.
        overrides: limits that replace those in ``limits`` key by key, or add keys; default None.
        clock: returns the current time in seconds, monotonic; default ``anyio.current_time``.
        sleep: awaited with a delay in seconds while a request waits; default ``anyio.sleep``.

    Raises:
        PylonConfigError: a key is malformed, a limit is not an int >= 1, or ``scale`` is not a
            positive finite number.

    Example::

        limiter = RateLimiter({"GET /issues": 30, "GET /tasks/{id}": 300})
        await limiter.acquire("GET /issues")  # returns once a request may start

    """

    def __init__(
        self,
        limits: Mapping[str, int],
        *,
        default_per_minute: int | None = None,
        scale: float = 1.0,
        overrides: Mapping[str, int] | None = None,
        clock: Callable[[], float] = anyio.current_time,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        if isinstance(scale, bool) or not isinstance(scale, int | float):
            raise PylonConfigError(f"scale must be a number, got {scale!r}")
        if not 0.0 < scale < math.inf:
            raise PylonConfigError(f"scale must be positive and finite, got {scale!r}")
        if default_per_minute is not None:
            _check_limit("default_per_minute", default_per_minute)
        self._limits: dict[str, int] = {}
        templates: dict[tuple[str, int], list[tuple[tuple[str | None, ...], str]]] = {}
        for key, limit in {**limits, **(overrides or {})}.items():
            method, path = _split_key(key)
            normalized = f"{method} {path}"
            self._limits[normalized] = _check_limit(f"the limit of {key!r}", limit)
            pattern = tuple(
                None if _PARAMETER.fullmatch(segment) else segment for segment in _segments(path)
            )
            templates.setdefault((method, len(pattern)), []).append((pattern, normalized))
        # A literal segment beats a parameter, the leftmost difference first: sorting on
        # (0 for literal, 1 for parameter) per segment puts "/tasks/search" before "/tasks/{id}".
        for candidates in templates.values():
            candidates.sort(key=lambda item: tuple(segment is None for segment in item[0]))
        self._templates = templates
        self._default = default_per_minute
        self._window = _MINUTE / scale
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[str, _Bucket] = {}
        # Matching runs once per distinct (method, path); the hot path is the cache's dict lookup.
        self._resolve_cached = functools.lru_cache(maxsize=_RESOLVE_CACHE_SIZE)(self._match)

    @property
    def window(self) -> float:
        """The length of a window in seconds: 60 / ``scale``."""
        return self._window

    def limit(self, key: str) -> int | None:
        """Return the configured limit of ``key`` per window, or None if it is not paced."""
        return self._limits.get(key, self._default)

    def effective_limit(self, key: str) -> int | None:
        """Return the limit in force for ``key`` now: lower than :meth:`limit` after a 429."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return self.limit(key)
        bucket.ready_at(self._clock(), self._window)
        return bucket.effective

    def resolve(self, method: str, path: str) -> str:
        """Return the endpoint key of a concrete request.

        The path is matched against the templates of ``limits`` and ``overrides``; a literal
        segment beats a parameter. Without a match the key is the method and the concrete path,
        which only ``default_per_minute`` paces. Results are cached (at most 1024).

        >>> RateLimiter({"GET /tasks/{id}": 300}).resolve("GET", "/tasks/abc")
        'GET /tasks/{id}'
        """
        return self._resolve_cached(method.upper(), path)

    def _match(self, method: str, path: str) -> str:
        segments = _segments(path)
        for pattern, key in self._templates.get((method, len(segments)), ()):
            if all(
                segment == part if segment is not None else part != ""
                for segment, part in zip(pattern, segments, strict=True)
            ):
                return key
        return f"{method} {path}"

    async def acquire(self, key: str) -> float | None:
        """Wait until a request to ``key`` may start, count it as started, return its start time.

        Returns at once, without yielding, for a key with no limit (None), and for a key whose
        slot is free with nobody waiting. Waiters of one key are served in the order they called.
        Pass the returned time to :meth:`complete` when the request is done.
        """
        limit = self.limit(key)
        if limit is None:
            return None
        started = self.try_acquire(key)
        if started is not None:
            return started
        bucket = self._bucket(key, limit)
        # The lock is held across the wait: later callers queue behind, in order, instead of
        # racing for the slot when it frees.
        async with bucket.lock:
            while True:
                now = self._clock()
                # Checked again after every wait: a penalty may have come in meanwhile.
                ready = bucket.ready_at(now, self._window)
                if ready <= now:
                    break
                await self._sleep(ready - now)
            bucket.record(now)
        return now

    def try_acquire(self, key: str) -> float | None:
        """Take a slot for ``key`` if one is free and nobody waits; return its time, else None.

        The synchronous fast path of :meth:`acquire` (no lock, no yield): a released anyio.Lock
        passes straight to the next waiter, so an unlocked lock means nobody queues. None also
        for a key with no limit, which needs no slot.
        """
        limit = self.limit(key)
        if limit is None:
            return None
        bucket = self._bucket(key, limit)
        if bucket.lock.locked():
            return None
        now = self._clock()
        if bucket.ready_at(now, self._window) > now:
            return None
        bucket.record(now)
        return now

    def complete(self, key: str, started: float | None) -> None:
        """Count the request that started at ``started`` as of now, when it has completed.

        Pylon counts a request when it arrives, which is after the client started it and before
        the client saw the answer. Counting it from the answer keeps a slower request from
        landing in the same server-side window as one started a full window later.
        """
        if started is None:
            return
        bucket = self._buckets.get(key)
        if bucket is not None:
            bucket.move(started, self._clock())

    def penalize(self, key: str, retry_after: float | None = None) -> None:
        """Slow ``key`` down after Pylon answered 429 despite the pacing.

        No request to ``key`` starts before ``retry_after`` seconds from now; with None, before
        one window divided by the limit in force (the spacing of an even pace). The limit in force
        drops to 80 % of itself, never below 1, and returns to the configured limit once a full
        window has passed after that stop without another penalty. A key with no limit is left
        alone.
        """
        limit = self.limit(key)
        if limit is None:
            return
        bucket = self._bucket(key, limit)
        now = self._clock()
        bucket.ready_at(now, self._window)
        wait = self._window / bucket.effective if retry_after is None else max(0.0, retry_after)
        bucket.effective = max(1, int(bucket.effective * _PENALTY_FACTOR))
        bucket.blocked_until = max(bucket.blocked_until, now + wait)
        bucket.recover_at = bucket.blocked_until + self._window

    def _bucket(self, key: str, limit: int) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= _MAX_BUCKETS:
                now = self._clock()
                for stale in [k for k, b in self._buckets.items() if b.is_idle(now, self._window)]:
                    del self._buckets[stale]
            bucket = self._buckets[key] = _Bucket(limit)
        return bucket


class RateLimitTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` that paces requests through a :class:`RateLimiter`.

    The endpoint key is ``request.extensions["pylon_endpoint"]`` when the caller set it (the
    client's generated methods do, e.g. ``"GET /tasks/{id}"``), otherwise
    :meth:`RateLimiter.resolve` of the request's method and path. A 429 response penalizes the
    endpoint with the wait it names (see :func:`parse_retry_after`) and is returned as it is:
    retrying is the retry layer's job.

    Args:
        inner: the transport that sends the request.
        limiter: the limiter to pace with; share one between clients of one organization.

    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        limiter: RateLimiter,
        *,
        max_penalty: float = math.inf,
    ) -> None:
        self._inner = inner
        self._limiter = limiter
        # A 429 asking for more than this (the retry policy's max_retry_wait) is raised to the
        # caller as RateLimitError; the endpoint is held back only this long, not silently for
        # the whole wait.
        self._max_penalty = max_penalty

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Wait for the endpoint's turn, then send ``request`` through ``inner``."""
        key = request.extensions.get("pylon_endpoint")
        if not isinstance(key, str):
            key = self._limiter.resolve(request.method, request.url.path)
        limiter = self._limiter
        if limiter.limit(key) is None:
            return await self._inner.handle_async_request(request)
        started = limiter.try_acquire(key)
        if started is None:
            started = await limiter.acquire(key)
        try:
            response = await self._inner.handle_async_request(request)
        finally:
            self._limiter.complete(key, started)
        if response.status_code == 429:
            wait = parse_retry_after(response.headers)
            self._limiter.penalize(key, None if wait is None else min(wait, self._max_penalty))
        return response

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self._inner.aclose()
