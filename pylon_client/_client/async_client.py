"""``AsyncPylon``: configuration, the transport stack, copies with other options.

Requests go through one stack, whatever sends them (the resource methods, the plain generated
functions through :attr:`AsyncPylon.generated_client`)::

    RetryTransport -> RateLimitTransport -> httpx.AsyncClient.send (yours or ours)

so a user-supplied ``httpx.AsyncClient`` keeps its own transport, proxies and event hooks, and
still gets the Authorization header, retries and pacing. The token is added per request, never
stored in a repr, a log line or an exception message. What the resources call (send, parse,
paginate, upload) is :class:`~._core.ClientCore`.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import weakref
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self

import anyio
import attrs
import httpx

from .._exceptions import PylonConfigError
from .._export.windows import DEFAULT_MAX_WINDOW
from .._generated._resources import Resources
from .._generated.types import UNSET, Unset
from .._ratelimit.local import check_org_key
from .._ratelimit.transport import RateLimitBackend, RateLimitTransport
from .._transport.body import decode_body
from .._transport.http import ClientTransport, LastResponse, Owner
from .._transport.retry import RetryEvent, RetryPolicy, RetryTransport
from .._version import __version__
from .config import (
    BASE_URL_ENV,
    TOKEN_ENV,
    Secret,
    accelerator,
    check_base_url,
    check_deadline,
    check_limits,
    check_max_response_bytes,
    check_timeout,
    enable_debug_logging,
    region_url,
    seal_token,
)
from .copies import chain, default_limiter, uncached_copy
from .core import ClientCore
from .raw import RawAccess

if TYPE_CHECKING:
    # Loaded on first use: the hand-written resources (with the export, the change feeds and
    # the bulk helpers) when ``pylon.issues``, ``.tasks`` or ``.accounts`` is first read, the
    # token transport with a token provider.
    from .._generated._resources import ResourcesWithRawResponse
    from .._transport.auth import TokenProvider
    from .helpers import AccountsResource, IssuesResource, TasksResource

__all__ = ["AsyncPylon", "LastResponse"]

_DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_CONNECTIONS = 100
"""Connections our own ``httpx.AsyncClient`` opens at most (and keeps open, by default)."""
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""The largest response body a client reads by default: 64 MiB (a page of 1,000 issues is ~5 MB)."""


