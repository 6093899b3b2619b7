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
without another 429; then the configured limit is back. Rate-limit headers on an answer
(:meth:`RateLimiter.observe`) can only lower the local view: when Pylon says fewer requests
remain than the window has room for, the difference is counted until the reset it names.

Buckets are per organization and endpoint: every method takes ``org``, the organization key
(``AsyncPylon(rate_limit_key=...)``); ``""`` is the budget of the clients that give none. So one
limiter paces many organizations, each apart. :class:`~pylon_client.RedisRateLimiter` keeps the
same books in Redis, for many processes. Both satisfy ``RateLimitBackend``, the interface that
``RateLimitTransport`` (in ``_ratelimit.transport``, inside the retry layer) drives.

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

from .._exceptions import PylonConfigError
from .clock import loop_time

__all__ = ["RateLimiter", "check_org_key", "clamp_reset"]

_MINUTE = 60.0
_PENALTY_FACTOR = 0.8
# Bounds memory when default_per_minute meets raw requests to many distinct paths: each path is
# then its own key. Past this many, idle buckets (equivalent to fresh ones) are dropped.
_MAX_BUCKETS = 1024
_RESOLVE_CACHE_SIZE = 1024
_PARAMETER = re.compile(r"\{[^{}/]+\}")
_MAX_ORG_KEY = 200


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

    def count_since(self, since: float) -> int:
        """Return how many counted requests are later than ``since``."""
        return len(self.starts) - bisect.bisect_right(self.starts, since)

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


def check_org_key(name: str, value: object) -> str:
    """Return ``value`` if it is a usable organization key, else raise PylonConfigError.

    A key is a non-empty string of at most 200 characters without control characters (they
    would blur the bucket and Redis key it is part of).
    """
    if not isinstance(value, str) or not value:
        raise PylonConfigError(f"{name} must be a non-empty string, got {value!r}")
    if len(value) > _MAX_ORG_KEY or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise PylonConfigError(
            f"{name} must be at most {_MAX_ORG_KEY} characters without control characters"
        )
    return value


def clamp_reset(reset: float | None, window: float) -> float:
    """Return a reset delay in seconds within [0, ``window``]; None (not said) is a window."""
    if reset is None or math.isnan(reset):
        return window
    return min(max(reset, 0.0), window)


