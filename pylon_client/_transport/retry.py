"""Retries, as an httpx transport layer.

:class:`RetryTransport` wraps another ``httpx.AsyncBaseTransport`` and sends a request again when
the failure was transient and sending it again cannot apply it twice. The intended stack is::

    httpx.AsyncClient -> RetryTransport -> RateLimitTransport -> network transport

so every attempt, retries included, is paced by the rate limiter (see ``_ratelimit.local``).

What is retried
    Responses with status 408, 429, 500, 502, 503 or 504, and transient connection errors
    (``httpx.TimeoutException``, ``httpx.NetworkError``, ``httpx.RemoteProtocolError``). No other
    status is retried; in particular 409 (Pylon's ``duplicate_object``) never is.

Which requests
    GET, HEAD, OPTIONS, PUT and DELETE are idempotent, and so is a POST whose path ends in
    ``/search`` (it only reads). Any other POST, and every PATCH, is retried only when the failed
    attempt provably did not take effect: a 429, or a connection error raised before the request
    left (``httpx.ConnectError``, ``httpx.ConnectTimeout``, ``httpx.PoolTimeout``). After a read
    timeout, a dropped connection or a 5xx such a request is not sent again, unless
    ``RetryPolicy.retry_non_idempotent`` is set or the request's context (``.context``) says
    ``retry=True``; ``retry=False`` turns retries off for one request. A request whose body is a
    one-shot stream (not ``httpx.ByteStream``) is only sent again when its body was never read;
    ``replayable=True`` says a stream starts over on each iteration (an upload of bytes, paths
    or seekable files), and ``False`` that it does not, whatever a transport replaced it with.
    A 2xx whose body ``check_body`` finds unusable (cut off, say) is retried like a transient
    failure, for a request that may be retried.

How long to wait
    The server's word first: ``retry-after-ms`` (milliseconds), then ``Retry-After`` (seconds or an
    HTTP date), then ``X-Retry-After`` (seconds); see :func:`parse_retry_after`. A server-requested
    wait longer than ``RetryPolicy.max_retry_wait`` is not slept: the response is returned as it is,
    for the client to raise ``RateLimitError`` with its ``retry_after``. Without such a header the
    wait is an exponential backoff with jitter (:meth:`RetryPolicy.backoff`).

When retries run out the last response is returned, or the last ``httpx`` exception re-raised
unchanged: the client maps it onto ``PylonConnectionError`` and asks :func:`may_have_been_sent`
whether the request may have been applied.

Cancellation
    A cancellation during a backoff wait propagates at once. The failed attempt's response is
    closed before the wait starts, so a cancelled request leaves no response open and its
    connection goes back to the pool.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import math
import random as _random
from collections.abc import Awaitable, Callable, Mapping

import anyio
import attrs
import httpx

from .._exceptions import PylonConfigError
from .context import context_of

__all__ = [
    "RetryEvent",
    "RetryPolicy",
    "RetryTransport",
    "may_have_been_sent",
    "parse_retry_after",
]

_logger = logging.getLogger("pylon_client")

_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

# Raised before a byte of the request left the client: the server cannot have acted on it.
_NOT_SENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
)
# Failures that may go away on their own. UnsupportedProtocol, LocalProtocolError and ProxyError
# are left out: a bad URL, a malformed request or a refusing proxy fail the same way every time.
_TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)

# 2.0 ** 64 seconds is already far beyond any max_backoff; a larger exponent would overflow.
_MAX_EXPONENT = 64


def _to_seconds(value: float | dt.timedelta) -> float:
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PylonConfigError(f"expected seconds as a number or a timedelta, got {value!r}")
    return float(value)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How often and how long :class:`RetryTransport` retries.

    Every duration takes seconds as a number or a ``datetime.timedelta``.

    Args:
        max_retries: retries after the first attempt; 0 turns retrying off. Default 2.
        initial_backoff: wait before the first retry when the server names none. Default 0.5 s.
        max_backoff: the backoff never exceeds this, jitter included. Default 8.0 s.
        jitter: the backoff varies by up to this fraction either way (0.25 is ±25 %); 0 makes it
            exact. Default 0.25.
        max_retry_wait: the longest server-requested wait (``Retry-After`` and friends) that is
            slept; above it the response is returned unretried. Default 60.0 s.
        retry_non_idempotent: retry POST and PATCH after failures that may have applied them
            (5xx, read timeouts, dropped connections). Default False.

    Raises:
        PylonConfigError: a value is out of range.

    """

    max_retries: int = 2
    initial_backoff: float = attrs.field(default=0.5, converter=_to_seconds)
    max_backoff: float = attrs.field(default=8.0, converter=_to_seconds)
    jitter: float = 0.25
    max_retry_wait: float = attrs.field(default=60.0, converter=_to_seconds)
    retry_non_idempotent: bool = False

    def __attrs_post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise PylonConfigError(f"max_retries must be an int, got {self.max_retries!r}")
        if self.max_retries < 0:
            raise PylonConfigError(f"max_retries must be >= 0, got {self.max_retries}")
        if not 0.0 <= self.initial_backoff < math.inf:
            raise PylonConfigError(
                f"initial_backoff must be finite and >= 0, got {self.initial_backoff}"
            )
        if not self.initial_backoff <= self.max_backoff < math.inf:
            raise PylonConfigError(
                f"max_backoff must be finite and >= initial_backoff, got {self.max_backoff}"
            )
        if isinstance(self.jitter, bool) or not isinstance(self.jitter, int | float):
            raise PylonConfigError(f"jitter must be a number, got {self.jitter!r}")
        if not 0.0 <= self.jitter <= 1.0:
            raise PylonConfigError(f"jitter must be between 0 and 1, got {self.jitter}")
        # math.inf is allowed here: it means "always sleep what the server asks".
        if not self.max_retry_wait >= 0.0:
            raise PylonConfigError(f"max_retry_wait must be >= 0, got {self.max_retry_wait}")

    def backoff(self, attempt: int, rand: float = 0.5) -> float:
        """Return the wait after failed attempt number ``attempt`` (1-based), in seconds.

        ``min(max_backoff, initial_backoff * 2 ** (attempt - 1))``, moved by up to ``jitter`` of
        itself: ``rand`` in [0, 1) picks where, and the default 0.5 means no jitter. The result is
        capped at ``max_backoff`` again after the jitter.

        >>> RetryPolicy().backoff(1), RetryPolicy().backoff(3), RetryPolicy().backoff(9)
        (0.5, 2.0, 8.0)
        """
        exponent = min(max(attempt - 1, 0), _MAX_EXPONENT)
        base = min(self.max_backoff, self.initial_backoff * 2.0**exponent)
        return max(0.0, min(self.max_backoff, base * (1.0 + self.jitter * (2.0 * rand - 1.0))))


