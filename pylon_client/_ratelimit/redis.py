"""One rate-limit budget for every process and host: the limiter's books kept in Redis.

Pylon's limits belong to the organization: all its tokens and all their workers share one budget
per endpoint. :class:`~pylon_client.RateLimiter` counts in one process, so eight workers would
send eight times the budget; :class:`RedisRateLimiter` counts in Redis, with the same rules:

- a sliding-window log per organization and endpoint, checked and taken atomically by a Lua
  script (``pylon_client/_ratelimit/lua/acquire.lua``) on Redis's own clock, so hosts whose
  clocks differ still share one window;
- each request counted from its answer (``settle.lua`` moves it there);
- a 429 holds the endpoint back and lowers its pace for every worker (the hold lives in Redis);
- rate-limit headers only ever lower the shared view (see ``RateLimitTransport``).

Keys, under ``prefix`` (default ``"pylon:ratelimit"``), all with a time to live of at most two
windows (a 429's hold: until its pace recovers), so nothing outlives its use::

    {prefix}:{org}:{METHOD /path}:log    ZSET request -> time counted
    {prefix}:{org}:{METHOD /path}:hold   HASH until, effective, recover (after a 429)
    {prefix}:{org}:workers               ZSET worker -> last seen
    {prefix}:epoch                       STRING drawn when this Redis first served the prefix
    {prefix}:paused                      STRING present for a window after Redis lost its data,
                                         or after a worker came back from pacing on its own

Given a URL, it talks through the built-in client (``BuiltinRedisClient``: RESP on anyio
sockets, no dependency); given ``client=``, through yours: ``redis.asyncio.Redis`` (asyncio
only), ``coredis.Redis`` (asyncio, trio) or a ``BuiltinRedisClient`` with TLS settings of its
own (see ``_ratelimit.clients``). A client need only run scripts (``scripting.ScriptClient``);
each one's errors map to one "Redis unavailable", so the fallback below is the same whichever.
Redis 5 or later (scripts that read ``TIME``, then write); not Cluster (keys of many slots).

When Redis fails (unreachable, an error, no answer within ``timeout``), ``on_backend_error``
decides. ``"raise"``: :class:`~pylon_client.RateLimitBackendError`, and nothing is sent.
``"local"`` (default): a ``RuntimeWarning`` once per limiter, a WARNING log line per outage, and
pacing in this process (``_ratelimit.fallback``): a window of nothing, then each limit divided
by the workers Redis last counted (or ``fallback_workers``). Redis is asked again every
``window / 10`` (at most every second); when it answers, the worker pauses the shared window for
one window (``{prefix}:paused``), time for the others to come back too, and puts back what it
sent meanwhile (``reseed.lua``). An outage costs up to two windows of silence; no window holds
more than the limit.

A restart that empties Redis would open an empty window while Pylon's still holds the last
minute. The epoch key tells: a worker that was in Redis less than a window ago and finds a new
epoch pauses every worker of the prefix for one window, so no Pylon window holds requests from
both sides of the loss. (A worker started during the outage knows no epoch, and takes slots at
once: the one gap, as small as the requests it sends before a worker that knew notices.) A
pooled connection that broke while idle is retried once on a fresh one, so a restart between
two requests is noticed there, not taken for an outage.

Cancellation
    A task cancelled while waiting for its turn takes no slot; cancelled while Redis was
    deciding, it may have taken one, which then counts until it leaves the window (a
    conservative error). Booking an answer is shielded from cancellation and bounded by
    ``timeout``, so a cancelled request is still counted from its end.
"""

from __future__ import annotations

import itertools
import logging
import math
import secrets
import warnings
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from importlib import resources
from types import TracebackType
from typing import Literal, Self

import anyio

from .._exceptions import PylonConfigError, RateLimitBackendError
from .._generated._endpoints import ENDPOINTS
from .clients import RedisClient, choose_client
from .fallback import LocalPacing, Slot
from .local import RateLimiter, check_org_key
from .scripting import RedisUnavailableError, Reply, Script

__all__ = ["RedisRateLimiter"]

_logger = logging.getLogger("pylon_client")
_US = 1_000_000
_MAX_LOCKS = 1024
_MAX_PROBE_INTERVAL = 1.0