def _bucket_id(org: str, key: str) -> str:
    # The anonymous organization's buckets keep the bare endpoint key: the hot path builds nothing.
    return f"{org}\x00{key}" if org else key


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
        clock: returns the current time in seconds, monotonic; default :func:`loop_time`
            (``anyio.current_time``, the event loop's clock).
        sleep: awaited with a delay in seconds while a request waits; default ``anyio.sleep``.

    Raises:
        PylonConfigError: a key is malformed, a limit is not an int >= 1, or ``scale`` is not a
            positive finite number.

    Every method that counts takes ``org``, the organization key: each organization has budgets
    of its own. The default ``""`` is the one budget of the clients that give no key.

    Example::

        limiter = RateLimiter({"GET /issues": 30, "GET /tasks/{id}": 300})
        await limiter.acquire("GET /issues")  # returns once a request may start
        await limiter.acquire("GET /issues", org="acme")  # acme's budget, apart

    """

    def __init__(
        self,
        limits: Mapping[str, int],
        *,
        default_per_minute: int | None = None,
        scale: float = 1.0,
        overrides: Mapping[str, int] | None = None,
        clock: Callable[[], float] = loop_time,
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

    @property
    def key(self) -> str:
        """The organization key of clients that give none: ``""``, one budget they all share."""
        return ""

    def limit(self, key: str) -> int | None:
        """Return the configured limit of ``key`` per window, or None if it is not paced."""
        return self._limits.get(key, self._default)

    def effective_limit(self, key: str, *, org: str = "") -> int | None:
        """Return the limit in force for ``key`` now: lower than :meth:`limit` after a 429."""
        bucket = self._buckets.get(_bucket_id(org, key))
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

    async def acquire(self, key: str, *, org: str = "") -> float | None:
        """Wait until a request to ``key`` may start, count it as started, return its start time.

        Returns at once, without yielding, for a key with no limit (None), and for a key whose
        slot is free with nobody waiting. Waiters of one key are served in the order they called.
        Pass the returned time to :meth:`complete` when the request is done.
        """
        limit = self.limit(key)
        if limit is None:
            return None
        started = self.try_acquire(key, org=org)
        if started is not None:
            return started
        bucket = self._bucket(_bucket_id(org, key), limit)
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

    def try_acquire(self, key: str, *, org: str = "") -> float | None:
        """Take a slot for ``key`` if one is free and nobody waits; return its time, else None.

        The synchronous fast path of :meth:`acquire` (no lock, no yield): a released anyio.Lock
        passes straight to the next waiter, so an unlocked lock means nobody queues. None also
        for a key with no limit, which needs no slot.
        """
        limit = self.limit(key)
        if limit is None:
            return None
        bucket = self._bucket(_bucket_id(org, key), limit)
        if bucket.lock.locked():
            return None
        now = self._clock()
        if bucket.ready_at(now, self._window) > now:
            return None
        bucket.record(now)
        return now

    def record(self, key: str, *, org: str = "") -> None:
        """Count, as of now, a request to ``key`` that was sent without taking a turn here."""
        limit = self.limit(key)
        if limit is not None:
            self._bucket(_bucket_id(org, key), limit).record(self._clock())

    def complete(self, key: str, started: float | None, *, org: str = "") -> None:
        """Count the request that started at ``started`` as of now, when it has completed.

        Pylon counts a request when it arrives, which is after the client started it and before
        the client saw the answer. Counting it from the answer keeps a slower request from
        landing in the same server-side window as one started a full window later.
        """
        if started is None:
            return
        bucket = self._buckets.get(_bucket_id(org, key))
        if bucket is not None:
            bucket.move(started, self._clock())

    def penalize(self, key: str, retry_after: float | None = None, *, org: str = "") -> None:
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
        bucket = self._bucket(_bucket_id(org, key), limit)
        now = self._clock()
        bucket.ready_at(now, self._window)
        wait = self._window / bucket.effective if retry_after is None else max(0.0, retry_after)
        bucket.effective = max(1, int(bucket.effective * _PENALTY_FACTOR))
        bucket.blocked_until = max(bucket.blocked_until, now + wait)
        bucket.recover_at = bucket.blocked_until + self._window

    def observe(self, key: str, remaining: int, reset: float | None, *, org: str = "") -> None:
        """Lower the local view of ``key`` to what Pylon's rate-limit headers say is left.

        ``remaining`` is the number of requests Pylon will still take before ``reset`` seconds
        from now (None: a full window). When the window here has more room than that, the
        difference is counted as if sent ``reset`` seconds less one window ago, so it leaves
        the window at the reset: ``remaining=0`` holds the endpoint back until then. Headers
        never raise the view: more room on Pylon's side than here changes nothing.
        """
        limit = self.limit(key)
        if limit is None:
            return
        bucket = self._bucket(_bucket_id(org, key), limit)
        now = self._clock()
        bucket.ready_at(now, self._window)
        free = bucket.effective - bucket.count_since(now - self._window)
        extra = min(free - max(remaining, 0), limit)
        if extra <= 0:
            return
        at = now - self._window + clamp_reset(reset, self._window)
        for _ in range(extra):
            bucket.record(at)

    async def settle(
        self,
        key: str,
        started: object,
        *,
        org: str = "",
        limited: bool = False,
        retry_after: float | None = None,
        remaining: int | None = None,
        reset: float | None = None,
    ) -> None:
        """Book an answer: :meth:`complete`, :meth:`penalize` if ``limited``, :meth:`observe`.

        The ``RateLimitBackend`` form of those three, for a request whose slot ``started`` came
        from :meth:`acquire`; ``remaining`` and ``reset`` are Pylon's rate-limit headers, if it
        sent them. Never waits.
        """
        at = started if isinstance(started, int | float) and not isinstance(started, bool) else None
        self.complete(key, None if at is None else float(at), org=org)
        if limited:
            self.penalize(key, retry_after, org=org)
        if remaining is not None:
            self.observe(key, remaining, reset, org=org)

    def _bucket(self, key: str, limit: int) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= _MAX_BUCKETS:
                now = self._clock()
                for stale in [k for k, b in self._buckets.items() if b.is_idle(now, self._window)]:
                    del self._buckets[stale]
            bucket = self._buckets[key] = _Bucket(limit)
        return bucket