@attrs.frozen(kw_only=True)
class RetryEvent:
    """One retry about to happen, as passed to ``RetryTransport(on_retry=...)``.

    Attributes:
        method: the HTTP method.
        path: the URL path, without the query string.
        attempt: the number of the attempt that failed, 1 for the first.
        wait: seconds to wait before the next attempt.
        status_code: the status of the failed attempt, or None after a connection error.
        error: the class name of the connection error, or None after a response.

    """

    method: str
    path: str
    attempt: int
    wait: float
    status_code: int | None
    error: str | None


def parse_retry_after(headers: Mapping[str, str], now: dt.datetime | None = None) -> float | None:
    """Return the wait, in seconds, that a response asks for, or None if it names none.

    Looks at ``retry-after-ms`` (milliseconds), then ``Retry-After`` (seconds, fractions allowed,
    or an HTTP date), then ``X-Retry-After`` (seconds), case-insensitively; the first that parses
    wins. A wait in the past or below zero is 0.0. ``now`` is the current time, used only for the
    HTTP-date form; the default None reads the system clock (UTC). A naive ``now`` is taken as UTC.

    >>> parse_retry_after({"Retry-After": "2.5"})
    2.5
    """
    headers = headers if isinstance(headers, httpx.Headers) else httpx.Headers(headers)
    millis = _parse_number(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000.0
    value = headers.get("retry-after")
    if value is not None:
        seconds = _parse_number(value)
        if seconds is None:
            seconds = _parse_http_date(value, now)
        if seconds is not None:
            return seconds
    return _parse_number(headers.get("x-retry-after"))


def _parse_number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return max(0.0, number) if math.isfinite(number) else None


def _parse_http_date(value: str, now: dt.datetime | None) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    now = now if now is not None else dt.datetime.now(dt.UTC)
    # HTTP dates are GMT by definition; a naive value on either side can only mean UTC.
    when = when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
    now = now if now.tzinfo is not None else now.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def may_have_been_sent(exc: BaseException) -> bool:
    """Return False only when ``exc`` proves the request never left the client.

    ``httpx.ConnectError``, ``ConnectTimeout``, ``PoolTimeout``, ``ProxyError`` and
    ``UnsupportedProtocol`` are raised before the request is written; after anything else (a read
    timeout, a dropped connection, an unknown exception) the server may have acted on it. The
    client passes the answer on as ``PylonConnectionError(maybe_applied=...)``.
    """
    return not isinstance(exc, _NOT_SENT_ERRORS)


def _is_idempotent(request: httpx.Request) -> bool:
    method = request.method
    if method in _IDEMPOTENT_METHODS:
        return True
    # Pylon's search endpoints are POST only because a filter does not fit in a query string.
    return method == "POST" and request.url.path.rstrip("/").endswith("/search")


def _body_is_replayable(request: httpx.Request) -> bool:
    # The body's maker knows best (an upload stream reopens its files on each iteration), and
    # its word holds even after a transport read the body into a ByteStream (MockTransport does).
    said = context_of(request).replayable
    if said is not None:
        return said is True
    # A ByteStream is in memory and can be sent again; any other stream may be one-shot.
    return isinstance(request.stream, httpx.ByteStream)


class RetryTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` that retries transient failures of ``inner``.

    See the module docstring for what is retried and how long it waits.

    Args:
        inner: the transport that sends each attempt.
        policy: counts and waits; default ``RetryPolicy()``.
        sleep: awaited with the wait in seconds before each retry; default ``anyio.sleep``.
        now: the wall clock, for ``Retry-After`` given as an HTTP date; default the system clock
            in UTC.
        random: returns a float in [0, 1) for the jitter; default ``random.random``.
        on_retry: called with a :class:`RetryEvent` before each wait; default None. An exception
            it raises propagates out of the request.
        check_body: called with the request and each 2xx response; False means the body is
            unusable, and is retried like a transient failure when the request may be retried
            (the client passes :func:`.body.decode_body`, which parses it). Default None: every
            2xx is returned as it is.

    Before each attempt the request's context (:func:`.context.context_of`) gets the attempt
    number, 1 for the first, so an outer layer can log it.

    Example::

        transport = RetryTransport(httpx.AsyncHTTPTransport(), RetryPolicy(max_retries=4))
        async with httpx.AsyncClient(transport=transport) as client: ...

    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        now: Callable[[], dt.datetime] | None = None,
        random: Callable[[], float] = _random.random,
        on_retry: Callable[[RetryEvent], object] | None = None,
        check_body: Callable[[httpx.Request, httpx.Response], bool] | None = None,
    ) -> None:
        self._inner = inner
        self._check_body = check_body
        self._policy = policy if policy is not None else RetryPolicy()
        self._sleep = sleep
        self._now = now if now is not None else _utc_now
        self._random = random
        self._on_retry = on_retry

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through ``inner``, retrying as the policy allows."""
        policy = self._policy
        context = context_of(request)
        opt_in = context.retry
        max_retries = 0 if opt_in is False else policy.max_retries
        unsafe_ok = opt_in is True or policy.retry_non_idempotent or _is_idempotent(request)
        attempt = 1
        while True:
            context.attempt = attempt
            try:
                response = await self._inner.handle_async_request(request)
            except httpx.TransportError as exc:
                if attempt > max_retries or not self._may_retry_error(exc, request, unsafe_ok):
                    raise
                wait = policy.backoff(attempt, self._random())
                self._announce(request, attempt, wait, None, type(exc).__name__)
            else:
                status = response.status_code
                if self._check_body is not None and 200 <= status < 300:
                    if self._check_body(request, response):
                        return response
                    # A 2xx whose body is not JSON (cut off, say) is a transient failure for a
                    # read; a write was applied, so it goes back to the caller as it is.
                    if attempt > max_retries or not unsafe_ok:
                        return response
                    wait = policy.backoff(attempt, self._random())
                    await response.aclose()
                    self._announce(request, attempt, wait, status, "InvalidJSONBody")
                    await self._sleep(wait)
                    attempt += 1
                    continue
                if (
                    attempt > max_retries
                    or status not in _RETRY_STATUSES
                    or not (status == 429 or unsafe_ok)
                    or not _body_is_replayable(request)
                ):
                    return response
                requested = parse_retry_after(response.headers, self._now())
                if requested is not None and requested > policy.max_retry_wait:
                    _logger.debug(
                        "not retrying %s %s: server asked for %.3f s, above max_retry_wait",
                        request.method,
                        request.url.path,
                        requested,
                    )
                    return response
                wait = (
                    requested if requested is not None else policy.backoff(attempt, self._random())
                )
                # Closed before the wait, so a cancelled wait leaves nothing open and the
                # connection is back in the pool for the next attempt.
                await response.aclose()
                self._announce(request, attempt, wait, status, None)
            await self._sleep(wait)
            attempt += 1

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self._inner.aclose()

    @staticmethod
    def _may_retry_error(exc: Exception, request: httpx.Request, unsafe_ok: bool) -> bool:
        if not isinstance(exc, _TRANSIENT_ERRORS):
            return False
        if not may_have_been_sent(exc):
            return True
        return unsafe_ok and _body_is_replayable(request)

    def _announce(
        self,
        request: httpx.Request,
        attempt: int,
        wait: float,
        status_code: int | None,
        error: str | None,
    ) -> None:
        # The path only: headers carry the token, and the query string is nobody's business here.
        path = request.url.path
        _logger.debug(
            "retrying %s %s after %s on attempt %d, waiting %.3f s",
            request.method,
            path,
            status_code if status_code is not None else error,
            attempt,
            wait,
        )
        if self._on_retry is not None:
            self._on_retry(
                RetryEvent(
                    method=request.method,
                    path=path,
                    attempt=attempt,
                    wait=wait,
                    status_code=status_code,
                    error=error,
                )
            )


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
