"""The options of a client, in one frozen object checked before anything is built.

``AsyncPylon(**settings)``, ``Pylon(**settings)`` and ``AsyncPylon(options=ClientOptions(...))``
all make a :class:`ClientOptions`; its validators refuse a bad value with
:class:`PylonConfigError` before a connection pool, a limiter or a thread exists.
``with_options`` checks its changes through the same object (:meth:`ClientOptions.evolve`).
:data:`Settings` is the same list as keyword arguments, for the clients' ``**settings``
(a test holds the two to the same names, types and order).
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import anyio
import attrs
import httpx

from .._exceptions import PylonConfigError
from .._export.windows import DEFAULT_MAX_WINDOW
from .config import (
    check_deadline,
    check_limits,
    check_max_response_bytes,
    check_timeout,
    region_url,
)

if TYPE_CHECKING:
    from .._ratelimit.transport import RateLimitBackend
    from .._transport.retry import RetryEvent, RetryPolicy

__all__ = [
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "ClientOptions",
    "Settings",
    "spelled_out",
]

DEFAULT_TIMEOUT = 30.0
"""Seconds for each phase of each attempt unless told otherwise."""
DEFAULT_MAX_CONNECTIONS = 100
"""Connections our own ``httpx.AsyncClient`` opens at most (and keeps open, by default)."""
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""The largest response body a client reads by default: 64 MiB (a page of 1,000 issues is ~5 MB)."""