class RedisRateLimiter:
    """Paces requests per organization and endpoint in Redis, for every process that shares it.

    Args:
        url: where Redis is: ``redis://[[user]:password@]host[:port][/db]``, or ``rediss://``
            for TLS; default None: ``"redis://localhost:6379/0"``, unless ``client`` is given.
        limits: requests a minute per endpoint key; default Pylon's published table (the one
            ``AsyncPylon`` paces with).
        key: the organization key of clients that give no ``rate_limit_key``; default None:
            each client learns its organization's id once, from ``GET /me``.
        prefix: the start of every Redis key; default ``"pylon:ratelimit"``.
        default_per_minute: the limit of an endpoint not in ``limits``; default None (unpaced).
        scale: multiplies every rate by shortening the window (60 s / ``scale``); default 1.0.
        overrides: limits that replace or add to ``limits``, key by key; default None.
        client: a Redis client of your own instead of ``url``: a ``redis.asyncio.Redis``, a
            ``coredis.Redis`` (entered), or a ``BuiltinRedisClient``; default None. The limiter
            never closes it.
        timeout: seconds (or a timedelta) each Redis call may take; default 1.0 (a
            ``BuiltinRedisClient`` given as ``client`` keeps its own).
        on_backend_error: ``"local"`` (default) or ``"raise"``, see the module docstring.
        fallback_workers: how many workers share the budget, to split it while Redis is away;
            default None: as many as Redis last counted (1 before it ever answered).
        max_connections: open Redis connections per event loop, with ``url``; default 16.
        clock: monotonic seconds, for the local side; default ``anyio.current_time``.
        sleep: awaited with a delay in seconds while a request waits; default ``anyio.sleep``.

    Raises:
        PylonConfigError: a malformed URL, both ``url`` and ``client``, a client of no kind
            above, a limit below 1, an empty ``key`` or ``prefix``, a non-positive ``timeout``
            or ``scale``, an unknown ``on_backend_error``.

    Nothing is connected until the first request. Close it with ``async with`` or
    :meth:`aclose` (a client does not close a limiter it was given). Example::

        async with RedisRateLimiter("redis://cache:6379/0") as limiter:
            async with AsyncPylon(token, rate_limit=limiter, rate_limit_key="acme") as pylon:
                ...

    With a client of your own (redis-py's, with your CA)::

        limiter = RedisRateLimiter(client=redis.asyncio.Redis.from_url(url, ssl_ca_certs=ca))

    """

    def __init__(
        self,
        url: str | None = None,
        limits: Mapping[str, int] | None = None,
        *,
        client: RedisClient | None = None,
        key: str | None = None,
        prefix: str = "pylon:ratelimit",
        default_per_minute: int | None = None,
        scale: float = 1.0,
        overrides: Mapping[str, int] | None = None,
        timeout: float | timedelta = 1.0,
        on_backend_error: Literal["raise", "local"] = "local",
        fallback_workers: int | None = None,
        max_connections: int = 16,
        clock: Callable[[], float] = anyio.current_time,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        if limits is None:
            limits = {k: e.rate_limit for k, e in ENDPOINTS.items() if e.rate_limit}
        self._limits = {**limits, **(overrides or {})}
        self._default = default_per_minute
        self._scale = scale
        # The in-memory limiter checks the table and resolves paths; it never counts here.
        self._table = RateLimiter(self._limits, default_per_minute=default_per_minute, scale=scale)
        self._key = None if key is None else check_org_key("key", key)
        self._prefix = check_org_key("prefix", prefix)
        if on_backend_error not in ("raise", "local"):
            raise PylonConfigError(
                f"on_backend_error must be 'raise' or 'local', got {on_backend_error!r}"
            )
        self._on_error = on_backend_error
        for name, count in (
            ("fallback_workers", fallback_workers),
            ("max_connections", max_connections),
        ):
            if count is not None and (type(count) is not int or count < 1):
                raise PylonConfigError(f"{name} must be an int >= 1, got {count!r}")
        self._fallback_workers = fallback_workers
        self._client, self._own = choose_client(  # _own: made here from url, closed here
            url, client, timeout=timeout, max_connections=max_connections
        )
        self._clock = clock
        self._sleep = sleep
        self._window_us = round(self._table.window * _US)
        self._probe_every = min(self._table.window / 10, _MAX_PROBE_INTERVAL)
        self._scripts = {n: Script(_lua(n)) for n in ("acquire", "settle", "reseed", "pause")}
        self._worker = secrets.token_hex(8)
        self._members = itertools.count()
        self._epoch = ""
        self._last_contact = -math.inf
        self._workers: dict[str, int] = {}
        self._locks: dict[tuple[str, str], anyio.Lock] = {}
        self._fallback: LocalPacing | None = None
        self._next_probe = 0.0
        self._warned = False

    def __repr__(self) -> str:
        return f"RedisRateLimiter({self._client!r}, prefix={self._prefix!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close this event loop's idle connections to Redis, if the limiter opened them.

        A client given as ``client`` is left open: it belongs to whoever made it.
        """
        if self._own is not None:
            await self._own.aclose()

    @property
    def window(self) -> float:
        """The length of a window in seconds: 60 / ``scale``."""
        return self._table.window

    @property
    def key(self) -> str | None:
        """The organization key of clients that give none; None: learnt from ``GET /me``."""
        return self._key

    @property
    def is_local(self) -> bool:
        """True while Redis is away and this process paces on its own (``"local"`` mode)."""
        return self._fallback is not None

    def limit(self, key: str) -> int | None:
        """Return the configured limit of ``key`` per window, or None if it is not paced."""
        return self._table.limit(key)

    def resolve(self, method: str, path: str) -> str:
        """Return the endpoint key of a concrete request (see ``RateLimiter.resolve``)."""
        return self._table.resolve(method, path)

    def redis_key(self, key: str, *, org: str = "") -> str:
        """Return the Redis key of the window log of ``key`` in ``org``'s budget."""
        return f"{self._prefix}:{org}:{key}:log"

    async def acquire(self, key: str, *, org: str = "") -> object:
        """Wait until a request to ``key`` may start in ``org``'s budget; take the slot.

        Returns the slot to pass to :meth:`settle`, or None for an endpoint with no limit.
        Waiters of one key in this process are served in the order they came.

        Raises:
            RateLimitBackendError: Redis failed and ``on_backend_error="raise"``.

        """
        limit = self.limit(key)
        if limit is None:
            return None
        async with self._lock(org, key):
            while True:
                fallback = self._fallback
                if fallback is not None and not await self._try_restore(fallback):
                    pause = fallback.pause_left()
                    if pause <= 0:
                        return await fallback.acquire(key, org, self._member())
                    # Paused: nothing is sent, and Redis is asked again now and then.
                    await self._sleep(min(pause, self._probe_every))
                    continue
                member = self._member()
                try:
                    recent = "1" if self._was_recent() else "0"
                    args = (limit, self._window_us, member, self._worker, self._epoch)
                    fresh = secrets.token_hex(8)
                    reply = await self._script(
                        "acquire", self._acquire_keys(key, org), (*args, fresh, recent)
                    )
                    granted, value, workers, epoch = _four(reply)
                except RedisUnavailableError as exc:
                    self._fail(exc)
                    continue
                self._last_contact = self._clock()
                self._workers[org] = workers
                self._epoch = epoch
                if granted:
                    return Slot(member)
                await self._sleep(value / _US)

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
        """Book the answer to the request that took slot ``started`` (see ``RateLimitBackend``).

        Shielded from cancellation and bounded by ``timeout``. A Redis failure here never
        raises (the answer is already there): it is logged, and with ``"local"`` this process
        paces on its own from now on.
        """
        limit = self.limit(key)
        if not isinstance(started, Slot) or limit is None:
            return
        if self._fallback is None:
            args = (
                limit,
                self._window_us,
                started.member,
                "1" if limited else "0",
                -1 if retry_after is None else round(max(retry_after, 0.0) * _US),
                -1 if remaining is None else max(remaining, 0),
                -1 if reset is None else round(max(reset, 0.0) * _US),
            )
            try:
                with anyio.CancelScope(shield=True):
                    await self._script("settle", self._bucket_keys(key, org), args)
            except RedisUnavailableError as exc:
                if self._on_error == "raise":
                    _logger.warning("rate limiter: could not book an answer in Redis: %s", exc)
                    return
                self._fail(exc)
            else:
                return
        fallback = self._fallback
        assert fallback is not None  # noqa: S101 (set by _fail in "local" mode)
        # A fresh member: after a blip without data loss the request may count twice (from its
        # start and from its end), never not at all.
        fallback.book(
            key,
            org,
            started,
            self._member(),
            limited=limited,
            retry_after=retry_after,
            remaining=remaining,
            reset=reset,
        )

    # ------------------------------------------------------------------ Redis

    def _acquire_keys(self, key: str, org: str) -> tuple[str, ...]:
        p = self._prefix
        return (*self._bucket_keys(key, org), f"{p}:{org}:workers", f"{p}:epoch", f"{p}:paused")

    def _bucket_keys(self, key: str, org: str) -> tuple[str, str]:
        base = f"{self._prefix}:{org}:{key}"
        return f"{base}:log", f"{base}:hold"

    async def _script(self, name: str, keys: tuple[str, ...], args: tuple[object, ...]) -> Reply:
        values = tuple(a if isinstance(a, str | int) else str(a) for a in args)
        return await self._client.run_script(self._scripts[name], keys, values)

    def _member(self) -> str:
        return f"{self._worker}:{next(self._members)}"

    def _was_recent(self) -> bool:
        return self._clock() - self._last_contact < self.window

    def _lock(self, org: str, key: str) -> anyio.Lock:
        lock = self._locks.get((org, key))
        if lock is None:
            if len(self._locks) >= _MAX_LOCKS:
                for stale in [k for k, v in self._locks.items() if not v.locked()]:
                    del self._locks[stale]
            lock = self._locks[(org, key)] = anyio.Lock()
        return lock

    # ------------------------------------------------------------------ without Redis

    def _fail(self, exc: RedisUnavailableError) -> None:
        """Raise, or start pacing in this process, after Redis failed."""
        if self._on_error == "raise":
            raise RateLimitBackendError(
                f"the rate limiter's Redis failed: {exc} (on_backend_error='raise')"
            ) from exc
        now = self._clock()
        self._next_probe = now + self._probe_every
        if self._fallback is not None:
            return
        workers = self._fallback_workers or max(self._workers.values(), default=1)
        self._fallback = LocalPacing(
            self._limits,
            default_per_minute=self._default,
            scale=self._scale,
            workers=workers,
            clock=self._clock,
        )
        message = (
            f"the rate limiter's Redis failed ({exc}); pacing in this process only, after one "
            f"window ({self.window:g} s) of pause, at 1/{workers} of each limit, until Redis "
            "answers again"
        )
        _logger.warning("rate limiter: %s", message)
        if not self._warned:
            self._warned = True
            warnings.warn(message, RuntimeWarning, stacklevel=4)

    async def _try_restore(self, fallback: LocalPacing) -> bool:
        """Try Redis again if it is time; if it answers, pause everyone, put back what was sent.

        Other workers may still be pacing on their own, their requests not yet in Redis: the
        pause (one window, ``{prefix}:paused``) lets them come back and put theirs back too
        before anyone counts on the shared window again.
        """
        now = self._clock()
        if now < self._next_probe:
            return False
        self._next_probe = now + self._probe_every
        pause_ms = math.ceil(self._window_us / 1000)
        try:
            await self._script("pause", (f"{self._prefix}:paused",), (pause_ms,))
            for (org, key), sent in fallback.sent_since().items():
                pairs = [v for member, age in sent for v in (member, round(age * _US))]
                log = self._bucket_keys(key, org)[0]
                await self._script("reseed", (log,), (self._window_us, *pairs))
        except RedisUnavailableError:
            return False
        _logger.warning("rate limiter: Redis answers again; sharing one budget again")
        self._fallback = None
        return True


def _lua(name: str) -> str:
    return (resources.files("pylon_client._ratelimit") / "lua" / f"{name}.lua").read_text("utf-8")


def _four(reply: Reply) -> tuple[bool, int, int, str]:
    if not isinstance(reply, list) or len(reply) != 4:
        raise RedisUnavailableError(f"unexpected reply from the acquire script: {reply!r}")
    granted, value, workers, epoch = reply
    if not (isinstance(granted, int) and isinstance(value, int) and isinstance(workers, int)):
        raise RedisUnavailableError(f"unexpected reply from the acquire script: {reply!r}")
    return granted == 1, value, workers, epoch.decode() if isinstance(epoch, bytes) else str(epoch)
