"""The limiter interface, and the httpx transport that paces every request through it.

:class:`RateLimitBackend` is what a limiter must offer; two implement it:
:class:`~pylon_client.RateLimiter` (in memory, one process) and
:class:`~pylon_client.RedisRateLimiter` (one budget for every process that shares a Redis).
:class:`RateLimitTransport` drives either. It sits *inside* the retry layer, so every attempt,
retries included, waits its turn::

    httpx.AsyncClient -> RetryTransport -> RateLimitTransport -> network transport

Budgets are per organization: the transport passes the client's organization key with every
call. When the client gives none and the limiter has none either (``RedisRateLimiter()``
without ``key=``), the transport learns it once, before the first paced request, from
``GET /me`` (the organization's ``id``), and keeps it: no further call. That one ``GET /me`` is
itself paced, in the budget of the clients without a key. Should it fail (a 401, say), the
request goes on in that same budget, paced, and the next request asks again.

After each answer the transport tells the limiter what Pylon said: a 429 and the wait it asked
for, and the rate-limit headers when present (``X-RateLimit-Remaining`` / ``X-RateLimit-Reset``,
or ``RateLimit-Remaining`` / ``RateLimit-Reset``). A reset above 10^9 is a Unix time, anything
else a delay in seconds.

Cancellation
    A task cancelled while waiting for its turn takes no slot. A slot, once taken, stays taken
    even if the request then fails or is cancelled, and the request is counted from that moment:
    it may have reached Pylon. A backend must book that even in a cancelled scope (the Redis
    backend shields that one bounded call). A task cancelled while another one learns the
    organization leaves without sending anything.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Protocol

import anyio
import httpx

from .._exceptions import PylonConfigError
from .._transport.context import CONTEXT_KEY, RequestContext, context_of
from .._transport.retry import parse_retry_after
from .local import RateLimiter, check_org_key

__all__ = ["RateLimitBackend", "RateLimitTransport", "parse_rate_limit_headers"]

_REMAINING = ("x-ratelimit-remaining", "ratelimit-remaining")
_RESET = ("x-ratelimit-reset", "ratelimit-reset")
_EPOCH = 1e9  # a reset above this is a Unix time (seconds since 1970), below it a delay
_BODY_HEADERS = ("content-length", "content-type", "content-encoding", "transfer-encoding")


class RateLimitBackend(Protocol):
    """What :class:`RateLimitTransport` needs of a limiter.

    :class:`~pylon_client.RateLimiter` and :class:`~pylon_client.RedisRateLimiter` implement
    it. Keys are endpoint keys (``"GET /tasks/{id}"``); ``org`` is the organization key.
    """

    @property
    def window(self) -> float:
        """The length of a window in seconds."""
        ...

    @property
    def key(self) -> str | None:
        """The organization key of a client that gives none; None: learn it from ``GET /me``."""
        ...

    def limit(self, key: str) -> int | None:
        """Return the configured limit of ``key`` per window, or None if it is not paced."""
        ...

    def resolve(self, method: str, path: str) -> str:
        """Return the endpoint key of a concrete request."""
        ...

    async def acquire(self, key: str, *, org: str = "") -> object:
        """Wait for a turn of ``key`` in ``org``'s budget; return the slot to :meth:`settle`."""
        ...

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
        """Book the answer (or failure) of the request that took slot ``started``.

        ``limited`` is a 429, ``retry_after`` its wait; ``remaining`` and ``reset`` are Pylon's
        rate-limit headers. Must complete in a cancelled scope, and never raise for a backend
        outage: the answer is already there.
        """
        ...


def _header(headers: Mapping[str, str], names: tuple[str, str]) -> str | None:
    # ``in`` first: httpx answers a missing name's ``get`` by raising and catching KeyError,
    # which costs more than the whole test, on every answer without rate-limit headers.
    for name in names:
        if name in headers:
            return headers[name]
    return None


def parse_rate_limit_headers(
    headers: Mapping[str, str], now: float
) -> tuple[int, float | None] | None:
    """Return ``(remaining, reset in seconds)`` from an answer's headers, or None.

    ``now`` is the Unix time, to turn a reset given as a Unix time into a delay. A list (one
    value per policy) counts its smallest; anything unreadable counts as absent.

    >>> parse_rate_limit_headers({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "2.5"}, 0)
    (0, 2.5)
    >>> parse_rate_limit_headers({"ratelimit-remaining": "7, 40"}, 0)
    (7, None)
    """
    raw = _header(headers, _REMAINING)
    if raw is None:
        return None
    try:
        remaining = min(int(part) for part in raw.split(","))
    except ValueError:
        return None
    reset: float | None = None
    raw_reset = _header(headers, _RESET)
    if raw_reset is not None:
        try:
            reset = min(float(part) for part in raw_reset.split(","))
        except ValueError:
            reset = None
        if reset is not None and not math.isfinite(reset):
            reset = None
        elif reset is not None and reset > _EPOCH:
            reset = reset - now
    return max(remaining, 0), None if reset is None else max(reset, 0.0)


class RateLimitTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` that paces requests through a :class:`RateLimitBackend`.

    The endpoint key is the request context's ``endpoint`` when the caller set it (the
    client's generated methods do, e.g. ``"GET /tasks/{id}"``), otherwise the limiter's
    ``resolve`` of the request's method and path. A 429 response penalizes the endpoint with
    the wait it names (see :func:`~pylon_client._transport.retry.parse_retry_after`) and is
    returned as it is: retrying is the retry layer's job.

    Args:
        inner: the transport that sends the request.
        limiter: the limiter to pace with; share one between clients.
        max_penalty: the longest a 429 holds the endpoint back, in seconds; default no bound.
        org: the organization key; default ``""``, the budget of clients without a key. None:
            learn it from ``GET /me`` at ``me_url`` before the first paced request.
        me_url: the URL of ``GET /me``; needed when ``org`` is None.

    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        limiter: RateLimitBackend,
        *,
        max_penalty: float = math.inf,
        org: str | None = "",
        me_url: str | None = None,
    ) -> None:
        self._inner = inner
        self._limiter = limiter
        # The in-memory limiter is driven synchronously: no await when a slot is free.
        self._local = limiter if isinstance(limiter, RateLimiter) else None
        # A 429 asking for more than this (the retry policy's max_retry_wait) is raised to the
        # caller as RateLimitError; the endpoint is held back only this long, not silently for
        # the whole wait.
        self._max_penalty = max_penalty
        if org is None and me_url is None:
            raise PylonConfigError("RateLimitTransport needs me_url to learn the organization")
        self._org = org
        self._me_url = me_url
        self._learning = anyio.Lock()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Wait for the endpoint's turn, then send ``request`` through ``inner``."""
        key = context_of(request).endpoint
        limiter = self._limiter
        if key is None:
            key = limiter.resolve(request.method, request.url.path)
        if limiter.limit(key) is None:
            return await self._inner.handle_async_request(request)
        org = self._org if self._org is not None else await self._learn_org(request)
        local = self._local
        if local is None:
            return await self._send_shared(request, key, org)
        started = local.try_acquire(key, org=org)
        if started is None:
            started = await local.acquire(key, org=org)
        try:
            response = await self._inner.handle_async_request(request)
        finally:
            local.complete(key, started, org=org)
        if response.status_code == 429:
            local.penalize(key, self._penalty(response), org=org)
        seen = parse_rate_limit_headers(response.headers, time.time())
        if seen is not None:
            local.observe(key, seen[0], seen[1], org=org)
        return response

    async def _send_shared(self, request: httpx.Request, key: str, org: str) -> httpx.Response:
        limiter = self._limiter
        slot = await limiter.acquire(key, org=org)
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException:
            await limiter.settle(key, slot, org=org)
            raise
        seen = parse_rate_limit_headers(response.headers, time.time())
        limited = response.status_code == 429
        await limiter.settle(
            key,
            slot,
            org=org,
            limited=limited,
            retry_after=self._penalty(response) if limited else None,
            remaining=None if seen is None else seen[0],
            reset=None if seen is None else seen[1],
        )
        return response

    def _penalty(self, response: httpx.Response) -> float | None:
        wait = parse_retry_after(response.headers)
        return None if wait is None else min(wait, self._max_penalty)

    async def _learn_org(self, request: httpx.Request) -> str:
        """Return the organization's id from ``GET /me``; ``""`` for now if that fails."""
        async with self._learning:
            if self._org is not None:
                return self._org  # another task learnt it while this one waited
            assert self._me_url is not None  # noqa: S101 (checked in __init__)
            headers = request.headers.copy()
            for name in _BODY_HEADERS:
                headers.pop(name, None)
            me = httpx.Request("GET", self._me_url, headers=headers)
            me.extensions[CONTEXT_KEY] = RequestContext(endpoint="GET /me")
            # Paced as the clients without a key are: the organization is not known yet.
            slot = await self._limiter.acquire("GET /me", org="")
            try:
                response = await self._inner.handle_async_request(me)
            except httpx.TransportError:
                await self._limiter.settle("GET /me", slot, org="")
                return ""  # the request itself will meet the same failure and report it
            except BaseException:
                await self._limiter.settle("GET /me", slot, org="")
                raise
            try:
                await response.aread()
            finally:
                await response.aclose()
            await self._limiter.settle("GET /me", slot, org="", limited=response.status_code == 429)
            found = _organization_id(response)
            if found is not None:
                self._org = found
            return found or ""

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self._inner.aclose()


def _organization_id(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return None
    try:
        found = response.json()["data"]["id"]
        return check_org_key("the organization id", found)
    except (ValueError, KeyError, TypeError):  # not the answer GET /me gives: learn nothing
        return None