def _check(check: Callable[[Any], object]) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def validator(_instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
        check(value)

    return validator


def _region(_instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
    region_url(value)


def _max_retries(_instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PylonConfigError(f"max_retries must be an int >= 0, got {value!r}")


def _scale(_instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise PylonConfigError(f"rate_limit_scale must be a number > 0, got {value!r}")
    if not math.isfinite(value):
        raise PylonConfigError(f"rate_limit_scale must be finite, got {value!r}")


def _window(_instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, dt.timedelta) or value <= dt.timedelta(0):
        raise PylonConfigError(f"max_issue_window must be a positive timedelta, got {value!r}")


def _key(_instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        from .._ratelimit.local import check_org_key

        check_org_key("rate_limit_key", value)


@attrs.frozen(kw_only=True)
class ClientOptions:
    """Every option of :class:`AsyncPylon` and :class:`Pylon`, each checked when made.

    Args:
        base_url: the API root; default ``PYLON_BASE_URL``, else the host of ``region``.
        region: ``"us"`` (default) or ``"eu"``.
        timeout: seconds for each phase of each attempt, as httpx means it (connect, each read,
            each write, waiting for a pooled connection); default 30.0. ``None`` means no limit,
            and only when written explicitly. An ``httpx.Timeout`` is accepted. It does not
            bound a whole call: a server trickling a byte a second never trips it; ``deadline``
            does.
        deadline: seconds (or a ``timedelta``) that bound each call whole: every attempt,
            every retry wait and every rate-limit wait; default None, no bound (waits for
            Pylon's rate limits can be long by design). A call past it raises
            :class:`PylonTimeoutError`. Also per call (``deadline=``) and in ``with_options``.
        max_connections: connections our own ``httpx.AsyncClient`` opens at most; default 100.
        max_keepalive_connections: idle connections it keeps for reuse; default: as many as
            ``max_connections``, so that a burst of concurrent calls does not close and reopen
            connections (httpx's own default keeps 20).
        max_retries: retries after the first attempt; default 2. Ignored when ``retry`` is given.
        retry: a full :class:`RetryPolicy`; default ``RetryPolicy(max_retries=max_retries)``.
        rate_limit: pace requests per endpoint by Pylon's documented limits; default True.
            Pass a :class:`RateLimiter` to share one between clients in this process, or a
            :class:`RedisRateLimiter` to share one budget between processes and hosts.
        rate_limit_key: the organization whose budget this client spends, e.g. ``"acme"``;
            default None: the limiter's own ``key``, which for a ``RedisRateLimiter`` without
            one means the organization's id, learnt once from ``GET /me``.
        rate_limit_scale: multiplies every rate (tests and benchmarks); default 1.0.
        rate_limit_overrides: per-endpoint limits a minute, e.g. ``{"GET /issues": 10}``.
        transport: an ``httpx.AsyncBaseTransport`` for our own client (tests: MockTransport).
        default_headers: headers added to every request (never shown in a repr).
        allow_insecure: allow ``http://`` to a host that is not loopback; default False.
        on_retry: called with a ``RetryEvent`` before each retry.
        max_issue_window: the widest window ``GET /issues`` accepts; default 30 days (the
            spec's; Pylon's newer SDK says 365). ``pylon.issues.list`` refuses a larger
            ``window``.
        sleep: awaited with a delay in seconds by retries and the rate limiter; default
            ``anyio.sleep``. Tests pass a fake to run without waiting.
        tracing: OpenTelemetry spans, one client span per call, retries as its events;
            default False (``opentelemetry`` is never imported). True uses the global tracer
            provider; a ``TracerProvider`` is used as given. Needs ``pylon-client[otel]``.
        accelerate: decode responses with msgspec: None (default) when it is installed and
            once the answers read have paid for its import (2 MiB, see
            ``_transport/fastpath.py``), True now and required (``pylon-client[fast]``),
            False never.
        max_response_bytes: the largest response body read, in bytes; default 64 MiB. A larger
            one is refused before it is read whole (:class:`ResponseTooLargeError`, on its
            ``Content-Length`` or as it arrives). ``None`` means no limit, only when written.

    Raises:
        PylonConfigError: a value out of its range or of the wrong type, named.

    Example::

        options = ClientOptions(timeout=10, max_retries=4)
        async with AsyncPylon(options=options) as pylon: ...

    """

    base_url: str | None = None
    region: Literal["us", "eu"] = attrs.field(default="us", validator=_region)
    timeout: float | httpx.Timeout | None = attrs.field(
        default=DEFAULT_TIMEOUT, validator=_check(check_timeout)
    )
    deadline: float | dt.timedelta | None = attrs.field(
        default=None, validator=_check(check_deadline)
    )
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_keepalive_connections: int | None = None
    max_retries: int = attrs.field(default=2, validator=_max_retries)
    retry: RetryPolicy | None = None
    rate_limit: bool | RateLimitBackend = True
    rate_limit_key: str | None = attrs.field(default=None, validator=_key)
    rate_limit_scale: float = attrs.field(default=1.0, validator=_scale)
    rate_limit_overrides: Mapping[str, int] | None = None
    transport: httpx.AsyncBaseTransport | None = None
    default_headers: Mapping[str, str] | None = attrs.field(default=None, repr=False)
    allow_insecure: bool = False
    on_retry: Callable[[RetryEvent], object] | None = None
    max_issue_window: dt.timedelta = attrs.field(default=DEFAULT_MAX_WINDOW, validator=_window)
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep
    tracing: bool | Any = False
    accelerate: bool | None = None
    max_response_bytes: int | None = attrs.field(
        default=DEFAULT_MAX_RESPONSE_BYTES, validator=_check(check_max_response_bytes)
    )

    def __attrs_post_init__(self) -> None:
        check_limits(self.max_connections, self.max_keepalive_connections)
        if self.accelerate is not None and not isinstance(self.accelerate, bool):
            raise PylonConfigError(
                f"accelerate must be True, False or None, got {self.accelerate!r}"
            )

    def evolve(self, **changes: Any) -> ClientOptions:
        """Return a copy with ``changes``, checked as a new one would be."""
        return attrs.evolve(self, **changes)


class Settings(TypedDict, total=False):
    """The fields of :class:`ClientOptions` as keyword arguments (``AsyncPylon(**settings)``)."""

    base_url: str | None
    region: Literal["us", "eu"]
    timeout: float | httpx.Timeout | None
    deadline: float | dt.timedelta | None
    max_connections: int
    max_keepalive_connections: int | None
    max_retries: int
    retry: RetryPolicy | None
    rate_limit: bool | RateLimitBackend
    rate_limit_key: str | None
    rate_limit_scale: float
    rate_limit_overrides: Mapping[str, int] | None
    transport: httpx.AsyncBaseTransport | None
    default_headers: Mapping[str, str] | None
    allow_insecure: bool
    on_retry: Callable[[RetryEvent], object] | None
    max_issue_window: dt.timedelta
    sleep: Callable[[float], Awaitable[None]]
    tracing: bool | Any
    accelerate: bool | None
    max_response_bytes: int | None


def spelled_out(init: Callable[..., None]) -> inspect.Signature:
    """Return ``init``'s signature with ``**settings`` spelled out, one keyword per option.

    ``help(AsyncPylon)`` and ``inspect.signature`` then show every option with its default,
    as if each were written in the signature; type checkers read ``Unpack[Settings]``.
    """
    signature = inspect.signature(init)
    kept = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    spelled = [
        inspect.Parameter(
            field.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=field.default,
            annotation=field.type if field.type is not None else inspect.Parameter.empty,
        )
        for field in attrs.fields(ClientOptions)
    ]
    return signature.replace(parameters=[*kept, *spelled])