class AsyncPylon(ClientCore, Resources, RawAccess):
    """The async client: every Pylon operation as ``pylon.<resource>.<method>(...)``.

    Args:
        token: the API token; default the ``PYLON_API_TOKEN`` environment variable. A function
            or async function returning the token is called before every attempt, for tokens
            that rotate (see ``_transport.auth``).
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
            :class:`PylonTimeoutError`. Also per call (``deadline=``) and in :meth:`with_options`.
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
        http_client: an ``httpx.AsyncClient`` to send with; it keeps its transport and is not
            closed by this client. Default: one of our own, closed by :meth:`aclose`.
        transport: an ``httpx.AsyncBaseTransport`` for our own client (tests: MockTransport).
        default_headers: headers added to every request.
        allow_insecure: allow ``http://`` to a host that is not loopback; default False.
        on_retry: called with a ``RetryEvent`` before each retry.
        max_issue_window: the widest window ``GET /issues`` accepts; default 30 days (the
            spec's; Pylon's newer SDK says 365). ``pylon.issues.list`` refuses a larger
            ``window``.
        sleep: awaited with a delay in seconds by retries and the rate limiter; default
            ``anyio.sleep``. Tests pass a fake to run without waiting.
        max_response_bytes: the largest response body read, in bytes; default 64 MiB. A larger
            one is refused before it is read whole (:class:`ResponseTooLargeError`, on its
            ``Content-Length`` or as it arrives). ``None`` means no limit, only when written.
        tracing: OpenTelemetry spans, one client span per call, retries as its events;
            default False (``opentelemetry`` is never imported). True uses the global tracer
            provider; a ``TracerProvider`` is used as given. Needs ``pylon-client[otel]``.

    Raises:
        PylonConfigError: no token, a token with whitespace, a bad base URL or region, an
            empty ``rate_limit_key``, or ``accelerate=True`` without msgspec.

    Use it as an async context manager, or call :meth:`aclose`::

        async with AsyncPylon() as pylon:
            task = await pylon.tasks.get("task_1")

    """

    def __init__(
        self,
        token: str | Secret | TokenProvider | None = None,
        *,
        base_url: str | None = None,
        region: Literal["us", "eu"] = "us",
        timeout: float | httpx.Timeout | None = _DEFAULT_TIMEOUT,
        max_retries: int = 2,
        retry: RetryPolicy | None = None,
        rate_limit: bool | RateLimitBackend = True,
        rate_limit_key: str | None = None,
        rate_limit_scale: float = 1.0,
        rate_limit_overrides: Mapping[str, int] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        default_headers: Mapping[str, str] | None = None,
        allow_insecure: bool = False,
        on_retry: Callable[[RetryEvent], object] | None = None,
        max_issue_window: dt.timedelta = DEFAULT_MAX_WINDOW,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        tracing: bool | Any = False,
        accelerate: bool | None = None,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
        deadline: float | dt.timedelta | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_keepalive_connections: int | None = None,
    ) -> None:
        provider: TokenProvider | None = None
        secret: Secret | None = None
        if callable(token):
            provider = token
        elif isinstance(token, Secret):  # sealed by the sync client
            secret = token
        else:
            sealed = seal_token(token if token is not None else os.environ.get(TOKEN_ENV))
            token = None  # from here on only the Secret: no frame of ours holds the bare token
            if isinstance(sealed, str):
                raise PylonConfigError(sealed)
            secret = sealed
        if rate_limit_key is not None:
            check_org_key("rate_limit_key", rate_limit_key)
        self.base_url = check_base_url(
            base_url or os.environ.get(BASE_URL_ENV) or region_url(region), allow_insecure
        )
        headers = httpx.Headers(default_headers or {})
        headers["User-Agent"] = f"pylon-client/{__version__}"
        if secret is not None:
            # httpx.Headers masks Authorization in its repr; the token lives nowhere else.
            headers["Authorization"] = f"Bearer {secret.reveal()}"
        self._headers = headers
        if http_client is not None and transport is not None:
            raise PylonConfigError("pass http_client or transport, not both")
        self._owns_http = http_client is None
        self._copied = False
        # Our own client carries the headers; a user's gets them with each request instead
        # (merging them per request costs a little, so only where needed).
        self._request_headers = None if http_client is None else headers
        self._http = http_client or httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            headers=headers,
            limits=check_limits(max_connections, max_keepalive_connections),
        )
        self._timeout: httpx.Timeout | None = None  # None: the httpx client's own
        self._owner = Owner()  # shared with copies: last_response, calls in flight (see _http)
        self._last_key = weakref.ref(self._owner)
        self._deadline = check_deadline(deadline)
        self._raw = False
        self._fast = accelerator(accelerate)
        base: httpx.AsyncBaseTransport = ClientTransport(
            self._http, check_max_response_bytes(max_response_bytes)
        )
        if provider is not None:
            from .._transport.auth import TokenTransport  # loaded only for a token provider

            base = TokenTransport(base, provider)
        self._base = base
        if not isinstance(rate_limit, bool):
            limiter: RateLimitBackend | None = rate_limit
        elif rate_limit:
            limiter = default_limiter(rate_limit_scale, rate_limit_overrides, sleep)
        else:
            limiter = None
        self.rate_limiter = limiter
        self._rate_limit_key = rate_limit_key
        self._policy = retry if retry is not None else RetryPolicy(max_retries=max_retries)
        self._paced = self._pace(limiter)
        self._sleep = sleep
        self._tracer: Any = None
        if tracing is not False:
            from .._transport.tracing import Tracing  # loaded only when tracing is asked for

            self._tracer = Tracing(None if tracing is True else tracing, base_url=self.base_url)
            on_retry = chain(on_retry, self._tracer.on_retry)
        self._on_retry = on_retry
        self._stack = self._build_stack()
        self._generated: Any = None
        self._init_resources(self)
        if not isinstance(max_issue_window, dt.timedelta) or max_issue_window <= dt.timedelta(0):
            raise PylonConfigError(
                f"max_issue_window must be a positive timedelta, got {max_issue_window!r}"
            )
        self._max_issue_window = max_issue_window
        if os.environ.get("PYLON_LOG", "").lower() == "debug":
            enable_debug_logging()

    def __repr__(self) -> str:
        # getattr: a client whose __init__ raised is still shown (error reporters print locals).
        return f"AsyncPylon(base_url={getattr(self, 'base_url', None)!r})"

    # ------------------------------------------------------------------ copies

    def _pace(self, limiter: RateLimitBackend | None) -> httpx.AsyncBaseTransport:
        """Return the layer under the retries: the connection, paced by ``limiter`` if any."""
        if limiter is None:
            return self._base
        return RateLimitTransport(
            self._base,
            limiter,
            max_penalty=self._policy.max_retry_wait,
            org=self._rate_limit_key if self._rate_limit_key is not None else limiter.key,
            me_url=self.base_url + "/me",
        )

    def _build_stack(self) -> httpx.AsyncBaseTransport:
        stack: httpx.AsyncBaseTransport = RetryTransport(
            self._paced,
            self._policy,
            sleep=self._sleep,
            on_retry=self._on_retry,
            check_body=decode_body,
        )
        if self._tracer is not None:
            stack = self._tracer.wrap(stack)
        return stack

    def _copy(self) -> Self:
        """Return a copy sharing the connection pool, the limiter and the stack; nothing cached."""
        clone = uncached_copy(self)
        clone._owns_http = False
        clone._copied = True
        clone._generated = None
        clone._init_resources(clone)
        return clone

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | Unset | None = UNSET,
        max_retries: int | None = None,
        rate_limit: bool | RateLimitBackend | None = None,
        deadline: float | dt.timedelta | Unset | None = UNSET,
    ) -> Self:
        """Return a copy with other options, sharing this client's connections and limiter.

        Cheap (no connection, no limiter is created): use it per call site, e.g.
        ``await pylon.with_options(timeout=5, max_retries=0).tasks.get("task_1")``.

        Args:
            timeout: seconds per request, an ``httpx.Timeout``, or None for no limit; default:
                unchanged.
            max_retries: retries after the first attempt; default: unchanged.
            rate_limit: False to send unpaced, True for this client's limiter, or another
                :class:`RateLimiter` / :class:`RedisRateLimiter`; default: unchanged.
            deadline: seconds bounding each call whole, or None for no bound; default:
                unchanged.

        The copy does not own the connections: closing it closes nothing, and closing this
        client closes them for every copy.

        Raises:
            PylonConfigError: a negative ``max_retries`` or a bad ``timeout``.

        """
        clone = self._copy()
        if not isinstance(timeout, Unset):
            clone._timeout = check_timeout(timeout)
        if not isinstance(deadline, Unset):
            clone._deadline = check_deadline(deadline)
        rebuild = False
        if max_retries is not None:
            if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
                raise PylonConfigError(f"max_retries must be an int >= 0, got {max_retries!r}")
            clone._policy = attrs.evolve(self._policy, max_retries=max_retries)
            rebuild = True
        if rate_limit is not None:
            limiter: RateLimitBackend | None
            if rate_limit is True:
                limiter = self.rate_limiter or default_limiter(1.0, None, self._sleep)
            else:
                limiter = None if rate_limit is False else rate_limit
            if limiter is not self.rate_limiter:
                clone.rate_limiter = limiter
                clone._paced = clone._pace(limiter)
                rebuild = True
        if rebuild:
            clone._stack = clone._build_stack()
        return clone

    @functools.cached_property
    def with_raw_response(self) -> ResourcesWithRawResponse:
        """Every method, returning a :class:`RawResponse` (status, headers, request id, parse).

        ``raw = await pylon.with_raw_response.tasks.get("task_1")``; ``raw.parse()`` is the
        ``Task``. Errors are raised as by the plain call. A list or search answers with its
        first page (``raw.parse()`` is a ``Page``).
        """
        from .._generated._resources import ResourcesWithRawResponse

        clone = self._copy()
        clone._raw = True
        return ResourcesWithRawResponse(clone)

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
        """Cancel the calls in flight and close the connections of our own ``httpx.AsyncClient``.

        Calls under way (in any task of this client or its copies) end at once with
        :class:`ClientClosedError`, and so does every later call. A user's ``http_client`` is
        left open. Closing a copy (``with_options``, ``with_raw_response``) closes only its own
        ``generated_client``.
        """
        if self._generated is not None:
            await self._generated.get_async_httpx_client().aclose()
        if self._copied:
            return
        self._owner.cancel_calls()
        if self._owns_http:
            await self._http.aclose()

    # ------------------------------------------------------------------ hand-written resources
    # Like the generated ones (``Resources``), each is created on first access and then kept.

    @functools.cached_property
    def issues(self) -> IssuesResource:
        """``pylon.issues``: the generated methods, ``list`` over any range, ``changes``."""
        from .helpers import IssuesResource

        return IssuesResource(self, max_window=self._max_issue_window)

    @functools.cached_property
    def accounts(self) -> AccountsResource:
        """``pylon.accounts``: the generated methods, ``update_many`` and ``merge`` in batches."""
        from .helpers import AccountsResource

        return AccountsResource(self)

    @functools.cached_property
    def tasks(self) -> TasksResource:
        """``pylon.tasks``: the generated methods and ``changes``."""
        from .helpers import TasksResource

        return TasksResource(self)
